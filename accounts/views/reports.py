"""Access reports: the credential report page and its download."""

from django.http import HttpResponse
from django.shortcuts import render

from ..errors import IAMError
from ..forms.reports import DownloadCredentialReportForm
from ..services import credential_report as report_services
from .base import form_failed, no_store

TEMPLATE = "iam/credential_report.html"
# AWS's documentation does not name the file the console downloads
FILENAME = "credential_report.csv"


def credential_report(request):
    """AWS's Credential report page: "Download credentials report" generates a report when the
    account has none from the last four hours (GenerateCredentialReport), then downloads the
    latest (GetCredentialReport). The page opens for everyone; a refusal shows inside it."""
    actor = request.principal
    form = DownloadCredentialReportForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():  # no fields: always valid
        try:
            report_services.generate_credential_report(actor)
            report = report_services.get_credential_report(actor)
        except IAMError as exc:
            return form_failed(request, TEMPLATE, context, form, exc)
        response = HttpResponse(report.content, content_type=f"{report.report_format}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
        return no_store(response)
    return render(request, TEMPLATE, context)

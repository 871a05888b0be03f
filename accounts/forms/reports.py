"""Forms of the Access reports pages."""

from django import forms


class DownloadCredentialReportForm(forms.Form):
    """The Credential report page's "Download credentials report" button: no fields; it carries
    the refusal (AWS's AccessDenied) when IAM says no."""

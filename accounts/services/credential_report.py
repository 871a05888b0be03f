"""The credential report: every user of the account (root first) and the state of its
password, MFA and access keys, as one CSV in AWS's format (IAM User Guide, "Getting
credential reports for your AWS account").

AWS generates a report at most once every four hours: GenerateCredentialReport starts a new
one when there is none or the latest is older than that, and otherwise answers that the
report is COMPLETE. AWS generates in the background (STARTED, INPROGRESS, then COMPLETE);
here the report is built within the call, so it is ready at once and GetCredentialReport
never answers ReportInProgress. GetCredentialReport answers ReportExpired once the latest
report is more than four hours old: the next GenerateCredentialReport makes a new one.
"""

import csv
import io
from datetime import UTC, datetime, timedelta

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone

from .. import shapes
from ..authz import authorize
from ..errors import ReportExpired, ReportNotPresent
from ..models import AccessKey, CredentialReport, Identity, MFADevice
from .base import iam_action, iam_read
from .lookups import account_of

REPORT_LIFETIME = timedelta(hours=4)
REPORT_FORMAT = "text/csv"
STARTED, COMPLETE = "STARTED", "COMPLETE"
# AWS's own words (API reference, GenerateCredentialReport's sample response; the CLI's example)
STARTED_DESCRIPTION = "No report exists. Starting a new report generation task"
# AWS documents no message for these two errors (it has been seen answering "Unknown", or
# nothing): these are the sentences of botocore's model and the API reference.
NOT_PRESENT_MESSAGE = (
    "The request was rejected because the credential report does not exist. "
    "To generate a credential report, use GenerateCredentialReport."
)
EXPIRED_MESSAGE = (
    "The request was rejected because the most recent credential report has expired. "
    "To generate a new credential report, use GenerateCredentialReport."
)

HEADER = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
ROOT_USER = "<root_account>"
NOT_APPLICABLE = "N/A"
NO_INFORMATION = "no_information"
NOT_SUPPORTED = "not_supported"
# signing certificates do not exist here: every user has none
NO_CERTIFICATES = ("false", NOT_APPLICABLE, "false", NOT_APPLICABLE)


def _time(value: datetime) -> str:
    """ISO 8601 in UTC, to the second, as the report writes it: ``2017-06-10T02:35:07+00:00``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _password_columns(identity: Identity, rules) -> tuple[str, str, str, str]:
    """password_enabled, password_last_used, password_last_changed, password_next_rotation."""
    last_used = _time(identity.last_login) if identity.last_login else NO_INFORMATION
    if identity.is_root:
        # root always has a password; the report does not say when it changed or expires
        return NOT_SUPPORTED, last_used, NOT_SUPPORTED, NOT_SUPPORTED
    if not identity.has_login_profile:
        return "false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE
    changed = identity.password_changed_at or identity.login_profile_created_at
    next_rotation = NOT_APPLICABLE
    if rules.max_password_age:  # the password policy makes passwords expire
        next_rotation = _time(changed + timedelta(days=rules.max_password_age))
    return "true", last_used, _time(changed), next_rotation


def _access_key_columns(key: AccessKey | None) -> tuple[str, str, str, str, str]:
    """access_key_N_active, _last_rotated, _last_used_date, _last_used_region, _last_used_service.

    The User Guide: last_rotated is N/A when the user has no *active* key in that place; the
    last-used columns are N/A when there is no key or it was never used."""
    if key is None:
        return "false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE
    rotated = _time(key.created_at) if key.is_active else NOT_APPLICABLE
    if key.last_used_at is None:
        return _flag(key.is_active), rotated, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE
    return (
        _flag(key.is_active),
        rotated,
        _time(key.last_used_at),
        key.last_used_region or NOT_APPLICABLE,
        key.last_used_service or NOT_APPLICABLE,
    )


def _row(identity: Identity, rules) -> list[str]:
    keys = list(identity.access_keys.all())  # prefetched, oldest first
    first, second = (keys + [None, None])[:2]
    return [
        ROOT_USER if identity.is_root else identity.name,
        identity.arn,
        _time(identity.created_at),
        *_password_columns(identity, rules),
        _flag(bool(identity.enabled_mfa)),
        *_access_key_columns(first),
        *_access_key_columns(second),
        *NO_CERTIFICATES,
    ]


def build_credential_report(account) -> bytes:
    """The report's CSV for ``account`` as it is now: the root user's row, then every IAM user
    by name. Three queries, however many users (identities, their keys, their enabled MFA)."""
    rules = account.password_rules()  # the account comes with its password policy joined
    identities = (
        Identity.objects.filter(account_id=account.account_id)
        .select_related("account")
        .prefetch_related(
            Prefetch("access_keys", queryset=AccessKey.objects.order_by("created_at", "id")),
            # a device assigned to a user is enabled (DeactivateMFADevice unassigns it)
            Prefetch(
                "mfa_devices", queryset=MFADevice.objects.only("id", "identity_id"), to_attr="enabled_mfa"
            ),
        )
        .order_by("kind", Lower("name"), "id")  # "root" < "user": root first
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for identity in identities:
        writer.writerow(_row(identity, rules))
    return out.getvalue().encode("utf-8")


def _latest(account_id: str) -> CredentialReport | None:
    return CredentialReport.objects.filter(account_id=account_id).order_by("-generated_at", "-id").first()


def _expired(report: CredentialReport, now: datetime) -> bool:
    return now - report.generated_at > REPORT_LIFETIME


@iam_action("iam:GenerateCredentialReport")
def generate_credential_report(actor) -> shapes.CredentialReportState:
    """Generate the account's credential report unless one at most four hours old exists.

    Returns STARTED (a new report; ready at once here) or COMPLETE (the recent one stays)."""
    authorize(actor, "iam:GenerateCredentialReport", "*")
    # the account row's lock makes concurrent calls generate once
    account = account_of(actor, for_update=True)
    now = timezone.now().replace(microsecond=0)  # the report's times are to the second
    latest = _latest(account.account_id)
    if latest is not None and not _expired(latest, now):
        return shapes.CredentialReportState(state=COMPLETE)
    content = build_credential_report(account)
    CredentialReport.objects.filter(account=account).delete()  # AWS keeps the latest only
    CredentialReport.objects.create(account=account, generated_at=now, content=content)
    return shapes.CredentialReportState(state=STARTED, description=STARTED_DESCRIPTION)


@iam_read("iam:GetCredentialReport")
def get_credential_report(actor) -> shapes.CredentialReport:
    """The account's latest credential report. Raises ReportNotPresent (none generated yet) and
    ReportExpired (more than four hours old)."""
    authorize(actor, "iam:GetCredentialReport", "*")
    latest = _latest(actor.account_id)
    if latest is None:
        raise ReportNotPresent(NOT_PRESENT_MESSAGE)
    if _expired(latest, timezone.now()):
        raise ReportExpired(EXPIRED_MESSAGE)
    return shapes.CredentialReport(
        content=bytes(latest.content), generated_time=latest.generated_at, report_format=REPORT_FORMAT
    )

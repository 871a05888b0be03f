"""Forms of the role pages: Create role (trusted entity, permissions, name), Edit role
(description, maximum session duration) and Edit trust policy. They check with AWS's rules
and wording (the trust grammar is the engine's); crispy renders the plain fields and the JSON
editor template the trust policy."""

import json
import re

from django import forms
from django.core.exceptions import ValidationError as FormError
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import identifiers
from ..errors import IAMError
from ..services import roles as role_services
from .common import aws_rule
from .fields import ChosenField
from .policies import PolicyDocumentMixin, policy_document_field

ACCOUNT_ID = re.compile(r"^\d{12}$")
# What the custom trust policy editor starts from: valid as it stands, trusting nobody yet
# but this account's own identities (whose policies must still allow sts:AssumeRole).
TRUST_SKELETON = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Statement1",
                "Effect": "Allow",
                "Principal": {},
                "Action": "sts:AssumeRole",
            }
        ],
    },
    indent=4,
)


def _hours_label(hours: int) -> str:
    """``1 hour (default)``, ``2 hours`` … in the page's language."""
    text = ngettext("%(hours)s hour", "%(hours)s hours", hours) % {"hours": hours}
    return gettext("%(duration)s (default)") % {"duration": text} if hours == 1 else text


HOURS = [(str(h * 3600), lazy(_hours_label, str)(h)) for h in range(1, 13)]
CUSTOM = "custom"


def trust_skeleton(account_id: str) -> str:
    document = json.loads(TRUST_SKELETON)
    document["Statement"][0]["Principal"] = {"AWS": f"arn:aws:iam::{account_id}:root"}
    return json.dumps(document, indent=4)


class TrustPolicyMixin(PolicyDocumentMixin):
    """The ``policy_document`` field holds a role trust policy: the trust grammar and quota."""

    def check_document(self, document: str) -> None:
        role_services.validate_trust_policy(document)


class SessionDurationFields(forms.Form):
    """Maximum session duration: 1 to 12 hours, or a custom number of seconds (3,600–43,200).

    ``cleaned_data["max_session_duration"]`` holds the seconds after ``clean``."""

    session_duration = forms.ChoiceField(
        label=_("Maximum session duration"),
        choices=[*HOURS, (CUSTOM, _("Custom duration"))],
        initial="3600",
        help_text=_("How long a session of this role can last: 1 to 12 hours."),
    )
    custom_duration = forms.IntegerField(
        label=_("Custom duration (seconds)"),
        required=False,
        help_text=_("3,600 to 43,200 seconds."),
        widget=forms.NumberInput(attrs={"min": 3600, "max": 43200, "step": 1}),
    )

    def clean_session_duration_fields(self, data) -> None:
        choice = data.get("session_duration")
        if choice is None:
            return
        if choice != CUSTOM:
            data["max_session_duration"] = int(choice)
            return
        seconds = data.get("custom_duration")
        if seconds is None:
            if not self.has_error("custom_duration"):
                self.add_error("custom_duration", _("Enter the maximum session duration in seconds."))
            return
        try:
            data["max_session_duration"] = role_services.validate_max_session_duration(seconds)
        except IAMError as exc:  # AWS's ValidationError wording
            self.add_error("custom_duration", exc.message)

    @staticmethod
    def initial_for(seconds: int) -> dict:
        if any(value == str(seconds) for value, _label in HOURS):
            return {"session_duration": str(seconds)}
        return {"session_duration": CUSTOM, "custom_duration": seconds}


def description_field():
    return forms.CharField(
        label=_("Description"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Maximum 1,000 characters."),
    )


class CreateRoleForm(TrustPolicyMixin, SessionDurationFields):
    """The console's Create role wizard on one page: trusted entity, permissions, name."""

    AWS_SERVICE, AWS_ACCOUNT, CUSTOM_POLICY = "aws_service", "aws_account", "custom"
    THIS_ACCOUNT, OTHER_ACCOUNT = "this", "other"

    trusted_entity_type = forms.ChoiceField(
        label=_("Trusted entity type"),
        widget=forms.RadioSelect,
        initial=AWS_SERVICE,
        choices=[
            (
                AWS_SERVICE,
                _("AWS service — allow AWS services like EC2 or Lambda to perform actions in this account."),
            ),
            (
                AWS_ACCOUNT,
                _(
                    "AWS account — allow entities in this or another AWS account to perform actions in this account."
                ),
            ),
            (
                CUSTOM_POLICY,
                _(
                    "Custom trust policy — write a trust policy to let others perform actions in this account."
                ),
            ),
        ],
    )
    service = forms.ChoiceField(
        label=_("Service or use case"),
        required=False,
        choices=[("", _("Choose a service")), *[(p, label) for label, p in role_services.SERVICES.items()]],
    )
    account = forms.ChoiceField(
        label=_("An AWS account"),
        widget=forms.RadioSelect,
        required=False,
        initial=THIS_ACCOUNT,
    )
    account_id = forms.CharField(
        label=_("Account ID"),
        required=False,
        max_length=64,
        help_text=_("The 12-digit ID of the account whose identities may assume the role."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "placeholder": "123456789012", "autocomplete": "off"}
        ),
    )
    require_mfa = forms.BooleanField(
        label=_("Require MFA"),
        required=False,
        help_text=_("Adds a condition: whoever assumes the role must have signed in with MFA."),
    )
    policy_document = policy_document_field(_("Custom trust policy"))
    policy_arns = ChosenField(kind="policy_arn", label=_("Permissions policies"), required=False, limit=20)
    role_name = forms.CharField(
        label=_("Role name"),
        max_length=200,
        help_text=_("Maximum 64 characters. Use alphanumeric and '+=,.@-_' characters."),
    )
    description = description_field()

    field_order = [
        "trusted_entity_type",
        "service",
        "account",
        "account_id",
        "require_mfa",
        "policy_document",
        "policy_arns",
        "role_name",
        "description",
        "session_duration",
        "custom_duration",
    ]

    def __init__(self, *args, account_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.this_account_id = account_id
        self.fields["account"].choices = [
            (self.THIS_ACCOUNT, _("This account (%(account_id)s)") % {"account_id": account_id}),
            (self.OTHER_ACCOUNT, _("Another AWS account")),
        ]
        self.fields["policy_document"].required = False
        self.fields["policy_document"].initial = trust_skeleton(account_id)

    def clean_policy_document(self):
        if self.cleaned_data.get("trusted_entity_type") != self.CUSTOM_POLICY:
            return ""
        if not self.cleaned_data.get("policy_document", "").strip():
            raise FormError(_("Enter a trust policy."), code="MalformedPolicyDocument")
        return super().clean_policy_document()

    def clean_role_name(self):
        return aws_rule(lambda v: identifiers.validate_name("role", v))(self.cleaned_data["role_name"])

    def clean_description(self):
        return aws_rule(role_services.validate_description)(self.cleaned_data["description"])

    def clean(self):
        data = super().clean()
        self.clean_session_duration_fields(data)
        kind = data.get("trusted_entity_type")
        if kind == self.AWS_SERVICE:
            if not data.get("service"):
                self.add_error("service", _("Choose the service that will use this role."))
            else:
                data["trust_policy"] = role_services.service_trust_policy(data["service"])
        elif kind == self.AWS_ACCOUNT:
            account_id = self.this_account_id
            if data.get("account") == self.OTHER_ACCOUNT:
                account_id = data.get("account_id", "").strip()
                if not ACCOUNT_ID.match(account_id):
                    self.add_error("account_id", _("Enter a 12-digit AWS account ID."))
                    return data
            elif data.get("account") != self.THIS_ACCOUNT:
                self.add_error("account", _("Choose this account or another AWS account."))
                return data
            data["trust_policy"] = role_services.account_trust_policy(
                account_id, require_mfa=bool(data.get("require_mfa"))
            )
        elif kind == self.CUSTOM_POLICY and "policy_document" in data:
            data["trust_policy"] = data["policy_document"]
        return data


class EditRoleForm(SessionDurationFields):
    description = description_field()
    field_order = ["description", "session_duration", "custom_duration"]

    def clean_description(self):
        return aws_rule(role_services.validate_description)(self.cleaned_data["description"])

    def clean(self):
        data = super().clean()
        self.clean_session_duration_fields(data)
        return data


class TrustPolicyForm(TrustPolicyMixin, forms.Form):
    policy_document = policy_document_field(_("Trust policy"))

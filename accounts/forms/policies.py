"""Forms of the policy pages. They own validation with AWS's rules
and wording (the policy grammar is the engine's); crispy renders the plain fields, and the
JSON editor template renders the documents with the faulty line marked."""

import json

from django import forms
from django.core.exceptions import ValidationError as FormError
from django.utils.translation import gettext_lazy as _

from .. import identifiers
from ..errors import IAMError, MalformedPolicyDocument
from ..services.policies import check_managed_size, validate_document
from .common import aws_rule
from .fields import ChosenField

# What the console's editor starts from: a minimal document that is valid as it stands and
# grants next to nothing, so that a learner sees every element before changing them.
POLICY_SKELETON = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Statement1",
                "Effect": "Allow",
                "Action": ["s3:ListAllMyBuckets"],
                "Resource": ["*"],
            }
        ],
    },
    indent=4,
)


def normalise_document(text: str) -> str:
    """Browsers send CRLF from a textarea; keep LF so that line numbers match the editor."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class PolicyDocumentMixin:
    """A ``policy_document`` field checked with AWS's policy grammar.

    After a failed check ``error_line`` / ``error_column`` point at the faulty element
    (1-based; None when the parser could not tell) for the editor to highlight.
    """

    error_line: int | None = None
    error_column: int | None = None
    # A managed policy's own quota (6,144 characters without white space); an inline
    # policy's quota is the total of its owner's inline policies, which the service checks.
    check_managed_size = False

    def clean_policy_document(self):
        document = normalise_document(self.cleaned_data["policy_document"])
        try:
            self.check_document(document)
        except MalformedPolicyDocument as exc:
            self.mark_error_position(exc)
            raise FormError(exc.message, code=exc.code) from None
        except IAMError as exc:
            raise FormError(exc.message, code=exc.code) from None
        if self.check_managed_size:
            aws_rule(check_managed_size)(document)
        return document

    def check_document(self, document: str) -> None:
        """AWS's grammar for the kind of policy the form edits (an identity policy here)."""
        validate_document(document)

    def mark_error_position(self, exc) -> None:
        self.error_line = getattr(exc, "line", None)
        self.error_column = getattr(exc, "column", None)


def policy_document_field(label=None):
    return forms.CharField(
        label=label or _("Policy editor"),
        strip=False,
        widget=forms.Textarea(attrs={"spellcheck": "false", "autocomplete": "off", "wrap": "off"}),
        error_messages={"required": _("Enter a policy document.")},
    )


def policy_name_field():
    return forms.CharField(
        label=_("Policy name"),
        max_length=200,
        help_text=_("Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters."),
    )


class CreatePolicyForm(PolicyDocumentMixin, forms.Form):
    check_managed_size = True
    policy_document = policy_document_field()
    policy_name = policy_name_field()
    description = forms.CharField(
        label=_("Description - optional"),
        required=False,
        strip=True,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Maximum 1,000 characters. Use alphanumeric and '+=,.@-_' characters."),
    )

    def clean_policy_name(self):
        return aws_rule(lambda v: identifiers.validate_name("policy", v))(self.cleaned_data["policy_name"])


class EditPolicyForm(PolicyDocumentMixin, forms.Form):
    """Save changes: a new default version. With 5 versions the console first asks which
    non-default version to delete (``deletable_versions``: (version_id, label) pairs)."""

    check_managed_size = True
    policy_document = policy_document_field()
    delete_version_id = forms.ChoiceField(
        label=_("Choose a version to delete"),
        widget=forms.RadioSelect,
        required=True,
        error_messages={"required": _("Choose a version to delete before you save changes.")},
    )

    def __init__(self, *args, deletable_versions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if deletable_versions is None:
            del self.fields["delete_version_id"]
        else:
            self.fields["delete_version_id"].choices = list(deletable_versions)

    @property
    def must_delete_a_version(self) -> bool:
        return "delete_version_id" in self.fields


class InlinePolicyForm(PolicyDocumentMixin, forms.Form):
    """Create (with a name) or edit (name fixed) an inline policy of a user or group."""

    policy_name = policy_name_field()
    policy_document = policy_document_field()

    def __init__(self, *args, existing_names=None, **kwargs):
        super().__init__(*args, **kwargs)
        # None: editing, the name is the one in the URL and not a field
        self.existing_names = None if existing_names is None else {n.lower() for n in existing_names}
        if existing_names is None:
            del self.fields["policy_name"]

    def clean_policy_name(self):
        name = aws_rule(lambda v: identifiers.validate_name("policy", v))(self.cleaned_data["policy_name"])
        if name.lower() in self.existing_names:
            raise FormError(
                f"A policy called {name} already exists. Duplicate names are not allowed.",
                code="EntityAlreadyExists",
            )
        return name


class AttachPoliciesForm(forms.Form):
    """Attach policies directly: the managed policies chosen in the picker (by ARN)."""

    policy_arns = ChosenField(
        kind="policy_arn",
        label=_("Permissions policies"),
        limit=10,
        error_messages={"required": _("Choose at least one policy.")},
    )


class EntitiesForm(forms.Form):
    """Users, groups and roles chosen on a policy's Entities attached tab (``user:NAME`` /
    ``group:NAME`` / ``role:NAME``)."""

    KINDS = ("user", "group", "role")
    entities = forms.MultipleChoiceField(
        label=_("Entities"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one user, user group or role.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entities"].valid_value = self._valid

    @classmethod
    def _valid(cls, value: str) -> bool:
        kind, _sep, name = value.partition(":")
        return kind in cls.KINDS and identifiers.could_name(kind, name)

    def chosen(self, kind: str) -> list[str]:
        prefix = f"{kind}:"
        return [v[len(prefix) :] for v in self.cleaned_data["entities"] if v.startswith(prefix)]


class PermissionsBoundaryForm(forms.Form):
    policy_arn = forms.CharField(
        label=_("Permissions boundary policy"),
        max_length=2048,
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose a policy to use as the permissions boundary.")},
    )

    def clean_policy_arn(self):
        value = self.cleaned_data["policy_arn"].strip()
        if not identifiers.could_be_arn(value):
            raise FormError(_("Choose a policy to use as the permissions boundary."), code="invalid")
        return value

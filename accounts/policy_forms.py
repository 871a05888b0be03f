"""Forms of the policy pages and the policy simulator. They own validation with AWS's rules
and wording (the policy grammar is the engine's); crispy renders the plain fields, and the
JSON editor template renders the documents with the faulty line marked."""

import json
import re

from django import forms
from django.core.exceptions import ValidationError as FormError

from . import identifiers
from . import policy as engine
from .errors import IAMError, MalformedPolicyDocument
from .forms import aws_rule
from .services.policies import validate_document

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
        if self.check_managed_size and engine.policy_size(document) > engine.MANAGED_POLICY_MAX:
            raise FormError(engine.size_error("managed", engine.MANAGED_POLICY_MAX), code="LimitExceeded")
        return document

    def check_document(self, document: str) -> None:
        """AWS's grammar for the kind of policy the form edits (an identity policy here)."""
        validate_document(document)

    def mark_error_position(self, exc) -> None:
        self.error_line = getattr(exc, "line", None)
        self.error_column = getattr(exc, "column", None)


def policy_document_field(label="Policy editor"):
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.Textarea(attrs={"spellcheck": "false", "autocomplete": "off", "wrap": "off"}),
        error_messages={"required": "Enter a policy document."},
    )


def policy_name_field():
    return forms.CharField(
        label="Policy name",
        max_length=200,
        help_text="Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters.",
    )


class CreatePolicyForm(PolicyDocumentMixin, forms.Form):
    check_managed_size = True
    policy_document = policy_document_field()
    policy_name = policy_name_field()
    description = forms.CharField(
        label="Description - optional",
        required=False,
        strip=True,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Maximum 1,000 characters. Use alphanumeric and '+=,.@-_' characters.",
    )

    def clean_policy_name(self):
        return aws_rule(lambda v: identifiers.validate_name("policy", v))(self.cleaned_data["policy_name"])


class EditPolicyForm(PolicyDocumentMixin, forms.Form):
    """Save changes: a new default version. With 5 versions the console first asks which
    non-default version to delete (``deletable_versions``: (version_id, label) pairs)."""

    check_managed_size = True
    policy_document = policy_document_field()
    delete_version_id = forms.ChoiceField(
        label="Choose a version to delete",
        widget=forms.RadioSelect,
        required=True,
        error_messages={"required": "Choose a version to delete before you save changes."},
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
    """Attach policies directly: the managed policies chosen in the table (by ARN)."""

    policy_arns = forms.MultipleChoiceField(
        label="Permissions policies",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one policy."},
    )

    def __init__(self, *args, policy_arns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_arns"].choices = [(arn, arn) for arn in policy_arns]


class EntitiesForm(forms.Form):
    """Users, groups and roles chosen on a policy's Entities attached tab (``user:NAME`` /
    ``group:NAME`` / ``role:NAME``)."""

    entities = forms.MultipleChoiceField(
        label="Entities",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one user, user group or role."},
    )

    def __init__(self, *args, user_names=(), group_names=(), role_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entities"].choices = (
            [(f"user:{n}", n) for n in user_names]
            + [(f"group:{n}", n) for n in group_names]
            + [(f"role:{n}", n) for n in role_names]
        )

    def chosen(self, kind: str) -> list[str]:
        prefix = f"{kind}:"
        return [v[len(prefix) :] for v in self.cleaned_data["entities"] if v.startswith(prefix)]


class PermissionsBoundaryForm(forms.Form):
    policy_arn = forms.ChoiceField(
        label="Permissions boundary policy",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a policy to use as the permissions boundary."},
    )

    def __init__(self, *args, policy_arns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_arn"].choices = [(arn, arn) for arn in policy_arns]


# --- the policy simulator ------------------------------------------------------------------

ACTION_NAME = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$")
CONTEXT_KEY = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9_./:@-]+$")
POLICY_SEPARATOR = "---"
MAX_ACTIONS = 100
MAX_RESOURCES = 20


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers, stripped."""
    return [
        (n, line.strip()) for n, line in enumerate(normalise_document(text).split("\n"), 1) if line.strip()
    ]


class SimulatorForm(forms.Form):
    """Choose whose policies to simulate (a user, group or role, or pasted documents), the actions,
    resources and context keys. ``cleaned_data`` then holds ``actions`` and ``resources``
    (lists), ``context`` (a dict) and, for pasted documents, ``custom_policies`` and
    ``boundary_policy`` (compiled engine policies) and ``line_offsets`` (policy id -> the
    number of editor lines before it)."""

    PRINCIPAL, CUSTOM = "principal", "custom"
    mode = forms.ChoiceField(
        label="Policies to simulate",
        choices=[
            (PRINCIPAL, "Existing user, user group or role — the policies that apply to it"),
            (CUSTOM, "New policies — paste one or more policy documents"),
        ],
        widget=forms.RadioSelect,
        initial=PRINCIPAL,
    )
    principal = forms.ChoiceField(label="User, user group or role", required=False)
    policy_documents = forms.CharField(
        label="Policy documents",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"spellcheck": "false", "autocomplete": "off", "wrap": "off"}),
        help_text=f"Separate several policies with a line that holds only {POLICY_SEPARATOR}",
    )
    boundary_document = forms.CharField(
        label="Permissions boundary - optional",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"spellcheck": "false", "autocomplete": "off", "wrap": "off"}),
    )
    actions = forms.CharField(
        label="Actions",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="One action a line, for example iam:CreateUser or s3:GetObject.",
        error_messages={"required": "Enter at least one action."},
    )
    resources = forms.CharField(
        label="Resources",
        required=False,
        initial="*",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text='One resource ARN a line; "*" (the default) simulates every resource.',
    )
    context = forms.CharField(
        label="Context keys - optional",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="key=value, one a line, for example aws:SourceIp=203.0.113.5 or "
        "aws:MultiFactorAuthPresent=true. Repeat a key to give it several values.",
    )

    def __init__(self, *args, user_names=(), group_names=(), role_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a user, user group or role")]
        if user_names:
            choices.append(("Users", [(f"user:{n}", n) for n in user_names]))
        if group_names:
            choices.append(("User groups", [(f"group:{n}", n) for n in group_names]))
        if role_names:
            choices.append(("Roles", [(f"role:{n}", n) for n in role_names]))
        self.fields["principal"].choices = choices
        self.error_lines: dict[str, int] = {}

    def clean_actions(self):
        actions = []
        for number, line in _lines(self.cleaned_data["actions"]):
            if not ACTION_NAME.match(line):
                raise FormError(
                    f"Line {number}: enter an action as service:ActionName, for example iam:CreateUser.",
                    code="InvalidInput",
                )
            if line not in actions:
                actions.append(line)
        if not actions:
            raise FormError("Enter at least one action.", code="InvalidInput")
        if len(actions) > MAX_ACTIONS:
            raise FormError(f"Simulate up to {MAX_ACTIONS} actions at a time.", code="InvalidInput")
        return actions

    def clean_resources(self):
        resources = []
        for number, line in _lines(self.cleaned_data["resources"]):
            if line != "*" and not line.startswith("arn:"):
                raise FormError(
                    f'Line {number}: resource {line} must be in ARN format or "*".', code="InvalidInput"
                )
            if line not in resources:
                resources.append(line)
        if len(resources) > MAX_RESOURCES:
            raise FormError(f"Simulate up to {MAX_RESOURCES} resources at a time.", code="InvalidInput")
        return resources or ["*"]

    def clean_context(self):
        context: dict[str, object] = {}
        for number, line in _lines(self.cleaned_data["context"]):
            key, sep, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not CONTEXT_KEY.match(key):
                raise FormError(
                    f"Line {number}: enter a context entry as key=value, for example aws:SourceIp=203.0.113.5.",
                    code="InvalidInput",
                )
            if key in context:
                previous = context[key]
                context[key] = [*(previous if isinstance(previous, list) else [previous]), value]
            else:
                context[key] = value
        return context

    def _compile(self, field: str, text: str, start_line: int, policy_id: str):
        try:
            return engine.parse_policy(text, kind="identity", policy_id=policy_id)
        except engine.MalformedPolicyDocument as exc:
            where = ""
            if exc.line is not None:
                line = start_line + exc.line - 1
                self.error_lines.setdefault(field, line)
                where = f" (line {line})"
            raise FormError(f"{policy_id}: {exc.message}{where}", code="MalformedPolicyDocument") from None

    def clean_policy_documents(self):
        text = normalise_document(self.cleaned_data["policy_documents"])
        if self.cleaned_data.get("mode") != self.CUSTOM:
            return text
        chunks: list[tuple[int, str]] = []  # (first line, text)
        current: list[str] = []
        first = 1
        for number, line in enumerate(text.split("\n"), 1):
            if line.strip() == POLICY_SEPARATOR:
                chunks.append((first, "\n".join(current)))
                current, first = [], number + 1
            else:
                current.append(line)
        chunks.append((first, "\n".join(current)))
        chunks = [(start, chunk) for start, chunk in chunks if chunk.strip()]
        if not chunks:
            raise FormError("Paste at least one policy document.", code="InvalidInput")
        self.cleaned_data["custom_policies"] = [
            self._compile("policy_documents", chunk, start, f"Policy {i}")
            for i, (start, chunk) in enumerate(chunks, 1)
        ]
        # where each policy starts in the editor, to show matched statements' lines there
        self.cleaned_data["line_offsets"] = {
            f"Policy {i}": start - 1 for i, (start, _) in enumerate(chunks, 1)
        }
        return text

    def clean_boundary_document(self):
        text = normalise_document(self.cleaned_data["boundary_document"])
        boundary = None
        if self.cleaned_data.get("mode") == self.CUSTOM and text.strip():
            boundary = self._compile("boundary_document", text, 1, "Permissions boundary")
        self.cleaned_data["boundary_policy"] = boundary
        return text

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.PRINCIPAL and not data.get("principal"):
            self.add_error("principal", "Choose a user, user group or role.")
        return data

    def principal_choice(self) -> tuple[str, str]:
        """("user" | "group" | "role", name) of the chosen principal."""
        kind, _, name = self.cleaned_data["principal"].partition(":")
        return kind, name

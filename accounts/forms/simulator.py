"""The policy simulator's form: whose policies (an entity of the account, or pasted
documents), which actions, resources and context keys."""

import re

from django import forms
from django.core.exceptions import ValidationError as FormError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..errors import MalformedPolicyDocument
from ..services.policies import validate_document
from .policies import normalise_document

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
    ``boundary_policy`` (documents checked with AWS's grammar) and ``line_offsets`` (policy id -> the
    number of editor lines before it)."""

    PRINCIPAL, CUSTOM = "principal", "custom"
    mode = forms.ChoiceField(
        label=_("Policies to simulate"),
        choices=[
            (PRINCIPAL, _("Existing user, user group or role — the policies that apply to it")),
            (CUSTOM, _("New policies — paste one or more policy documents")),
        ],
        widget=forms.RadioSelect,
        initial=PRINCIPAL,
    )
    principal = forms.ChoiceField(label=_("User, user group or role"), required=False)
    policy_documents = forms.CharField(
        label=_("Policy documents"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"spellcheck": "false", "autocomplete": "off", "wrap": "off"}),
        help_text=lazy(
            lambda: (
                gettext("Separate several policies with a line that holds only %(separator)s")
                % {"separator": POLICY_SEPARATOR}
            ),
            str,
        )(),
    )
    boundary_document = forms.CharField(
        label=_("Permissions boundary - optional"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"spellcheck": "false", "autocomplete": "off", "wrap": "off"}),
    )
    actions = forms.CharField(
        label=_("Actions"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("One action a line, for example iam:CreateUser or s3:GetObject."),
        error_messages={"required": _("Enter at least one action.")},
    )
    resources = forms.CharField(
        label=_("Resources"),
        required=False,
        initial="*",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_('One resource ARN a line; "*" (the default) simulates every resource.'),
    )
    context = forms.CharField(
        label=_("Context keys - optional"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "key=value, one a line, for example aws:SourceIp=203.0.113.5 or "
            "aws:MultiFactorAuthPresent=true. Repeat a key to give it several values."
        ),
    )

    def __init__(self, *args, users=(), groups=(), roles=(), **kwargs):
        """``users``, ``groups``, ``roles``: (value, name) pairs the caller may choose from."""
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a user, user group or role"))]
        for label, entities in ((_("Users"), users), (_("User groups"), groups), (_("Roles"), roles)):
            if entities:
                choices.append((label, list(entities)))
        self.fields["principal"].choices = choices
        self.error_lines: dict[str, int] = {}

    def clean_actions(self):
        actions = []
        for number, line in _lines(self.cleaned_data["actions"]):
            if not ACTION_NAME.match(line):
                raise FormError(
                    _("Line %(line)s: enter an action as service:ActionName, for example iam:CreateUser.")
                    % {"line": number},
                    code="InvalidInput",
                )
            if line not in actions:
                actions.append(line)
        if not actions:
            raise FormError(_("Enter at least one action."), code="InvalidInput")
        if len(actions) > MAX_ACTIONS:
            raise FormError(
                _("Simulate up to %(limit)s actions at a time.") % {"limit": MAX_ACTIONS}, code="InvalidInput"
            )
        return actions

    def clean_resources(self):
        resources = []
        for number, line in _lines(self.cleaned_data["resources"]):
            if line != "*" and not line.startswith("arn:"):
                raise FormError(
                    _('Line %(line)s: resource %(resource)s must be in ARN format or "*".')
                    % {"line": number, "resource": line},
                    code="InvalidInput",
                )
            if line not in resources:
                resources.append(line)
        if len(resources) > MAX_RESOURCES:
            raise FormError(
                _("Simulate up to %(limit)s resources at a time.") % {"limit": MAX_RESOURCES},
                code="InvalidInput",
            )
        return resources or ["*"]

    def clean_context(self):
        context: dict[str, object] = {}
        for number, line in _lines(self.cleaned_data["context"]):
            key, sep, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not CONTEXT_KEY.match(key):
                raise FormError(
                    _(
                        "Line %(line)s: enter a context entry as key=value, for example aws:SourceIp=203.0.113.5."
                    )
                    % {"line": number},
                    code="InvalidInput",
                )
            if key in context:
                previous = context[key]
                context[key] = [*(previous if isinstance(previous, list) else [previous]), value]
            else:
                context[key] = value
        return context

    def _check(self, field: str, text: str, start_line: int, policy_id: str) -> str:
        """AWS's grammar for a pasted policy; its error names the editor line."""
        try:
            return validate_document(text, strict_version=False)
        except MalformedPolicyDocument as exc:
            # the policy's name and AWS's message stay as they are; the line is the editor's
            message = f"{policy_id}: {exc.message}"
            if exc.line is not None:
                line = start_line + exc.line - 1
                self.error_lines.setdefault(field, line)
                message = _("%(message)s (line %(line)s)") % {"message": message, "line": line}
            raise FormError(message, code="MalformedPolicyDocument") from None

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
            raise FormError(_("Paste at least one policy document."), code="InvalidInput")
        self.cleaned_data["custom_policies"] = [
            self._check("policy_documents", chunk, start, f"Policy {i}")
            for i, (start, chunk) in enumerate(chunks, 1)
        ]
        # where each policy starts in the editor, to show matched statements' lines there
        self.cleaned_data["line_offsets"] = {
            f"Policy {i}": start - 1 for i, (start, _chunk) in enumerate(chunks, 1)
        }
        return text

    def clean_boundary_document(self):
        text = normalise_document(self.cleaned_data["boundary_document"])
        boundary = None
        if self.cleaned_data.get("mode") == self.CUSTOM and text.strip():
            boundary = self._check("boundary_document", text, 1, "Permissions boundary")
        self.cleaned_data["boundary_policy"] = boundary
        return text

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.PRINCIPAL and not data.get("principal"):
            self.add_error("principal", _("Choose a user, user group or role."))
        return data

    def context_entries(self) -> list[dict]:
        """The context keys as AWS's ContextEntries."""
        entries = []
        for key, value in self.cleaned_data["context"].items():
            values = value if isinstance(value, list) else [value]
            entries.append(
                {
                    "ContextKeyName": key,
                    "ContextKeyValues": values,
                    "ContextKeyType": "stringList" if isinstance(value, list) else "string",
                }
            )
        return entries

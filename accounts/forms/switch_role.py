"""Switch role: the account (ID or alias), the role, and how the console shows the session."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import identifiers

# AWS's Switch role colours (the console's display colour choices)
COLORS = [
    ("", _("None")),
    ("red", _("Red")),
    ("orange", _("Orange")),
    ("yellow", _("Yellow")),
    ("green", _("Green")),
    ("blue", _("Blue")),
]


class SwitchRoleForm(forms.Form):
    account = forms.CharField(
        label=_("Account ID"),
        max_length=63,
        help_text=_("The 12-digit account ID or the account alias of the account that has the role."),
    )
    role_name = forms.CharField(
        label=_("IAM role name"),
        max_length=512,
        help_text=_("The name of the role (with its path, if any: path/RoleName)."),
    )
    display_name = forms.CharField(
        label=_("Display name - optional"),
        max_length=64,
        required=False,
        help_text=_("The name shown in the navigation bar while the role is active. Maximum 64 characters."),
    )
    color = forms.ChoiceField(label=_("Display color - optional"), choices=COLORS, required=False)

    def clean_account(self):
        value = self.cleaned_data["account"].strip()
        digits = value.replace("-", "")
        if (len(digits) == 12 and digits.isdigit()) or identifiers.ALIAS_RE.match(value.lower()):
            return digits if digits.isdigit() and len(digits) == 12 else value.lower()
        raise forms.ValidationError(
            _("Enter a 12-digit account ID or an account alias."), code="InvalidInput"
        )

    def clean_role_name(self):
        value = self.cleaned_data["role_name"].strip().strip("/")
        name = value.rsplit("/", 1)[-1]
        if not identifiers.could_name("role", name):
            raise forms.ValidationError(
                _("Enter a role name: up to 64 characters, A-Z, a-z, 0-9, and + = , . @ _ - (hyphen)."),
                code="ValidationError",
            )
        return value

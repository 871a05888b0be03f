"""Account settings: the account alias and the password policy."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import identifiers
from .common import aws_rule


class AccountAliasForm(forms.Form):
    alias = forms.CharField(
        label=_("Preferred alias"),
        max_length=100,
        help_text=_("3–63 characters: lowercase letters, digits and hyphens; not all digits."),
    )

    def clean_alias(self):
        return aws_rule(identifiers.validate_account_alias)(self.cleaned_data["alias"].strip())


class PasswordPolicyForm(forms.Form):
    DEFAULT, CUSTOM = "default", "custom"
    mode = forms.ChoiceField(
        label=_("Password policy"),
        choices=[(DEFAULT, _("IAM default")), (CUSTOM, _("Custom"))],
        widget=forms.RadioSelect,
        initial=DEFAULT,
    )
    minimum_password_length = forms.IntegerField(
        label=_("Password minimum length"),
        min_value=6,
        max_value=128,
        initial=8,
        help_text=_("Enforce a minimum length of characters. Needs to be between 6 and 128."),
    )
    require_uppercase_characters = forms.BooleanField(
        label=_("Require at least one uppercase letter from the Latin alphabet (A-Z)"), required=False
    )
    require_lowercase_characters = forms.BooleanField(
        label=_("Require at least one lowercase letter from the Latin alphabet (a-z)"), required=False
    )
    require_numbers = forms.BooleanField(label=_("Require at least one number"), required=False)
    require_symbols = forms.BooleanField(
        label=_(
            "Require at least one non-alphanumeric character ( ! @ # $ % ^ & * ( ) _ + - = [ ] { } | ' )"
        ),
        required=False,
    )
    expire_passwords = forms.BooleanField(label=_("Turn on password expiration"), required=False)
    max_password_age = forms.IntegerField(
        label=_("Expire passwords in day(s)"),
        min_value=1,
        max_value=1095,
        required=False,
        help_text=_("Needs to be between 1 and 1095 days."),
    )
    hard_expiry = forms.BooleanField(
        label=_("Password expiration requires administrator reset"), required=False
    )
    allow_users_to_change_password = forms.BooleanField(
        label=_("Allow users to change their own password"), required=False
    )
    prevent_reuse = forms.BooleanField(label=_("Prevent password reuse"), required=False)
    password_reuse_prevention = forms.IntegerField(
        label=_("Remember password(s)"),
        min_value=1,
        max_value=24,
        required=False,
        help_text=_("Needs to be between 1 and 24 passwords."),
    )

    def clean(self):
        data = super().clean()
        if data.get("mode") != self.CUSTOM:
            return data
        if data.get("expire_passwords") and not data.get("max_password_age"):
            self.add_error("max_password_age", _("Enter the number of days after which passwords expire."))
        if data.get("prevent_reuse") and not data.get("password_reuse_prevention"):
            self.add_error("password_reuse_prevention", _("Enter how many passwords to remember."))
        return data

    def policy_values(self) -> dict:
        d = self.cleaned_data
        return {
            "minimum_password_length": d["minimum_password_length"],
            "require_uppercase_characters": d["require_uppercase_characters"],
            "require_lowercase_characters": d["require_lowercase_characters"],
            "require_numbers": d["require_numbers"],
            "require_symbols": d["require_symbols"],
            "max_password_age": d["max_password_age"] if d["expire_passwords"] else None,
            "hard_expiry": d["hard_expiry"] if d["expire_passwords"] else False,
            "allow_users_to_change_password": d["allow_users_to_change_password"],
            "password_reuse_prevention": d["password_reuse_prevention"] if d["prevent_reuse"] else None,
        }

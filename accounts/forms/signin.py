"""Sign-up, sign-in (root and IAM user), the MFA step, re-authentication, password changes."""

from django import forms
from django.core.exceptions import ValidationError as FormError
from django.utils.translation import gettext_lazy as _

from .. import totp
from ..identifiers import email_key
from ..passwords import MAX_PASSWORD_LENGTH
from .common import PasswordInput


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Root user email address"), max_length=254)
    account_name = forms.CharField(
        label=_("AWS account name"),
        max_length=50,
        help_text=_("Choose a name for your account. You can change it later."),
    )
    password = forms.CharField(
        label=_("Root user password"),
        widget=PasswordInput("new-password"),
        max_length=MAX_PASSWORD_LENGTH,
        strip=False,
        help_text=_("At least 8 characters, with 3 of: uppercase, lowercase, numbers, symbols."),
    )
    password_confirm = forms.CharField(
        label=_("Confirm root user password"),
        widget=PasswordInput("new-password"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_key(email) is None:
            # Email addresses are compared as ASCII (identifiers.email_key): another one could
            # never sign in, and would look like an existing one.
            raise FormError(_("Enter an email address made of ASCII characters."), code="invalid")
        return email

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("Passwords do not match."))
        return data


class SignInStartForm(forms.Form):
    """The first sign-in page: Root user (email) or IAM user (account ID or alias)."""

    ROOT, IAM = "root", "iam"
    user_type = forms.ChoiceField(
        choices=[
            (ROOT, _("Root user — Account owner that performs tasks requiring unrestricted access.")),
            (IAM, _("IAM user — User within an account that performs daily tasks.")),
        ],
        widget=forms.RadioSelect,
        initial=IAM,
        label="",
    )
    root_email = forms.EmailField(label=_("Root user email address"), required=False)
    account = forms.CharField(
        label=_("Account ID (12 digits) or account alias"), required=False, max_length=63
    )

    def clean(self):
        data = super().clean()
        root_missing = data.get("user_type") == self.ROOT and not data.get("root_email")
        if root_missing and not self.has_error("root_email"):
            self.add_error("root_email", _("Enter the root user email address."))
        if data.get("user_type") == self.IAM and not data.get("account"):
            self.add_error("account", _("Enter the account ID or alias."))
        return data


class RootPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), widget=PasswordInput(), strip=False, max_length=MAX_PASSWORD_LENGTH
    )


class IAMUserSignInForm(forms.Form):
    account = forms.CharField(label=_("Account ID (12 digits) or account alias"), max_length=63)
    user_name = forms.CharField(
        label=_("IAM user name"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"), widget=PasswordInput(), strip=False, max_length=MAX_PASSWORD_LENGTH
    )


class MFACodeForm(forms.Form):
    code = forms.CharField(
        label=_("MFA code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
        help_text=_("Enter the 6-digit code from your authenticator app."),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not totp.is_well_formed(code):  # ASCII digits: str.isdigit() takes ١٢٣٤٥٦ and ２ too
            raise FormError(
                _("Enter the 6-digit code from your MFA device."), code="InvalidAuthenticationCode"
            )
        return code


class ReauthenticateForm(MFACodeForm):
    password = forms.CharField(
        label=_("Password"), widget=PasswordInput(), strip=False, max_length=MAX_PASSWORD_LENGTH
    )
    field_order = ("password", "code")

    def __init__(self, *args, needs_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_code = needs_code
        if not needs_code:
            del self.fields["code"]


class ChangePasswordForm(forms.Form):
    """Forced change at sign-in and the self-service "Update console password"."""

    old_password = forms.CharField(
        label=_("Old password"), widget=PasswordInput(), strip=False, max_length=MAX_PASSWORD_LENGTH
    )
    new_password = forms.CharField(
        label=_("New password"),
        widget=PasswordInput("new-password"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
    )
    new_password_confirm = forms.CharField(
        label=_("Retype new password"),
        widget=PasswordInput("new-password"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_confirm"):
            self.add_error("new_password_confirm", _("The new passwords do not match."))
        return data

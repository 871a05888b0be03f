"""Console forms. They own validation (AWS's rules and wording); crispy renders them."""

from django import forms
from django.core.exceptions import ValidationError as FormError

from . import identifiers
from .errors import IAMError
from .passwords import MAX_PASSWORD_LENGTH


def aws_rule(check):
    """Run an identifiers/passwords check, turning its IAMError into a form error."""

    def clean(value):
        try:
            return check(value)
        except IAMError as exc:
            raise FormError(exc.message, code=exc.code) from None

    return clean


class PasswordInput(forms.PasswordInput):
    def __init__(self, autocomplete="current-password"):
        super().__init__(attrs={"autocomplete": autocomplete})


# --- sign-up and sign-in --------------------------------------------------------------


class SignUpForm(forms.Form):
    email = forms.EmailField(label="Root user email address", max_length=254)
    account_name = forms.CharField(
        label="AWS account name",
        max_length=50,
        help_text="Choose a name for your account. You can change it later.",
    )
    password = forms.CharField(
        label="Root user password",
        widget=PasswordInput("new-password"),
        max_length=MAX_PASSWORD_LENGTH,
        strip=False,
        help_text="At least 8 characters, with 3 of: uppercase, lowercase, numbers, symbols.",
    )
    password_confirm = forms.CharField(
        label="Confirm root user password",
        widget=PasswordInput("new-password"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "Passwords do not match.")
        return data


class SignInStartForm(forms.Form):
    """The first sign-in page: Root user (email) or IAM user (account ID or alias)."""

    ROOT, IAM = "root", "iam"
    user_type = forms.ChoiceField(
        choices=[
            (ROOT, "Root user — Account owner that performs tasks requiring unrestricted access."),
            (IAM, "IAM user — User within an account that performs daily tasks."),
        ],
        widget=forms.RadioSelect,
        initial=IAM,
        label="",
    )
    root_email = forms.EmailField(label="Root user email address", required=False)
    account = forms.CharField(label="Account ID (12 digits) or account alias", required=False, max_length=63)

    def clean(self):
        data = super().clean()
        root_missing = data.get("user_type") == self.ROOT and not data.get("root_email")
        if root_missing and not self.has_error("root_email"):
            self.add_error("root_email", "Enter the root user email address.")
        if data.get("user_type") == self.IAM and not data.get("account"):
            self.add_error("account", "Enter the account ID or alias.")
        return data


class RootPasswordForm(forms.Form):
    password = forms.CharField(
        label="Password", widget=PasswordInput(), strip=False, max_length=MAX_PASSWORD_LENGTH
    )


class IAMUserSignInForm(forms.Form):
    account = forms.CharField(label="Account ID (12 digits) or account alias", max_length=63)
    user_name = forms.CharField(
        label="IAM user name", max_length=64, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label="Password", widget=PasswordInput(), strip=False, max_length=MAX_PASSWORD_LENGTH
    )


class MFACodeForm(forms.Form):
    code = forms.CharField(
        label="MFA code",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
        help_text="Enter the 6-digit code from your authenticator app.",
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (len(code) == 6 and code.isdigit()):
            raise FormError("Enter the 6-digit code from your MFA device.", code="InvalidAuthenticationCode")
        return code


class ReauthenticateForm(MFACodeForm):
    password = forms.CharField(
        label="Password", widget=PasswordInput(), strip=False, max_length=MAX_PASSWORD_LENGTH
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
        label="Old password", widget=PasswordInput(), strip=False, max_length=MAX_PASSWORD_LENGTH
    )
    new_password = forms.CharField(
        label="New password",
        widget=PasswordInput("new-password"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
    )
    new_password_confirm = forms.CharField(
        label="Retype new password",
        widget=PasswordInput("new-password"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_confirm"):
            self.add_error("new_password_confirm", "The new passwords do not match.")
        return data


# --- users ------------------------------------------------------------------------------


class ConsolePasswordFields(forms.Form):
    AUTOGENERATED, CUSTOM = "autogenerated", "custom"
    password_type = forms.ChoiceField(
        label="Console password",
        choices=[(AUTOGENERATED, "Autogenerated password"), (CUSTOM, "Custom password")],
        widget=forms.RadioSelect,
        initial=AUTOGENERATED,
        required=False,
    )
    custom_password = forms.CharField(
        label="Custom password",
        required=False,
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=PasswordInput("new-password"),
        help_text="Enter a password that meets the account's password policy.",
    )
    password_reset_required = forms.BooleanField(
        label="Users must create a new password at next sign-in (recommended).",
        required=False,
        initial=True,
    )

    def clean_password_fields(self, data, enabled: bool):
        if enabled and data.get("password_type") == self.CUSTOM and not data.get("custom_password"):
            self.add_error("custom_password", "Enter a custom password.")
        return data

    def chosen_password(self) -> str | None:
        data = self.cleaned_data
        return data["custom_password"] if data.get("password_type") == self.CUSTOM else None


class CreateUserForm(ConsolePasswordFields):
    user_name = forms.CharField(
        label="User name",
        max_length=128,
        help_text="The user name can have up to 64 characters. Valid characters: A-Z, a-z, 0-9, and + = , . @ _ - (hyphen)",
    )
    console_access = forms.BooleanField(
        label="Provide user access to the AWS Management Console - optional",
        required=False,
    )
    groups = forms.MultipleChoiceField(
        label="User groups",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    field_order = [
        "user_name",
        "console_access",
        "password_type",
        "custom_password",
        "password_reset_required",
        "groups",
    ]

    def __init__(self, *args, group_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(n, n) for n in group_names]

    def clean_user_name(self):
        return aws_rule(lambda v: identifiers.validate_name("user", v))(self.cleaned_data["user_name"])

    def clean(self):
        data = super().clean()
        return self.clean_password_fields(data, data.get("console_access"))


class ManageConsoleAccessForm(ConsolePasswordFields):
    ENABLE, DISABLE = "enable", "disable"
    console_access = forms.ChoiceField(
        label="Console access",
        choices=[(ENABLE, "Enable"), (DISABLE, "Disable")],
        widget=forms.RadioSelect,
        initial=ENABLE,
    )
    reset_password = forms.BooleanField(
        label="Reset password",
        required=False,
        help_text="Set a new console password for the user.",
    )
    field_order = [
        "console_access",
        "reset_password",
        "password_type",
        "custom_password",
        "password_reset_required",
    ]

    def __init__(self, *args, has_login_profile=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_login_profile = has_login_profile
        self.fields["password_reset_required"].label = "User must create a new password at next sign-in"
        if not has_login_profile:
            del self.fields["reset_password"]

    def clean(self):
        data = super().clean()
        enabling = data.get("console_access") == self.ENABLE
        wants_password = enabling and (not self.has_login_profile or data.get("reset_password"))
        return self.clean_password_fields(data, wants_password)


class ChooseGroupsForm(forms.Form):
    groups = forms.MultipleChoiceField(label="User groups", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, group_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(n, n) for n in group_names]


class ChooseUsersForm(forms.Form):
    users = forms.MultipleChoiceField(label="Users", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user_names=(), required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = [(n, n) for n in user_names]
        self.fields["users"].required = required


class CreateGroupForm(ChooseUsersForm):
    group_name = forms.CharField(
        label="User group name",
        max_length=200,
        help_text="Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters.",
    )
    field_order = ["group_name", "users"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required=False, **kwargs)
        self.fields["users"].label = "Add users to the group - optional"

    def clean_group_name(self):
        return aws_rule(lambda v: identifiers.validate_name("group", v))(self.cleaned_data["group_name"])


class ConfirmDeleteForm(forms.Form):
    """AWS's "To confirm deletion, enter the name in the text input field"."""

    confirmation = forms.CharField(label="", max_length=256)

    def __init__(self, *args, expected: str, noun: str = "user name", **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["confirmation"].widget.attrs.update(
            {"data-confirm-text": expected, "placeholder": expected, "autocomplete": "off"}
        )
        self.fields[
            "confirmation"
        ].help_text = f"To confirm deletion, enter the {noun} in the text input field."

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"]
        if value != self.expected:
            raise FormError(f"Enter {self.expected} to confirm.", code="confirmation")
        return value


class ConfirmWordForm(forms.Form):
    """Confirm a bulk deletion by typing "delete", as the console asks."""

    confirmation = forms.CharField(label="", max_length=32)

    def clean_confirmation(self):
        if self.cleaned_data["confirmation"].strip().lower() != "delete":
            raise FormError("Enter delete to confirm.", code="confirmation")
        return "delete"


# --- account settings -------------------------------------------------------------------


class AccountAliasForm(forms.Form):
    alias = forms.CharField(
        label="Preferred alias",
        max_length=100,
        help_text="3–63 characters: lowercase letters, digits and hyphens; not all digits.",
    )

    def clean_alias(self):
        return aws_rule(identifiers.validate_account_alias)(self.cleaned_data["alias"].strip())


class PasswordPolicyForm(forms.Form):
    DEFAULT, CUSTOM = "default", "custom"
    mode = forms.ChoiceField(
        label="Password policy",
        choices=[(DEFAULT, "IAM default"), (CUSTOM, "Custom")],
        widget=forms.RadioSelect,
        initial=DEFAULT,
    )
    minimum_password_length = forms.IntegerField(
        label="Password minimum length",
        min_value=6,
        max_value=128,
        initial=8,
        help_text="Enforce a minimum length of characters. Needs to be between 6 and 128.",
    )
    require_uppercase_characters = forms.BooleanField(
        label="Require at least one uppercase letter from the Latin alphabet (A-Z)", required=False
    )
    require_lowercase_characters = forms.BooleanField(
        label="Require at least one lowercase letter from the Latin alphabet (a-z)", required=False
    )
    require_numbers = forms.BooleanField(label="Require at least one number", required=False)
    require_symbols = forms.BooleanField(
        label="Require at least one non-alphanumeric character ( ! @ # $ % ^ & * ( ) _ + - = [ ] { } | ' )",
        required=False,
    )
    expire_passwords = forms.BooleanField(label="Turn on password expiration", required=False)
    max_password_age = forms.IntegerField(
        label="Expire passwords in day(s)",
        min_value=1,
        max_value=1095,
        required=False,
        help_text="Needs to be between 1 and 1095 days.",
    )
    hard_expiry = forms.BooleanField(label="Password expiration requires administrator reset", required=False)
    allow_users_to_change_password = forms.BooleanField(
        label="Allow users to change their own password", required=False
    )
    prevent_reuse = forms.BooleanField(label="Prevent password reuse", required=False)
    password_reuse_prevention = forms.IntegerField(
        label="Remember password(s)",
        min_value=1,
        max_value=24,
        required=False,
        help_text="Needs to be between 1 and 24 passwords.",
    )

    def clean(self):
        data = super().clean()
        if data.get("mode") != self.CUSTOM:
            return data
        if data.get("expire_passwords") and not data.get("max_password_age"):
            self.add_error("max_password_age", "Enter the number of days after which passwords expire.")
        if data.get("prevent_reuse") and not data.get("password_reuse_prevention"):
            self.add_error("password_reuse_prevention", "Enter how many passwords to remember.")
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


# --- MFA and access keys ---------------------------------------------------------------------


class AssignMFADeviceForm(forms.Form):
    device_name = forms.CharField(
        label="Device name",
        max_length=128,
        help_text="Enter a meaningful name to identify this device. Maximum 128 characters. "
        "Use alphanumeric and '+ = , . @ - _' characters.",
    )
    device_type = forms.ChoiceField(
        label="MFA device",
        choices=[
            (
                "authenticator_app",
                "Authenticator app — Authenticate using a code generated by an app installed on your mobile device or computer.",
            )
        ],
        widget=forms.RadioSelect,
        initial="authenticator_app",
    )

    def clean_device_name(self):
        from .services.mfa import validate_device_name

        return aws_rule(validate_device_name)(self.cleaned_data["device_name"].strip())


class TwoCodesForm(forms.Form):
    code1 = forms.CharField(
        label="MFA code 1",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    code2 = forms.CharField(
        label="MFA code 2",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Wait 30 seconds, and enter the second code.",
    )

    def _code(self, name):
        value = self.cleaned_data[name].strip()
        if not (len(value) == 6 and value.isdigit()):
            raise FormError("The code must be 6 digits.", code="InvalidAuthenticationCode")
        return value

    def clean_code1(self):
        return self._code("code1")

    def clean_code2(self):
        return self._code("code2")


class CreateAccessKeyForm(forms.Form):
    USE_CASES = [
        (
            "cli",
            "Command Line Interface (CLI) — You plan to use this access key to enable the AWS CLI to access your AWS account.",
        ),
        (
            "local_code",
            "Local code — You plan to use this access key to enable application code in a local development environment to access your AWS account.",
        ),
        (
            "aws_compute",
            "Application running on an AWS compute service — You plan to use this access key to enable application code running on an AWS compute service like Amazon EC2 to access your AWS account.",
        ),
        (
            "third_party",
            "Third-party service — You plan to use this access key to enable access for a third-party application or service that monitors or manages your AWS resources.",
        ),
        (
            "outside_aws",
            "Application running outside AWS — You plan to use this access key to authenticate workloads running in your data center or other infrastructure outside of AWS that needs to access your AWS resources.",
        ),
        ("other", "Other — Your use case is not listed here."),
    ]
    use_case = forms.ChoiceField(label="Use case", choices=USE_CASES, widget=forms.RadioSelect)
    confirm = forms.BooleanField(
        label="I understand the above recommendation and want to proceed to create an access key.",
        required=True,
    )
    description = forms.CharField(
        label="Description tag value - optional",
        required=False,
        max_length=256,
        help_text="Describe the purpose of this access key and where it will be used. Maximum 256 characters.",
    )

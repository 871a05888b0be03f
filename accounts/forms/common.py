"""What every console form shares: AWS's rules turned into form errors, password inputs,
and the type-the-name confirmation of Delete pages."""

from django import forms
from django.core.exceptions import ValidationError as FormError

from ..errors import IAMError


def aws_rule(check):
    """Run an identifiers/passwords/services check, turning its IAMError into a form error."""

    def clean(value):
        try:
            return check(value)
        except IAMError as exc:
            raise FormError(exc.message, code=exc.code) from None

    return clean


class PasswordInput(forms.PasswordInput):
    def __init__(self, autocomplete="current-password"):
        super().__init__(attrs={"autocomplete": autocomplete})


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

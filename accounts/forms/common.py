"""What every console form shares: AWS's rules turned into form errors, password inputs,
and the type-the-name confirmation of Delete pages."""

from django import forms
from django.core.exceptions import ValidationError as FormError
from django.utils.translation import gettext_lazy as _

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

    def __init__(self, *args, expected: str, noun: str = _("user name"), **kwargs):
        """``noun``: what to type, in the page's language ("user name", "role name" …)."""
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["confirmation"].widget.attrs.update(
            {"data-confirm-text": expected, "placeholder": expected, "autocomplete": "off"}
        )
        self.fields["confirmation"].help_text = _(
            "To confirm deletion, enter the %(noun)s in the text input field."
        ) % {"noun": noun}

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"]
        if value != self.expected:
            raise FormError(_("Enter %(name)s to confirm.") % {"name": self.expected}, code="confirmation")
        return value


class ConfirmWordForm(forms.Form):
    """Confirm a bulk deletion by typing "delete", as the console asks."""

    confirmation = forms.CharField(label="", max_length=32)

    def clean_confirmation(self):
        if self.cleaned_data["confirmation"].strip().lower() != "delete":
            raise FormError(_("Enter delete to confirm."), code="confirmation")
        return "delete"

"""Fields of the console's pickers: the names (or ARNs) chosen in a server-side table.

A picker shows one page of users, groups, roles or policies at a time and searches on the
server, so its choices are not known to the form: the field checks each chosen value's shape
(AWS's name rules, or an ARN) and how many there are; the service then answers NoSuchEntity
for a value that names nothing, and the whole action is refused."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import identifiers


class ChosenField(forms.Field):
    """A list of chosen values (repeated form parameter), without duplicates, in order."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Choose at least one."),
        "too_many": _("Choose at most %(limit)s."),
        "invalid": _("%(value)s is not a valid choice."),
    }

    def __init__(self, *, kind: str, limit: int = 100, **kwargs):
        self.kind = kind  # "user", "group", "role" (names) or "policy_arn"
        self.limit = limit
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))

    def validate(self, value) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.limit:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": self.limit}
            )
        for item in value:
            ok = (
                identifiers.could_be_arn(item)
                if self.kind == "policy_arn"
                else identifiers.could_name(self.kind, item)
            )
            if not ok:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": item[:200]}
                )


class TagRows(forms.Widget):
    """Key and value inputs, one row per tag (``<name>_key`` and ``<name>_value`` repeated)."""

    def value_from_datadict(self, data, files, name):
        keys, values = data.getlist(f"{name}_key"), data.getlist(f"{name}_value")
        values = (values + [""] * len(keys))[: len(keys)]
        return [{"Key": k, "Value": v} for k, v in zip(keys, values, strict=True)]

    def value_omitted_from_data(self, data, files, name):
        return f"{name}_key" not in data


class TagsField(forms.Field):
    """The console's "Tags - optional": up to 50 key/value rows; a row left blank is ignored;
    AWS's tag rules (and messages) decide the rest."""

    widget = TagRows
    LIMIT = 50

    def to_python(self, value) -> list[dict]:
        rows = value or []
        return [
            {"Key": str(r.get("Key", "")).strip(), "Value": str(r.get("Value", "")).strip()}
            for r in rows
            if str(r.get("Key", "")).strip() or str(r.get("Value", "")).strip()
        ]

    def validate(self, value) -> None:
        from ..errors import IAMError
        from ..services.tags import validate_tags

        if len(value) > self.LIMIT:
            raise forms.ValidationError(
                _("You can add up to %(limit)s tags.") % {"limit": self.LIMIT}, code="LimitExceeded"
            )
        for row in value:
            if not row["Key"]:
                raise forms.ValidationError(_("Enter a key for every tag."), code="required")
        try:
            validate_tags(value)
        except IAMError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None

"""*Manage tags* of a user, a role or a customer managed policy: the key/value rows of the
Create user wizard's "Tags - optional" (``fields.TagsField``: up to 50 rows, AWS's tag rules
and messages), prefilled with the resource's tags."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import TagsField


class ManageTagsForm(forms.Form):
    tags = TagsField(label=_("Tags"), required=False)

    def __init__(self, *args, current=(), **kwargs):
        """``current``: the resource's tags (``shapes.Tag``), the rows the page starts from."""
        initial = {"tags": [{"Key": t.key, "Value": t.value} for t in current]}
        super().__init__(*args, initial=initial, **kwargs)

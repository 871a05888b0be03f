"""User groups: Create user group, Add users to a group."""

from django import forms

from .. import identifiers
from .common import aws_rule


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

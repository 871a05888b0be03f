"""User groups: Create user group, Add users to a group."""

from django import forms

from .. import identifiers
from .common import aws_rule
from .fields import ChosenField


class ChooseUsersForm(forms.Form):
    users = ChosenField(kind="user", label="Users", error_messages={"required": "Choose at least one user."})


class CreateGroupForm(forms.Form):
    """Create user group: the name, the users to add and the policies to attach (both optional)."""

    group_name = forms.CharField(
        label="User group name",
        max_length=200,
        help_text="Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters.",
    )
    users = ChosenField(kind="user", label="Add users to the group - optional", required=False)
    policy_arns = ChosenField(
        kind="policy_arn", label="Attach permissions policies - optional", required=False, limit=20
    )

    def clean_group_name(self):
        return aws_rule(lambda v: identifiers.validate_name("group", v))(self.cleaned_data["group_name"])

"""User groups: Create user group, Add users to a group."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import identifiers
from .common import aws_rule
from .fields import ChosenField


class ChooseUsersForm(forms.Form):
    users = ChosenField(
        kind="user", label=_("Users"), error_messages={"required": _("Choose at least one user.")}
    )


class CreateGroupForm(forms.Form):
    """Create user group: the name, the users to add and the policies to attach (both optional)."""

    group_name = forms.CharField(
        label=_("User group name"),
        max_length=200,
        help_text=_("Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters."),
    )
    users = ChosenField(kind="user", label=_("Add users to the group - optional"), required=False)
    policy_arns = ChosenField(
        kind="policy_arn", label=_("Attach permissions policies - optional"), required=False, limit=20
    )

    def clean_group_name(self):
        return aws_rule(lambda v: identifiers.validate_name("group", v))(self.cleaned_data["group_name"])

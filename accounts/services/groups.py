"""IAM user groups and their memberships."""

from django.db.models import Count

from ..authz import authorize
from ..errors import DeleteConflict, EntityAlreadyExists, LimitExceeded
from ..identifiers import new_unique_id, validate_name, validate_path
from ..models import Group, GroupMembership
from . import policies as policy_services
from .base import add_detail, atomic_action, bump_authz_generation, iam_action
from .lookups import find_group, find_user, group_arn

GROUPS_PER_USER = 10


@iam_action("iam:CreateGroup")
def create_group(actor, *, name: str, path: str = "/") -> Group:
    """Create the group ``name``; raises ValidationError, EntityAlreadyExists, AccessDenied."""
    validate_name("group", name)
    validate_path(path)
    authorize(actor, "iam:CreateGroup", group_arn(actor, name, path))
    if Group.objects.filter(account_id=actor.account_id, name__iexact=name).exists():
        raise EntityAlreadyExists(f"Group with name {name} already exists.")
    return Group.objects.create(account=actor.account, name=name, path=path, unique_id=new_unique_id("group"))


@iam_action("iam:GetGroup")
def get_group(actor, *, group_name: str) -> Group:
    group = find_group(actor, group_name)
    authorize(actor, "iam:GetGroup", group.arn)
    return group


def list_groups(actor):
    """The account's groups with their member counts; one query whatever their number."""
    authorize(actor, "iam:ListGroups", group_arn(actor, ""))
    return (
        Group.objects.filter(account_id=actor.account_id)
        .select_related("account")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )


def list_group_members(actor, group: Group):
    authorize(actor, "iam:GetGroup", group.arn)
    return list(group.members.select_related("account").order_by("name"))


@iam_action("iam:AddUserToGroup")
def add_user_to_group(actor, *, group_name: str, user_name: str) -> None:
    """Add a user to a group; at most 10 groups per user (LimitExceeded)."""
    group = find_group(actor, group_name)
    authorize(actor, "iam:AddUserToGroup", group.arn)
    # Lock the user so that two concurrent additions cannot both pass the limit.
    user = find_user(actor, user_name, for_update=True)
    add_detail(user_name=user.name)
    if GroupMembership.objects.filter(group=group, user=user).exists():
        return  # AWS treats adding an existing member as a success.
    if GroupMembership.objects.filter(user=user).count() >= GROUPS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}")
    GroupMembership.objects.create(group=group, user=user)
    bump_authz_generation(actor)


@iam_action("iam:RemoveUserFromGroup")
def remove_user_from_group(actor, *, group_name: str, user_name: str) -> None:
    group = find_group(actor, group_name)
    authorize(actor, "iam:RemoveUserFromGroup", group.arn)
    user = find_user(actor, user_name)
    add_detail(user_name=user.name)
    GroupMembership.objects.filter(group=group, user=user).delete()
    bump_authz_generation(actor)


@iam_action("iam:DeleteGroup")
def delete_group(actor, *, group_name: str) -> None:
    """Delete an empty group (the API's rule: DeleteConflict while it has members)."""
    group = find_group(actor, group_name, for_update=True)
    authorize(actor, "iam:DeleteGroup", group.arn)
    if group.members.exists():
        raise DeleteConflict("Cannot delete entity, must remove users from group first.")
    if group.attached_policies.exists() or group.inline_policies.exists():
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    group.delete()
    bump_authz_generation(actor)


def console_delete_group(actor, *, group_name: str) -> None:
    """Delete a group after removing its members, as the console does; all or nothing."""
    with atomic_action():
        group = find_group(actor, group_name)
        authorize(actor, "iam:DeleteGroup", group.arn)
        for user in list(group.members.all()):
            remove_user_from_group(actor, group_name=group.name, user_name=user.name)
        for policy in list(group.attached_policies.all()):
            policy_services.detach_group_policy(actor, group_name=group.name, policy_arn=policy.arn)
        for inline in list(group.inline_policies.all()):
            policy_services.delete_group_policy(actor, group_name=group.name, policy_name=inline.name)
        delete_group(actor, group_name=group.name)


def console_create_group(actor, *, name: str, user_names=()) -> Group:
    """Create a group and add the chosen users, as the console's Create user group page does."""
    with atomic_action():
        group = create_group(actor, name=name)
        for user_name in user_names:
            add_user_to_group(actor, group_name=group.name, user_name=user_name)
    return group


def console_add_users_to_group(actor, *, group_name: str, user_names) -> None:
    with atomic_action():
        for user_name in user_names:
            add_user_to_group(actor, group_name=group_name, user_name=user_name)


def console_remove_users_from_group(actor, *, group_name: str, user_names) -> None:
    with atomic_action():
        for user_name in user_names:
            remove_user_from_group(actor, group_name=group_name, user_name=user_name)


def console_add_user_to_groups(actor, *, user_name: str, group_names) -> None:
    with atomic_action():
        for group_name in group_names:
            add_user_to_group(actor, group_name=group_name, user_name=user_name)

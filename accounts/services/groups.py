"""IAM user groups and their memberships."""

from django.db.models import Count, Prefetch
from django.db.models.functions import Lower

from .. import shapes
from ..audit import add_detail, atomic_action
from ..authz import authorize
from ..errors import DeleteConflict, EntityAlreadyExists, LimitExceeded
from ..identifiers import new_unique_id, validate_name, validate_path
from ..models import Group, GroupMembership, Identity, ManagedPolicy
from . import convert
from . import permissions as permission_services
from .base import bump_authz_generation, iam_action, iam_read
from .lookups import find_group, find_user, group_arn
from .paging import paginate
from .tables import TablePage, table_page

GROUPS_PER_USER = 10


@iam_action("iam:CreateGroup")
def create_group(actor, *, group_name: str, path: str = "/") -> shapes.Group:
    """Create the group ``group_name``; raises ValidationError, EntityAlreadyExists, AccessDenied."""
    validate_name("group", group_name)
    validate_path(path)
    authorize(actor, "iam:CreateGroup", group_arn(actor, group_name, path))
    if Group.objects.filter(account_id=actor.account_id, name__iexact=group_name).exists():
        raise EntityAlreadyExists(f"Group with name {group_name} already exists.")
    group = Group.objects.create(
        account_id=actor.account_id, name=group_name, path=path, unique_id=new_unique_id("group")
    )
    return convert.group(group)


@iam_read("iam:GetGroup")
def get_group(
    actor, *, group_name: str, marker: str | None = None, max_items: int | None = None
) -> tuple[shapes.Group, shapes.Page]:
    """AWS's GetGroup: the group and a page of its members (Users)."""
    group = find_group(actor, group_name)
    authorize(actor, "iam:GetGroup", group.arn)
    members = Identity.objects.filter(iam_groups=group).select_related("permissions_boundary")
    page = paginate(
        members.annotate(sort_key=Lower("name")),
        key="sort_key",
        marker=marker,
        max_items=max_items,
        convert=convert.user,
    )
    return convert.group(group), page


@iam_read("iam:ListGroups")
def list_groups(actor, *, path_prefix: str = "/", marker: str | None = None, max_items: int | None = None):
    """A page of the account's groups with their member counts (one query a page)."""
    authorize(actor, "iam:ListGroups", group_arn(actor, ""))
    qs = Group.objects.filter(account_id=actor.account_id, path__startswith=path_prefix or "/").annotate(
        sort_key=Lower("name"), member_count=Count("members")
    )
    return paginate(qs, key="sort_key", marker=marker, max_items=max_items, convert=convert.group)


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


@iam_action("iam:UpdateGroup")
def update_group(
    actor, *, group_name: str, new_group_name: str | None = None, new_path: str | None = None
) -> None:
    """Rename a group and/or move it to another path (AWS's UpdateGroup)."""
    group = find_group(actor, group_name, for_update=True)
    authorize(actor, "iam:UpdateGroup", group.arn)
    if new_group_name is not None:
        validate_name("group", new_group_name)
        taken = Group.objects.filter(account_id=actor.account_id, name__iexact=new_group_name)
        if taken.exclude(pk=group.pk).exists():
            raise EntityAlreadyExists(f"Group with name {new_group_name} already exists.")
        group.name = new_group_name
    if new_path is not None:
        group.path = validate_path(new_path)
    add_detail(new_group_name=new_group_name, new_path=new_path)
    group.save(update_fields=["name", "path"])
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
        name = group.name
        for user_name in list(group.members.values_list("name", flat=True)):
            remove_user_from_group(actor, group_name=name, user_name=user_name)
        for arn in list(group.attached_policies.values_list("arn", flat=True)):
            permission_services.detach_group_policy(actor, group_name=name, policy_arn=arn)
        for policy_name in list(group.inline_policies.values_list("name", flat=True)):
            permission_services.delete_group_policy(actor, group_name=name, policy_name=policy_name)
        delete_group(actor, group_name=name)


def console_create_group(actor, *, group_name: str, user_names=(), policy_arns=()) -> shapes.Group:
    """Create a group, add the chosen users and attach the chosen policies, as the console's
    Create user group page does; all or nothing."""
    with atomic_action():
        group = create_group(actor, group_name=group_name)
        for user_name in user_names:
            add_user_to_group(actor, group_name=group.group_name, user_name=user_name)
        for arn in policy_arns:
            permission_services.attach_group_policy(actor, group_name=group.group_name, policy_arn=arn)
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


GROUP_SORTS = {
    "group_name": ("sort_key",),
    "users": ("member_count",),
    "path": ("path", "sort_key"),
    "created": ("created_at",),
}


@iam_read("iam:ListGroups")
def search_groups(
    actor,
    *,
    query: str = "",
    sort: str = "group_name",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> TablePage:
    """The console's User groups table (and its group pickers): a page of the account's groups."""
    authorize(actor, "iam:ListGroups", group_arn(actor, ""))
    qs = Group.objects.filter(account_id=actor.account_id).annotate(sort_key=Lower("name"))

    def prepare(page_qs):
        page_qs = page_qs.annotate(member_count=Count("members"))
        return page_qs.prefetch_related(Prefetch("attached_policies", ManagedPolicy.objects.only("name")))

    return table_page(
        qs,
        query=query,
        search_fields=("name",),
        sorts=GROUP_SORTS,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
        prepare=prepare,
        sort_annotations={"users": {"member_count": Count("members")}},
        convert=convert.group,
    )


def console_delete_groups(actor, *, group_names) -> None:
    """The User groups table's Delete of several groups; all or nothing."""
    with atomic_action():
        for name in group_names:
            console_delete_group(actor, group_name=name)

"""Where policies are used: managed policies attached to users, groups and roles, inline
policies, permissions boundaries, and the Permissions tab that lists all that applies.

One service function per IAM action and kind (``attach_user_policy``, ``put_role_policy``…),
each a thin step over the shared private ones; ``OWNER_ACTIONS`` names them per kind for the
console's one Permissions panel, so that no caller dispatches by building names.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.utils import timezone

from .. import policy as engine
from .. import shapes
from ..audit import add_detail, atomic_action
from ..authz import authorize, is_allowed
from ..errors import LimitExceeded, NoSuchEntity
from ..identifiers import could_be_arn, could_name, validate_name
from ..models import Group, InlinePolicy, ManagedPolicy
from .base import bump_authz_generation, iam_action, iam_read
from .lookups import find_group, find_policy, find_role, find_user
from .paging import paginate
from .policies import validate_document

POLICIES_PER_USER = 10
POLICIES_PER_GROUP = 10
POLICIES_PER_ROLE = 10
CHANGE_PASSWORD_POLICY = "arn:aws:iam::aws:policy/IAMUserChangePassword"


def _check_inline_total(owner_kind: str, owner_name: str, documents) -> None:
    limit = engine.INLINE_POLICY_TOTAL_MAX[owner_kind]
    if sum(engine.policy_size(d) for d in documents) > limit:
        raise LimitExceeded(engine.size_error(owner_kind, limit, owner_name))


# --- attachments --------------------------------------------------------------------------


def _attach(actor, owner, policy_arn: str, quota: str, limit: int) -> None:
    """Attach a managed policy to a user, group or role (the caller has authorized it)."""
    policy = find_policy(actor, policy_arn)
    add_detail(policy_arn=policy.arn)
    if owner.attached_policies.filter(pk=policy.pk).exists():
        return
    if owner.attached_policies.count() >= limit:
        raise LimitExceeded(f"Cannot exceed quota for {quota}: {limit}")
    owner.attached_policies.add(policy)
    bump_authz_generation(actor)


def _detach(actor, owner, policy_arn: str) -> None:
    policy = owner.attached_policies.filter(arn=policy_arn).first() if could_be_arn(policy_arn) else None
    if policy is None:
        raise NoSuchEntity(f"Policy {policy_arn} was not found.")
    add_detail(policy_arn=policy.arn)
    owner.attached_policies.remove(policy)
    bump_authz_generation(actor)


def _attached_page(owner, marker, max_items, path_prefix: str = "/") -> shapes.Page:
    qs = owner.attached_policies.filter(path__startswith=path_prefix or "/").annotate(sort_key=Lower("arn"))
    return paginate(
        qs,
        key="sort_key",
        marker=marker,
        max_items=max_items,
        convert=lambda p: shapes.AttachedPolicy(p.name, p.arn),
    )


@iam_action("iam:AttachUserPolicy")
def attach_user_policy(actor, *, user_name: str, policy_arn: str) -> None:
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:AttachUserPolicy", user.arn)
    _attach(actor, user, policy_arn, "PoliciesPerUser", POLICIES_PER_USER)


@iam_action("iam:DetachUserPolicy")
def detach_user_policy(actor, *, user_name: str, policy_arn: str) -> None:
    user = find_user(actor, user_name)
    authorize(actor, "iam:DetachUserPolicy", user.arn)
    _detach(actor, user, policy_arn)


@iam_read("iam:ListAttachedUserPolicies")
def list_attached_user_policies(actor, *, user_name: str, path_prefix="/", marker=None, max_items=None):
    user = find_user(actor, user_name)
    authorize(actor, "iam:ListAttachedUserPolicies", user.arn)
    return _attached_page(user, marker, max_items, path_prefix)


@iam_action("iam:AttachGroupPolicy")
def attach_group_policy(actor, *, group_name: str, policy_arn: str) -> None:
    group = find_group(actor, group_name, for_update=True)
    authorize(actor, "iam:AttachGroupPolicy", group.arn)
    _attach(actor, group, policy_arn, "PoliciesPerGroup", POLICIES_PER_GROUP)


@iam_action("iam:DetachGroupPolicy")
def detach_group_policy(actor, *, group_name: str, policy_arn: str) -> None:
    group = find_group(actor, group_name)
    authorize(actor, "iam:DetachGroupPolicy", group.arn)
    _detach(actor, group, policy_arn)


@iam_read("iam:ListAttachedGroupPolicies")
def list_attached_group_policies(actor, *, group_name: str, path_prefix="/", marker=None, max_items=None):
    group = find_group(actor, group_name)
    authorize(actor, "iam:ListAttachedGroupPolicies", group.arn)
    return _attached_page(group, marker, max_items, path_prefix)


@iam_action("iam:AttachRolePolicy")
def attach_role_policy(actor, *, role_name: str, policy_arn: str) -> None:
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:AttachRolePolicy", role.arn)
    _attach(actor, role, policy_arn, "PoliciesPerRole", POLICIES_PER_ROLE)


@iam_action("iam:DetachRolePolicy")
def detach_role_policy(actor, *, role_name: str, policy_arn: str) -> None:
    role = find_role(actor, role_name)
    authorize(actor, "iam:DetachRolePolicy", role.arn)
    _detach(actor, role, policy_arn)


@iam_read("iam:ListAttachedRolePolicies")
def list_attached_role_policies(actor, *, role_name: str, path_prefix="/", marker=None, max_items=None):
    role = find_role(actor, role_name)
    authorize(actor, "iam:ListAttachedRolePolicies", role.arn)
    return _attached_page(role, marker, max_items, path_prefix)


# --- inline policies ------------------------------------------------------------------------


def _put_inline(actor, owner, owner_kind: str, policy_name: str, document: str) -> None:
    validate_name("policy", policy_name)
    validate_document(document)
    others = owner.inline_policies.exclude(name=policy_name).values_list("document", flat=True)
    _check_inline_total(owner_kind, owner.name, [*others, document])
    add_detail(policy_name=policy_name)
    InlinePolicy.objects.update_or_create(
        **{owner_kind: owner},
        name=policy_name,
        defaults={"document": document, "updated_at": timezone.now()},
    )
    bump_authz_generation(actor)


def _delete_inline(actor, owner, owner_kind: str, policy_name: str) -> None:
    deleted = 0
    if could_name("policy", policy_name):
        deleted, _ = owner.inline_policies.filter(name=policy_name).delete()
    if not deleted:
        raise NoSuchEntity(f"The {owner_kind} policy with name {policy_name} cannot be found.")
    add_detail(policy_name=policy_name)
    bump_authz_generation(actor)


def _get_inline(owner, owner_kind: str, policy_name: str) -> shapes.InlinePolicy:
    inline = (
        owner.inline_policies.filter(name=policy_name).first() if could_name("policy", policy_name) else None
    )
    if inline is None:
        raise NoSuchEntity(f"The {owner_kind} policy with name {policy_name} cannot be found.")
    return shapes.InlinePolicy(owner_kind, owner.name, inline.name, inline.document)


def _inline_names(owner, marker, max_items) -> shapes.Page:
    qs = owner.inline_policies.annotate(sort_key=Lower("name"))
    page = paginate(qs, key="sort_key", marker=marker, max_items=max_items)
    return shapes.Page([p.name for p in page.items], page.is_truncated, page.marker)


@iam_action("iam:PutUserPolicy")
def put_user_policy(actor, *, user_name: str, policy_name: str, policy_document: str) -> None:
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:PutUserPolicy", user.arn)
    _put_inline(actor, user, "user", policy_name, policy_document)


@iam_action("iam:DeleteUserPolicy")
def delete_user_policy(actor, *, user_name: str, policy_name: str) -> None:
    user = find_user(actor, user_name)
    authorize(actor, "iam:DeleteUserPolicy", user.arn)
    _delete_inline(actor, user, "user", policy_name)


@iam_read("iam:GetUserPolicy")
def get_user_policy(actor, *, user_name: str, policy_name: str) -> shapes.InlinePolicy:
    user = find_user(actor, user_name)
    authorize(actor, "iam:GetUserPolicy", user.arn)
    return _get_inline(user, "user", policy_name)


@iam_read("iam:ListUserPolicies")
def list_user_policies(actor, *, user_name: str, marker=None, max_items=None) -> shapes.Page:
    user = find_user(actor, user_name)
    authorize(actor, "iam:ListUserPolicies", user.arn)
    return _inline_names(user, marker, max_items)


@iam_action("iam:PutGroupPolicy")
def put_group_policy(actor, *, group_name: str, policy_name: str, policy_document: str) -> None:
    group = find_group(actor, group_name, for_update=True)
    authorize(actor, "iam:PutGroupPolicy", group.arn)
    _put_inline(actor, group, "group", policy_name, policy_document)


@iam_action("iam:DeleteGroupPolicy")
def delete_group_policy(actor, *, group_name: str, policy_name: str) -> None:
    group = find_group(actor, group_name)
    authorize(actor, "iam:DeleteGroupPolicy", group.arn)
    _delete_inline(actor, group, "group", policy_name)


@iam_read("iam:GetGroupPolicy")
def get_group_policy(actor, *, group_name: str, policy_name: str) -> shapes.InlinePolicy:
    group = find_group(actor, group_name)
    authorize(actor, "iam:GetGroupPolicy", group.arn)
    return _get_inline(group, "group", policy_name)


@iam_read("iam:ListGroupPolicies")
def list_group_policies(actor, *, group_name: str, marker=None, max_items=None) -> shapes.Page:
    group = find_group(actor, group_name)
    authorize(actor, "iam:ListGroupPolicies", group.arn)
    return _inline_names(group, marker, max_items)


@iam_action("iam:PutRolePolicy")
def put_role_policy(actor, *, role_name: str, policy_name: str, policy_document: str) -> None:
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:PutRolePolicy", role.arn)
    _put_inline(actor, role, "role", policy_name, policy_document)


@iam_action("iam:DeleteRolePolicy")
def delete_role_policy(actor, *, role_name: str, policy_name: str) -> None:
    role = find_role(actor, role_name)
    authorize(actor, "iam:DeleteRolePolicy", role.arn)
    _delete_inline(actor, role, "role", policy_name)


@iam_read("iam:GetRolePolicy")
def get_role_policy(actor, *, role_name: str, policy_name: str) -> shapes.InlinePolicy:
    role = find_role(actor, role_name)
    authorize(actor, "iam:GetRolePolicy", role.arn)
    return _get_inline(role, "role", policy_name)


@iam_read("iam:ListRolePolicies")
def list_role_policies(actor, *, role_name: str, marker=None, max_items=None) -> shapes.Page:
    role = find_role(actor, role_name)
    authorize(actor, "iam:ListRolePolicies", role.arn)
    return _inline_names(role, marker, max_items)


# --- permissions boundary -------------------------------------------------------------------


def _put_boundary(actor, owner, policy_arn: str) -> None:
    policy = find_policy(actor, policy_arn)
    add_detail(policy_arn=policy.arn)
    owner.permissions_boundary = policy
    owner.save(update_fields=["permissions_boundary"])
    bump_authz_generation(actor)


def _delete_boundary(actor, owner, kind: str) -> None:
    if owner.permissions_boundary_id is None:
        raise NoSuchEntity(f"The {kind} with name {owner.name} does not have a permissions boundary.")
    owner.permissions_boundary = None
    owner.save(update_fields=["permissions_boundary"])
    bump_authz_generation(actor)


@iam_action("iam:PutUserPermissionsBoundary")
def put_user_permissions_boundary(actor, *, user_name: str, permissions_boundary: str) -> None:
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:PutUserPermissionsBoundary", user.arn)
    _put_boundary(actor, user, permissions_boundary)


@iam_action("iam:DeleteUserPermissionsBoundary")
def delete_user_permissions_boundary(actor, *, user_name: str) -> None:
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:DeleteUserPermissionsBoundary", user.arn)
    _delete_boundary(actor, user, "user")


@iam_action("iam:PutRolePermissionsBoundary")
def put_role_permissions_boundary(actor, *, role_name: str, permissions_boundary: str) -> None:
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:PutRolePermissionsBoundary", role.arn)
    _put_boundary(actor, role, permissions_boundary)


@iam_action("iam:DeleteRolePermissionsBoundary")
def delete_role_permissions_boundary(actor, *, role_name: str) -> None:
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:DeleteRolePermissionsBoundary", role.arn)
    _delete_boundary(actor, role, "role")


# --- what applies (the Permissions tab) -------------------------------------------------------


def _managed_row(policy: ManagedPolicy, via: shapes.AttachedVia, group_name=None) -> shapes.PermissionRow:
    return shapes.PermissionRow(
        policy_name=policy.name,
        policy_type=shapes.managed_policy_type(policy.arn, policy.path),
        attached_via=via,
        policy_arn=policy.arn,
        group_name=group_name,
    )


def _inline_row(name: str, via: shapes.AttachedVia, group_name=None) -> shapes.PermissionRow:
    return shapes.PermissionRow(name, shapes.PolicyType.CUSTOMER_INLINE, via, group_name=group_name)


def _own_rows(owner) -> list[shapes.PermissionRow]:
    rows = [
        _managed_row(p, shapes.AttachedVia.DIRECT) for p in owner.attached_policies.order_by(Lower("name"))
    ]
    rows += [
        _inline_row(name, shapes.AttachedVia.INLINE)
        for name in owner.inline_policies.order_by("name").values_list("name", flat=True)
    ]
    return rows


def _boundary(owner) -> tuple:
    if owner.permissions_boundary_id is None:
        return None, None
    policy = owner.permissions_boundary
    return shapes.AttachedPermissionsBoundary(policy.arn), shapes.managed_policy_type(policy.arn, policy.path)


@iam_read("iam:ListAttachedUserPolicies")
def list_user_permissions(actor, *, user_name: str) -> shapes.Permissions:
    """Every policy that applies to a user and where it comes from (its own, its groups'), with
    its boundary; a fixed number of queries."""
    user = find_user(actor, user_name)
    authorize(actor, "iam:ListAttachedUserPolicies", user.arn)
    rows = _own_rows(user)
    groups = (
        Group.objects.filter(members=user)
        .prefetch_related("attached_policies", "inline_policies")
        .order_by(Lower("name"))
    )
    for group in groups:
        for policy in sorted(group.attached_policies.all(), key=lambda p: p.name.lower()):
            rows.append(_managed_row(policy, shapes.AttachedVia.GROUP, group.name))
        for inline in group.inline_policies.all():
            rows.append(_inline_row(inline.name, shapes.AttachedVia.GROUP, group.name))
    return shapes.Permissions(tuple(rows), *_boundary(user))


@iam_read("iam:ListAttachedGroupPolicies")
def list_group_permissions(actor, *, group_name: str) -> shapes.Permissions:
    group = find_group(actor, group_name)
    authorize(actor, "iam:ListAttachedGroupPolicies", group.arn)
    return shapes.Permissions(tuple(_own_rows(group)))


@iam_read("iam:ListAttachedRolePolicies")
def list_role_permissions(actor, *, role_name: str) -> shapes.Permissions:
    """The role's attached managed policies and inline policies, and its boundary."""
    role = find_role(actor, role_name)
    authorize(actor, "iam:ListAttachedRolePolicies", role.arn)
    authorize(actor, "iam:ListRolePolicies", role.arn)
    return shapes.Permissions(tuple(_own_rows(role)), *_boundary(role))


def attach_change_password_if_needed(actor, *, user_name: str) -> None:
    """AWS's rule: a must-reset user in an account that does not let users change their own
    password gets IAMUserChangePassword attached, so that it can set a new one."""
    user = find_user(actor, user_name)
    if user.account.password_rules().allow_users_to_change_password:
        return
    if (
        is_allowed(actor, "iam:AttachUserPolicy", user.arn)
        and ManagedPolicy.objects.filter(arn=CHANGE_PASSWORD_POLICY).exists()
    ):
        attach_user_policy(actor, user_name=user.name, policy_arn=CHANGE_PASSWORD_POLICY)


@dataclass(frozen=True)
class OwnerActions:
    """The IAM actions of one kind of policy owner, for the console's one Permissions panel.
    Each takes ``<kind>_name=`` as AWS's parameter."""

    permissions: Callable
    attach: Callable
    detach: Callable
    put_inline: Callable
    get_inline: Callable
    delete_inline: Callable
    put_boundary: Callable | None = None
    delete_boundary: Callable | None = None


OWNER_ACTIONS = {
    "user": OwnerActions(
        permissions=list_user_permissions,
        attach=attach_user_policy,
        detach=detach_user_policy,
        put_inline=put_user_policy,
        get_inline=get_user_policy,
        delete_inline=delete_user_policy,
        put_boundary=put_user_permissions_boundary,
        delete_boundary=delete_user_permissions_boundary,
    ),
    "group": OwnerActions(
        permissions=list_group_permissions,
        attach=attach_group_policy,
        detach=detach_group_policy,
        put_inline=put_group_policy,
        get_inline=get_group_policy,
        delete_inline=delete_group_policy,
    ),
    "role": OwnerActions(
        permissions=list_role_permissions,
        attach=attach_role_policy,
        detach=detach_role_policy,
        put_inline=put_role_policy,
        get_inline=get_role_policy,
        delete_inline=delete_role_policy,
        put_boundary=put_role_permissions_boundary,
        delete_boundary=delete_role_permissions_boundary,
    ),
}


def console_attach_policy_to_entities(
    actor, *, policy_arn: str, user_names=(), group_names=(), role_names=()
):
    """The policy page's Entities attached → Attach: all or nothing."""
    with atomic_action():
        for name in user_names:
            attach_user_policy(actor, user_name=name, policy_arn=policy_arn)
        for name in group_names:
            attach_group_policy(actor, group_name=name, policy_arn=policy_arn)
        for name in role_names:
            attach_role_policy(actor, role_name=name, policy_arn=policy_arn)


def console_detach_policy_from_entities(
    actor, *, policy_arn: str, user_names=(), group_names=(), role_names=()
):
    """The policy page's Entities attached → Detach: all or nothing."""
    with atomic_action():
        for name in user_names:
            detach_user_policy(actor, user_name=name, policy_arn=policy_arn)
        for name in group_names:
            detach_group_policy(actor, group_name=name, policy_arn=policy_arn)
        for name in role_names:
            detach_role_policy(actor, role_name=name, policy_arn=policy_arn)


def console_attach_policies(actor, *, kind: str, owner_name: str, policy_arns) -> None:
    """A Permissions tab's Attach policies directly: every chosen policy or none (an 11th
    policy attaches none of them)."""
    attach = OWNER_ACTIONS[kind].attach
    with atomic_action():
        for arn in policy_arns:
            attach(actor, policy_arn=arn, **{f"{kind}_name": owner_name})

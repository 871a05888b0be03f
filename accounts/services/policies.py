"""Managed policies (with versions), inline policies, attachments and permissions boundaries
of users, groups and roles."""

import json
from functools import lru_cache
from pathlib import Path

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import policy as engine
from ..authz import authorize, is_allowed
from ..errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from ..identifiers import (
    could_be_arn,
    could_be_version_id,
    could_name,
    iam_arn,
    new_unique_id,
    validate_name,
    validate_path,
)
from ..models import Group, Identity, InlinePolicy, ManagedPolicy, PolicyVersion, Role
from .base import add_detail, atomic_action, bump_authz_generation, iam_action
from .lookups import find_group, find_role, find_user

MANAGED_DATA = Path(__file__).resolve().parent.parent / "policy" / "managed" / "aws_managed_policies.json"
VERSIONS_PER_POLICY = 5
POLICIES_PER_USER = 10
POLICIES_PER_GROUP = 10
POLICIES_PER_ROLE = 10
CUSTOMER_POLICIES_PER_ACCOUNT = 1500


# --- validation --------------------------------------------------------------------------


def validate_document(document: str, *, kind: str = "identity", strict_version: bool = True) -> str:
    """Check a policy document with AWS's rules; returns it, raises MalformedPolicyDocument."""
    if not isinstance(document, str) or not document.strip():
        raise MalformedPolicyDocument("Syntax errors in policy.")
    if len(document) > engine.DOCUMENT_MAX_LENGTH:
        raise ValidationError(
            "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: "
            f"Member must have length less than or equal to {engine.DOCUMENT_MAX_LENGTH}"
        )
    try:
        engine.parse_policy(document, kind=kind, strict_version=strict_version)
    except engine.MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(exc.message, line=exc.line, column=exc.column) from None
    return document


def _check_managed_size(document: str) -> None:
    if engine.policy_size(document) > engine.MANAGED_POLICY_MAX:
        raise LimitExceeded(engine.size_error("managed", engine.MANAGED_POLICY_MAX))


def _check_inline_total(owner_kind: str, owner_name: str, documents) -> None:
    limit = engine.INLINE_POLICY_TOTAL_MAX[owner_kind]
    if sum(engine.policy_size(d) for d in documents) > limit:
        raise LimitExceeded(engine.size_error(owner_kind, limit, owner_name))


# --- the AWS managed catalogue ------------------------------------------------------------


@lru_cache(maxsize=1)
def aws_managed_catalogue() -> dict:
    return json.loads(MANAGED_DATA.read_text())


def sync_aws_managed_policies(**kwargs) -> None:
    """Load (or refresh) the AWS managed policies into the database; idempotent."""
    for name, item in aws_managed_catalogue().items():
        document = json.dumps(item["Document"], indent=4)
        created = parse_datetime(item.get("CreateDate", "")) or timezone.now()
        updated = parse_datetime(item.get("UpdateDate", "")) or created
        policy, _ = ManagedPolicy.objects.update_or_create(
            arn=item["Arn"],
            defaults={
                "account": None,
                "name": name,
                "path": item.get("Path", "/"),
                "default_version_id": item["DefaultVersionId"],
                "created_at": created,
                "updated_at": updated,
                "description": item.get("Description", ""),
            },
            create_defaults={
                "account": None,
                "name": name,
                "path": item.get("Path", "/"),
                "unique_id": new_unique_id("policy"),
                "default_version_id": item["DefaultVersionId"],
                "created_at": created,
                "updated_at": updated,
                "description": item.get("Description", ""),
            },
        )
        PolicyVersion.objects.update_or_create(
            policy=policy,
            version_id=item["DefaultVersionId"],
            defaults={"document": document, "is_default": True, "created_at": updated},
        )
        PolicyVersion.objects.filter(policy=policy).exclude(version_id=item["DefaultVersionId"]).delete()


# --- lookups ------------------------------------------------------------------------------


def policy_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account.account_id, "policy", path, name)


def find_policy(actor, arn: str, *, for_update: bool = False) -> ManagedPolicy:
    """A customer managed policy of the caller's account or an AWS managed policy, by ARN."""
    qs = ManagedPolicy.objects.filter(Q(account_id=actor.account_id) | Q(account__isnull=True))
    if for_update:
        qs = qs.select_for_update()
    policy = qs.filter(arn=arn).first() if could_be_arn(arn) else None
    if policy is None:
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return policy


def find_policy_by_name(actor, name: str) -> ManagedPolicy:
    """Customer managed first (as the console's policy pages address them), then AWS managed."""
    policy = None
    if could_name("policy", name):
        policy = (
            ManagedPolicy.objects.filter(
                Q(account_id=actor.account_id) | Q(account__isnull=True), name__iexact=name
            )
            .order_by(F("account").asc(nulls_last=True))
            .first()
        )
    if policy is None:
        raise NoSuchEntity(f"Policy {name} does not exist.")
    return policy


def default_document(policy: ManagedPolicy) -> str:
    return policy.versions.get(version_id=policy.default_version_id).document


@iam_action("iam:GetPolicy")
def get_policy(actor, *, policy_arn: str) -> ManagedPolicy:
    policy = find_policy(actor, policy_arn)
    authorize(actor, "iam:GetPolicy", policy.arn)
    return policy


def list_policies(actor, *, scope: str = "All"):
    """Managed policies visible to the account with their attachment counts (one query)."""
    authorize(actor, "iam:ListPolicies", iam_arn(actor.account.account_id, "policy", "/", ""))
    qs = ManagedPolicy.objects.all()
    if scope == "Local":
        qs = qs.filter(account_id=actor.account_id)
    elif scope == "AWS":
        qs = qs.filter(account__isnull=True)
    else:
        qs = qs.filter(Q(account_id=actor.account_id) | Q(account__isnull=True))
    account_users = Q(attached_users__account_id=actor.account_id)
    account_groups = Q(attached_groups__account_id=actor.account_id)
    # Roles are counted in subqueries: one more join would multiply the rows counted above.
    role_attachments = ManagedPolicy.attached_roles.through.objects.filter(
        managedpolicy_id=OuterRef("pk"), role__account_id=actor.account_id
    )
    role_boundaries = Role.objects.filter(permissions_boundary_id=OuterRef("pk"), account_id=actor.account_id)
    return qs.annotate(
        user_count=Count("attached_users", filter=account_users, distinct=True),
        group_count=Count("attached_groups", filter=account_groups, distinct=True),
        role_count=_subquery_count(role_attachments, "managedpolicy_id"),
        boundary_count=Count(
            "boundary_of", filter=Q(boundary_of__account_id=actor.account_id), distinct=True
        ),
        role_boundary_count=_subquery_count(role_boundaries, "permissions_boundary_id"),
    ).order_by(Lower("name"), "name", "account_id")


def _subquery_count(qs, column: str):
    """COUNT(*) of ``qs`` (filtered on OuterRef) as a correlated subquery; 0 when empty."""
    counted = qs.order_by().values(column).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def list_policy_versions(actor, policy: ManagedPolicy):
    authorize(actor, "iam:ListPolicyVersions", policy.arn)
    return list(policy.versions.order_by("-created_at", "-id"))


def get_policy_version(actor, policy: ManagedPolicy, version_id: str) -> PolicyVersion:
    authorize(actor, "iam:GetPolicyVersion", policy.arn)
    return _find_version(policy, version_id)


def _find_version(policy: ManagedPolicy, version_id: str) -> PolicyVersion:
    version = (
        policy.versions.filter(version_id=version_id).first() if could_be_version_id(version_id) else None
    )
    if version is None:
        raise NoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist or is not attachable.")
    return version


def policy_entities(actor, policy: ManagedPolicy) -> dict:
    """The caller's users, groups and roles the policy is attached to, and users and roles it bounds."""
    authorize(actor, "iam:ListEntitiesForPolicy", policy.arn)
    account = actor.account_id
    return {
        "users": list(policy.attached_users.filter(account_id=account).order_by("name")),
        "groups": list(policy.attached_groups.filter(account_id=account).order_by("name")),
        "roles": list(policy.attached_roles.filter(account_id=account).order_by("name")),
        "boundary_users": list(policy.boundary_of.filter(account_id=account).order_by("name")),
        "boundary_roles": list(policy.boundary_of_roles.filter(account_id=account).order_by("name")),
    }


# --- customer managed policies ------------------------------------------------------------


def _customer_policy(actor, arn: str, *, for_update: bool = False) -> ManagedPolicy:
    policy = find_policy(actor, arn, for_update=for_update)
    if policy.is_aws_managed:
        raise InvalidInput(f"Policy {policy.arn} is an AWS managed policy; only AWS can change it.")
    return policy


@iam_action("iam:CreatePolicy")
def create_policy(
    actor, *, name: str, document: str, path: str = "/", description: str = ""
) -> ManagedPolicy:
    """Create a customer managed policy with ``document`` as its default version v1."""
    validate_name("policy", name)
    validate_path(path)
    if len(description) > 1000:
        raise ValidationError("The description can have up to 1000 characters.")
    arn = policy_arn(actor, name, path)
    authorize(actor, "iam:CreatePolicy", arn)
    validate_document(document)
    _check_managed_size(document)
    if ManagedPolicy.objects.filter(account_id=actor.account_id, name__iexact=name).exists():
        raise EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are not allowed.")
    if ManagedPolicy.objects.filter(account_id=actor.account_id).count() >= CUSTOMER_POLICIES_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPerAccount: {CUSTOMER_POLICIES_PER_ACCOUNT}")
    policy = ManagedPolicy.objects.create(
        account=actor.account,
        name=name,
        path=path,
        arn=arn,
        unique_id=new_unique_id("policy"),
        description=description,
        default_version_id="v1",
        next_version_number=2,
    )
    PolicyVersion.objects.create(policy=policy, version_id="v1", document=document, is_default=True)
    return policy


@iam_action("iam:CreatePolicyVersion")
def create_policy_version(
    actor, *, policy_arn: str, document: str, set_as_default: bool = True
) -> PolicyVersion:
    """Add a version (at most 5: LimitExceeded), optionally as the new default."""
    policy = _customer_policy(actor, policy_arn, for_update=True)
    authorize(actor, "iam:CreatePolicyVersion", policy.arn)
    validate_document(document)
    _check_managed_size(document)
    if policy.versions.count() >= VERSIONS_PER_POLICY:
        raise LimitExceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, "
            "you must delete an existing version."
        )
    version_id = f"v{policy.next_version_number}"
    add_detail(version_id=version_id)
    version = PolicyVersion.objects.create(policy=policy, version_id=version_id, document=document)
    policy.next_version_number += 1
    policy.updated_at = timezone.now()
    if set_as_default:
        policy.versions.update(is_default=False)
        PolicyVersion.objects.filter(pk=version.pk).update(is_default=True)
        version.is_default = True
        policy.default_version_id = version_id
        bump_authz_generation(actor)
    policy.save()
    return version


def console_edit_policy(
    actor, *, policy_arn: str, document: str, delete_version_id: str | None = None
) -> PolicyVersion:
    """The console's "Save changes": a new default version, deleting an old one when there are 5."""
    with atomic_action():
        if delete_version_id:
            delete_policy_version(actor, policy_arn=policy_arn, version_id=delete_version_id)
        return create_policy_version(actor, policy_arn=policy_arn, document=document, set_as_default=True)


@iam_action("iam:SetDefaultPolicyVersion")
def set_default_policy_version(actor, *, policy_arn: str, version_id: str) -> None:
    policy = _customer_policy(actor, policy_arn, for_update=True)
    authorize(actor, "iam:SetDefaultPolicyVersion", policy.arn)
    version = _find_version(policy, version_id)
    add_detail(version_id=version_id)
    policy.versions.update(is_default=False)
    PolicyVersion.objects.filter(pk=version.pk).update(is_default=True)
    policy.default_version_id = version_id
    policy.updated_at = timezone.now()
    policy.save(update_fields=["default_version_id", "updated_at"])
    bump_authz_generation(actor)


@iam_action("iam:DeletePolicyVersion")
def delete_policy_version(actor, *, policy_arn: str, version_id: str) -> None:
    policy = _customer_policy(actor, policy_arn, for_update=True)
    authorize(actor, "iam:DeletePolicyVersion", policy.arn)
    version = _find_version(policy, version_id)
    if version.is_default:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    add_detail(version_id=version_id)
    version.delete()


@iam_action("iam:DeletePolicy")
def delete_policy(actor, *, policy_arn: str) -> None:
    """Delete a customer managed policy that is attached to nothing and has only its default version."""
    policy = _customer_policy(actor, policy_arn, for_update=True)
    authorize(actor, "iam:DeletePolicy", policy.arn)
    attached = (
        policy.attached_users.exists()
        or policy.attached_groups.exists()
        or policy.attached_roles.exists()
        or policy.boundary_of.exists()
        or policy.boundary_of_roles.exists()
    )
    if attached:
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    if policy.versions.count() > 1:
        raise DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete the "
            "policy's versions. The default version is deleted with the policy."
        )
    policy.delete()
    bump_authz_generation(actor)


def console_delete_policy(actor, *, policy_arn: str) -> None:
    """The console's Delete: detach from every entity, delete old versions, then the policy."""
    with atomic_action():
        policy = find_policy(actor, policy_arn)
        if policy.is_aws_managed:
            delete_policy(actor, policy_arn=policy.arn)  # refuses, and the refusal is audited
        for user in policy.attached_users.all():
            detach_user_policy(actor, user_name=user.name, policy_arn=policy.arn)
        for group in policy.attached_groups.all():
            detach_group_policy(actor, group_name=group.name, policy_arn=policy.arn)
        for role in policy.attached_roles.all():
            detach_role_policy(actor, role_name=role.name, policy_arn=policy.arn)
        for user in policy.boundary_of.all():
            delete_user_permissions_boundary(actor, user_name=user.name)
        for role in policy.boundary_of_roles.all():
            delete_role_permissions_boundary(actor, role_name=role.name)
        for version in policy.versions.filter(is_default=False):
            delete_policy_version(actor, policy_arn=policy.arn, version_id=version.version_id)
        delete_policy(actor, policy_arn=policy.arn)


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


# --- inline policies ------------------------------------------------------------------------


def _put_inline(actor, owner, owner_kind: str, policy_name: str, document: str) -> InlinePolicy:
    validate_name("policy", policy_name)
    validate_document(document)
    others = owner.inline_policies.exclude(name=policy_name).values_list("document", flat=True)
    _check_inline_total(owner_kind, owner.name, [*others, document])
    add_detail(policy_name=policy_name)
    inline, created = InlinePolicy.objects.update_or_create(
        **{owner_kind: owner},
        name=policy_name,
        defaults={"document": document, "updated_at": timezone.now()},
    )
    bump_authz_generation(actor)
    return inline


def _delete_inline(actor, owner, owner_kind: str, policy_name: str) -> None:
    deleted = 0
    if could_name("policy", policy_name):
        deleted, _ = owner.inline_policies.filter(name=policy_name).delete()
    if not deleted:
        raise NoSuchEntity(f"The {owner_kind} policy with name {policy_name} cannot be found.")
    add_detail(policy_name=policy_name)
    bump_authz_generation(actor)


@iam_action("iam:PutUserPolicy")
def put_user_policy(actor, *, user_name: str, policy_name: str, document: str) -> InlinePolicy:
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:PutUserPolicy", user.arn)
    return _put_inline(actor, user, "user", policy_name, document)


@iam_action("iam:DeleteUserPolicy")
def delete_user_policy(actor, *, user_name: str, policy_name: str) -> None:
    user = find_user(actor, user_name)
    authorize(actor, "iam:DeleteUserPolicy", user.arn)
    _delete_inline(actor, user, "user", policy_name)


@iam_action("iam:PutGroupPolicy")
def put_group_policy(actor, *, group_name: str, policy_name: str, document: str) -> InlinePolicy:
    group = find_group(actor, group_name, for_update=True)
    authorize(actor, "iam:PutGroupPolicy", group.arn)
    return _put_inline(actor, group, "group", policy_name, document)


@iam_action("iam:DeleteGroupPolicy")
def delete_group_policy(actor, *, group_name: str, policy_name: str) -> None:
    group = find_group(actor, group_name)
    authorize(actor, "iam:DeleteGroupPolicy", group.arn)
    _delete_inline(actor, group, "group", policy_name)


@iam_action("iam:PutRolePolicy")
def put_role_policy(actor, *, role_name: str, policy_name: str, document: str) -> InlinePolicy:
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:PutRolePolicy", role.arn)
    return _put_inline(actor, role, "role", policy_name, document)


@iam_action("iam:DeleteRolePolicy")
def delete_role_policy(actor, *, role_name: str, policy_name: str) -> None:
    role = find_role(actor, role_name)
    authorize(actor, "iam:DeleteRolePolicy", role.arn)
    _delete_inline(actor, role, "role", policy_name)


def _owner_kind(owner) -> str:
    if isinstance(owner, Identity):
        return "user"
    return "role" if isinstance(owner, Role) else "group"


def get_inline_policy(actor, owner, policy_name: str) -> InlinePolicy:
    """An inline policy of a user, group or role (iam:GetUserPolicy / GetGroupPolicy / GetRolePolicy)."""
    kind = _owner_kind(owner)
    authorize(actor, f"iam:Get{kind.capitalize()}Policy", owner.arn)
    inline = (
        owner.inline_policies.filter(name=policy_name).first() if could_name("policy", policy_name) else None
    )
    if inline is None:
        raise NoSuchEntity(f"The {kind} policy with name {policy_name} cannot be found.")
    return inline


def get_role_policy(actor, *, role_name: str, policy_name: str) -> InlinePolicy:
    return get_inline_policy(actor, find_role(actor, role_name), policy_name)


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


# --- what applies to a user (the Permissions tab) -------------------------------------------


def user_permissions(actor, user: Identity) -> list[dict]:
    """Every policy that applies to ``user`` and where it comes from, in a fixed number of queries."""
    authorize(actor, "iam:ListAttachedUserPolicies", user.arn)
    rows = []
    for policy in user.attached_policies.order_by("name"):
        rows.append(
            {"name": policy.name, "type": policy.policy_type, "source": "Attached directly", "policy": policy}
        )
    for inline in user.inline_policies.order_by("name"):
        rows.append({"name": inline.name, "type": "Customer inline", "source": "Inline", "inline": inline})
    groups = (
        Group.objects.filter(members=user)
        .prefetch_related("attached_policies", "inline_policies")
        .order_by("name")
    )
    for group in groups:
        for policy in sorted(group.attached_policies.all(), key=lambda p: p.name.lower()):
            rows.append(
                {
                    "name": policy.name,
                    "type": policy.policy_type,
                    "source": f"Group {group.name}",
                    "group": group,
                    "policy": policy,
                }
            )
        for inline in group.inline_policies.all():
            rows.append(
                {
                    "name": inline.name,
                    "type": "Customer inline",
                    "source": f"Group {group.name}",
                    "group": group,
                    "inline": inline,
                }
            )
    return rows


def group_permissions(actor, group: Group) -> list[dict]:
    authorize(actor, "iam:ListAttachedGroupPolicies", group.arn)
    rows = [
        {"name": p.name, "type": p.policy_type, "source": "Attached directly", "policy": p}
        for p in group.attached_policies.order_by("name")
    ]
    rows += [
        {"name": i.name, "type": "Customer inline", "source": "Inline", "inline": i}
        for i in group.inline_policies.order_by("name")
    ]
    return rows


def role_permissions(actor, role: Role) -> list[dict]:
    """The role's attached managed policies and inline policies (its Permissions tab)."""
    authorize(actor, "iam:ListAttachedRolePolicies", role.arn)
    authorize(actor, "iam:ListRolePolicies", role.arn)
    rows = [
        {"name": p.name, "type": p.policy_type, "source": "Attached directly", "policy": p}
        for p in role.attached_policies.order_by("name")
    ]
    rows += [
        {"name": i.name, "type": "Customer inline", "source": "Inline", "inline": i}
        for i in role.inline_policies.order_by("name")
    ]
    return rows


def attach_change_password_if_needed(actor, user: Identity) -> None:
    """AWS's rule: a must-reset user in an account that does not let users change their own
    password gets IAMUserChangePassword attached, so that it can set a new one."""
    if user.account.password_rules().allow_users_to_change_password:
        return
    arn = "arn:aws:iam::aws:policy/IAMUserChangePassword"
    if is_allowed(actor, "iam:AttachUserPolicy", user.arn) and ManagedPolicy.objects.filter(arn=arn).exists():
        attach_user_policy(actor, user_name=user.name, policy_arn=arn)

"""Managed policies and their versions: AWS managed (read-only, from the shipped catalogue)
and customer managed (create, versions v1…v5, default version, delete).

Where a policy is used (attachments, inline policies, permissions boundaries) lives in
``services.permissions``.
"""

import dataclasses
import json
from functools import lru_cache
from pathlib import Path

from django.db import connection
from django.db.models import Count, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import policy as engine
from .. import shapes
from ..audit import add_detail, atomic_action
from ..authz import authorize
from ..errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    ValidationError,
)
from ..identifiers import new_unique_id, validate_name, validate_path
from ..models import Group, Identity, ManagedPolicy, PolicyVersion, Role
from ..policy import summary as policy_summary
from . import convert
from .base import bump_authz_generation, iam_action, iam_read
from .lookups import find_policy, find_version, policy_arn, visible_policies
from .paging import paginate
from .tables import TablePage, table_page
from .tags import tag_new

MANAGED_DATA = Path(__file__).resolve().parent.parent / "policy" / "managed" / "aws_managed_policies.json"
VERSIONS_PER_POLICY = 5
CUSTOMER_POLICIES_PER_ACCOUNT = 1500
SCOPES = ("All", "AWS", "Local")


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


@lru_cache(maxsize=256)
def summarize_document(document: str) -> policy_summary.PolicySummary | None:
    """The console's policy summary (services, access levels, resources, conditions) of a
    stored document; None for a text that is not a JSON object. Pure and cached by text: a
    document is summarised once per process however often its page is opened."""
    try:
        parsed = json.loads(document)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    return policy_summary.summarize(parsed)


def check_managed_size(document: str) -> None:
    if engine.policy_size(document) > engine.MANAGED_POLICY_MAX:
        raise LimitExceeded(engine.size_error("managed", engine.MANAGED_POLICY_MAX))


# --- the AWS managed catalogue ------------------------------------------------------------


@lru_cache(maxsize=1)
def aws_managed_catalogue() -> dict:
    return json.loads(MANAGED_DATA.read_text())


def sync_aws_managed_policies(**kwargs) -> None:
    """Load (or refresh) the AWS managed policies into the database; idempotent.

    Runs after every ``migrate``, so that an existing database takes the shipped catalogue's
    descriptions and documents (AWS's key order: ``Version`` first) on its next migrate. The
    document text is written as AWS's GetPolicyVersion returns these policies: the JSON with
    its keys in the catalogue's order, indented by four spaces."""
    for name, item in aws_managed_catalogue().items():
        document = json.dumps(item["Document"], indent=4)
        created = parse_datetime(item.get("CreateDate", "")) or timezone.now()
        updated = parse_datetime(item.get("UpdateDate", "")) or created
        fields = {
            "account": None,
            "name": name,
            "path": item.get("Path", "/"),
            "default_version_id": item["DefaultVersionId"],
            "created_at": created,
            "updated_at": updated,
            "description": item.get("Description", ""),
        }
        policy, _ = ManagedPolicy.objects.update_or_create(
            arn=item["Arn"],
            defaults=fields,
            create_defaults={**fields, "unique_id": new_unique_id("policy")},
        )
        PolicyVersion.objects.update_or_create(
            policy=policy,
            version_id=item["DefaultVersionId"],
            defaults={"document": document, "is_default": True, "created_at": updated},
        )
        PolicyVersion.objects.filter(policy=policy).exclude(version_id=item["DefaultVersionId"]).delete()


# --- reads --------------------------------------------------------------------------------


def _link_counts(through, entity_field: str, entity, account_id: str, policy_ids: list[int]):
    """(policy id, links to the account's entities) for these policies, walking the policies'
    links first: SQLite treats the left side of a CROSS JOIN as the outer loop (without table
    statistics its planner walked the account's 5,000 users first: 60-90 ms instead of 2 ms);
    PostgreSQL plans it freely."""
    if not policy_ids:
        return []
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(policy_ids))
    # only table and column names from the models and %s placeholders: no caller text
    tables = f"{quote(through._meta.db_table)} t CROSS JOIN {quote(entity._meta.db_table)} e"
    where = f"t.managedpolicy_id IN ({placeholders}) AND e.id = t.{quote(entity_field)} AND e.account_id = %s"
    sql = f"SELECT t.managedpolicy_id, COUNT(*) FROM {tables} WHERE {where} GROUP BY t.managedpolicy_id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*policy_ids, account_id])
        return cursor.fetchall()


def _usage_counts(account_id: str, policy_ids: list[int]) -> tuple[dict, dict]:
    """Attachments and boundary uses of these policies by the account's entities: five small
    grouped queries over the link tables, whatever the number of policies or entities."""
    attachments: dict[int, int] = {}
    boundaries: dict[int, int] = {}
    links = (
        (ManagedPolicy.attached_users.through, "identity_id", Identity),
        (ManagedPolicy.attached_groups.through, "group_id", Group),
        (ManagedPolicy.attached_roles.through, "role_id", Role),
    )
    for through, entity_field, entity in links:
        for pk, n in _link_counts(through, entity_field, entity, account_id, policy_ids):
            attachments[pk] = attachments.get(pk, 0) + n
    for model in (Identity, Role):
        rows = (
            model.objects.filter(account_id=account_id, permissions_boundary_id__in=policy_ids)
            .values("permissions_boundary_id")
            .annotate(n=Count("*"))
            .values_list("permissions_boundary_id", "n")
        )
        for pk, n in rows:
            boundaries[pk] = boundaries.get(pk, 0) + n
    return attachments, boundaries


def _with_counts(actor, rows: list[ManagedPolicy]) -> list[shapes.Policy]:
    attachments, boundaries = _usage_counts(actor.account_id, [r.pk for r in rows])
    for row in rows:
        row.attachment_count = attachments.get(row.pk, 0)
        row.boundary_count = boundaries.get(row.pk, 0)
    return [convert.policy(r) for r in rows]


@iam_read("iam:GetPolicy")
def get_policy(actor, *, policy_arn: str) -> shapes.Policy:
    policy = find_policy(actor, policy_arn)
    authorize(actor, "iam:GetPolicy", policy.arn)
    return _with_counts(actor, [policy])[0]


@iam_read("iam:ListPolicies")
def list_policies(
    actor,
    *,
    scope: str = "All",
    only_attached: bool = False,
    path_prefix: str = "/",
    policy_usage_filter: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> shapes.Page:
    """A page of the managed policies the account sees, with their usage counts (one query for
    the page and five for the counts, whatever the numbers)."""
    authorize(actor, "iam:ListPolicies", policy_arn(actor, ""))
    qs = visible_policies(actor)
    if scope == "Local":
        qs = qs.filter(account_id=actor.account_id)
    elif scope == "AWS":
        qs = qs.filter(account__isnull=True)
    if path_prefix and path_prefix != "/":
        qs = qs.filter(path__startswith=path_prefix)
    if only_attached or policy_usage_filter:
        account = actor.account_id
        attached = (
            Q(attached_users__account_id=account)
            | Q(attached_groups__account_id=account)
            | Q(attached_roles__account_id=account)
        )
        bounding = Q(boundary_of__account_id=account) | Q(boundary_of_roles__account_id=account)
        used = {"PermissionsPolicy": attached, "PermissionsBoundary": bounding}.get(
            policy_usage_filter or "", attached | bounding
        )
        qs = qs.filter(pk__in=ManagedPolicy.objects.filter(used).values("pk"))
    # names cannot hold a space: "name arn" sorts by name and is unique
    qs = qs.annotate(sort_key=Concat(Lower("name"), Value(" "), "arn"))
    page = paginate(qs, key="sort_key", marker=marker, max_items=max_items)
    return shapes.Page(_with_counts(actor, page.items), page.is_truncated, page.marker)


def _policy_for_read(actor, policy_arn_: str, action: str):
    policy = find_policy(actor, policy_arn_)
    authorize(actor, action, policy.arn)
    return policy


@iam_read("iam:ListPolicyVersions")
def list_policy_versions(
    actor, *, policy_arn: str, marker: str | None = None, max_items: int | None = None
) -> shapes.Page:
    """A policy's versions, newest first (at most five: one page)."""
    policy = _policy_for_read(actor, policy_arn, "iam:ListPolicyVersions")
    return shapes.Page([convert.policy_version(v) for v in policy.versions.order_by("-created_at", "-id")])


@iam_read("iam:GetPolicyVersion")
def get_policy_version(actor, *, policy_arn: str, version_id: str) -> shapes.PolicyVersion:
    policy = _policy_for_read(actor, policy_arn, "iam:GetPolicyVersion")
    return convert.policy_version(find_version(policy, version_id))


@iam_read("iam:GetPolicyVersion")
def get_default_policy_version(actor, *, policy_arn: str) -> shapes.PolicyVersion:
    """The document in force (the default version); what the console's policy page shows."""
    policy = _policy_for_read(actor, policy_arn, "iam:GetPolicyVersion")
    return convert.policy_version(find_version(policy, policy.default_version_id))


ENTITY_FILTERS = {
    "User": "users",
    "Role": "roles",
    "Group": "groups",
    "LocalManagedPolicy": None,
    "AWSManagedPolicy": None,
}


@iam_read("iam:ListEntitiesForPolicy")
def list_entities_for_policy(
    actor,
    *,
    policy_arn: str,
    entity_filter: str | None = None,
    path_prefix: str = "/",
    policy_usage_filter: str | None = None,
    marker=None,
    max_items=None,
) -> shapes.PolicyEntities:
    """The account's users, groups and roles the policy is attached to, and the users and roles
    it bounds; AWS's EntityFilter (User, Group, Role) and PolicyUsageFilter narrow them."""
    found = _entities(
        _policy_for_read(actor, policy_arn, "iam:ListEntitiesForPolicy"), actor.account_id, path_prefix
    )
    keep = {"users", "groups", "roles", "boundary_users", "boundary_roles"}
    if entity_filter in ("User", "Group", "Role"):
        kind = ENTITY_FILTERS[entity_filter]
        keep &= {kind, f"boundary_{kind}"}
    if policy_usage_filter == "PermissionsPolicy":
        keep -= {"boundary_users", "boundary_roles"}
    elif policy_usage_filter == "PermissionsBoundary":
        keep &= {"boundary_users", "boundary_roles"}
    return shapes.PolicyEntities(**{k: getattr(found, k) for k in keep})


def _entities(policy: ManagedPolicy, account: str, path_prefix: str = "/") -> shapes.PolicyEntities:
    def listed(qs):
        rows = qs.filter(account_id=account, path__startswith=path_prefix or "/").order_by(Lower("name"))
        return tuple(shapes.PolicyEntity(n, i) for n, i in rows.values_list("name", "unique_id"))

    return shapes.PolicyEntities(
        users=listed(policy.attached_users),
        groups=listed(policy.attached_groups),
        roles=listed(policy.attached_roles),
        boundary_users=listed(policy.boundary_of),
        boundary_roles=listed(policy.boundary_of_roles),
    )


# --- customer managed policies ------------------------------------------------------------


def _customer_policy(actor, arn: str, *, for_update: bool = False) -> ManagedPolicy:
    policy = find_policy(actor, arn, for_update=for_update)
    if policy.is_aws_managed:
        raise InvalidInput(f"Policy {policy.arn} is an AWS managed policy; only AWS can change it.")
    return policy


@iam_action("iam:CreatePolicy")
def create_policy(
    actor, *, policy_name: str, policy_document: str, path: str = "/", description: str = "", tags=()
) -> shapes.Policy:
    """Create a customer managed policy with ``policy_document`` as its default version v1."""
    name, document = policy_name, policy_document
    validate_name("policy", name)
    validate_path(path)
    if len(description) > 1000:
        raise ValidationError("The description can have up to 1000 characters.")
    arn = policy_arn(actor, name, path)
    authorize(actor, "iam:CreatePolicy", arn)
    validate_document(document)
    check_managed_size(document)
    if ManagedPolicy.objects.filter(account_id=actor.account_id, name__iexact=name).exists():
        raise EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are not allowed.")
    if ManagedPolicy.objects.filter(account_id=actor.account_id).count() >= CUSTOMER_POLICIES_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPerAccount: {CUSTOMER_POLICIES_PER_ACCOUNT}")
    policy = ManagedPolicy(
        account_id=actor.account_id,
        name=name,
        path=path,
        arn=arn,
        unique_id=new_unique_id("policy"),
        description=description,
        default_version_id="v1",
        next_version_number=2,
    )
    tag_new(policy, tags, "TagsPerPolicy")
    policy.save()
    PolicyVersion.objects.create(policy=policy, version_id="v1", document=document, is_default=True)
    return convert.policy(policy)


@iam_action("iam:CreatePolicyVersion")
def create_policy_version(
    actor, *, policy_arn: str, policy_document: str, set_as_default: bool = False
) -> shapes.PolicyVersion:
    """Add a version (at most 5: LimitExceeded), optionally as the new default."""
    document = policy_document
    policy = _customer_policy(actor, policy_arn, for_update=True)
    authorize(actor, "iam:CreatePolicyVersion", policy.arn)
    validate_document(document)
    check_managed_size(document)
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
    return convert.policy_version(version)


def console_edit_policy(
    actor, *, policy_arn: str, policy_document: str, delete_version_id: str | None = None
) -> shapes.PolicyVersion:
    """The console's "Save changes": a new default version, deleting an old one when there are 5."""
    with atomic_action():
        if delete_version_id:
            delete_policy_version(actor, policy_arn=policy_arn, version_id=delete_version_id)
        return create_policy_version(
            actor, policy_arn=policy_arn, policy_document=policy_document, set_as_default=True
        )


@iam_action("iam:SetDefaultPolicyVersion")
def set_default_policy_version(actor, *, policy_arn: str, version_id: str) -> None:
    policy = _customer_policy(actor, policy_arn, for_update=True)
    authorize(actor, "iam:SetDefaultPolicyVersion", policy.arn)
    version = find_version(policy, version_id)
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
    version = find_version(policy, version_id)
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
    from . import permissions as permission_services

    with atomic_action():
        policy = find_policy(actor, policy_arn)
        arn = policy.arn
        if policy.is_aws_managed:
            delete_policy(actor, policy_arn=arn)  # refuses, and the refusal is audited
        entities = _entities(policy, actor.account_id)
        for user in entities.users:
            permission_services.detach_user_policy(actor, user_name=user.name, policy_arn=arn)
        for group in entities.groups:
            permission_services.detach_group_policy(actor, group_name=group.name, policy_arn=arn)
        for role in entities.roles:
            permission_services.detach_role_policy(actor, role_name=role.name, policy_arn=arn)
        for user in entities.boundary_users:
            permission_services.delete_user_permissions_boundary(actor, user_name=user.name)
        for role in entities.boundary_roles:
            permission_services.delete_role_permissions_boundary(actor, role_name=role.name)
        for version_id in list(policy.versions.filter(is_default=False).values_list("version_id", flat=True)):
            delete_policy_version(actor, policy_arn=arn, version_id=version_id)
        delete_policy(actor, policy_arn=arn)


POLICY_SORTS = {"policy_name": ("sort_key",), "type": ("account_id", "sort_key"), "created": ("created_at",)}
# The console's "Filter by Type": value -> queryset filter
POLICY_TYPES = {
    "": {},
    "aws": {"account__isnull": True},
    "customer": {"account__isnull": False},
    "job_function": {"account__isnull": True, "path": shapes.JOB_FUNCTION_PATH},
}


@iam_read("iam:ListPolicies")
def search_policies(
    actor,
    *,
    query: str = "",
    policy_type: str = "",
    sort: str = "policy_name",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> TablePage:
    """The console's Policies table (and its policy pickers): a page of the managed policies the
    account sees whose name or description holds ``query``, of one type, with usage counts."""
    authorize(actor, "iam:ListPolicies", policy_arn(actor, ""))
    qs = visible_policies(actor).filter(**POLICY_TYPES.get(policy_type, {}))
    if policy_type == "aws":
        qs = qs.exclude(path=shapes.JOB_FUNCTION_PATH)
    found = table_page(
        qs.annotate(sort_key=Concat(Lower("name"), Value(" "), "arn")),
        query=query,
        search_fields=("name", "description"),
        sorts=POLICY_SORTS,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
    )
    return dataclasses.replace(found, items=_with_counts(actor, found.items))


def console_delete_policies(actor, *, policy_arns) -> None:
    """The Policies table's Delete of several customer managed policies; all or nothing."""
    with atomic_action():
        for arn in policy_arns:
            console_delete_policy(actor, policy_arn=arn)

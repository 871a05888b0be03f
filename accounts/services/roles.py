"""IAM roles: create, read, update (description, session duration, trust policy), delete.

A role's trust policy (``assume_role_policy_document``) says who may assume it; it is
checked with the trust grammar (a Principal, sts actions only, no Resource) and its own
size quota. The role's permissions policies live in ``services.policies`` with the user and
group ones (``attach_role_policy``, ``put_role_policy``, …).
"""

import json
import re

from django.db.models.functions import Lower

from .. import policy as engine
from .. import shapes
from ..audit import add_detail, atomic_action
from ..authz import authorize
from ..errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, ValidationError
from ..identifiers import new_unique_id, validate_name, validate_path
from ..models import Role
from . import convert
from . import instance_profiles as profile_services
from . import permissions as permission_services
from .base import bump_authz_generation, iam_action, iam_read
from .lookups import find_policy, find_role, role_arn
from .paging import paginate
from .policies import validate_document
from .tables import TablePage, table_page
from .tags import tag_new

ROLES_PER_ACCOUNT = 1000
MIN_SESSION_DURATION = 3600
MAX_SESSION_DURATION = 43200
DESCRIPTION_MAX = 1000
# AWS's roleDescriptionType pattern
DESCRIPTION_RE = re.compile(r"^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$")

# The console's "AWS service" choices: label -> service principal
SERVICES = {
    "EC2": "ec2.amazonaws.com",
    "Lambda": "lambda.amazonaws.com",
    "Elastic Container Service Task": "ecs-tasks.amazonaws.com",
    "CloudFormation": "cloudformation.amazonaws.com",
    "API Gateway": "apigateway.amazonaws.com",
    "Step Functions": "states.amazonaws.com",
    "EventBridge": "events.amazonaws.com",
    "CodeBuild": "codebuild.amazonaws.com",
    "Glue": "glue.amazonaws.com",
    "SageMaker": "sagemaker.amazonaws.com",
}


# --- validation (shared with the console's forms) ------------------------------------------


def validate_trust_policy(document: str) -> str:
    """Check a role trust policy: the trust grammar (MalformedPolicyDocument) and its quota of
    2,048 characters without white space (LimitExceeded); returns it."""
    # A trust policy may omit Version (legacy 2008-10-17), as AWS's own older roles do.
    validate_document(document, kind="trust", strict_version=False)
    if engine.policy_size(document) > engine.TRUST_POLICY_MAX:
        raise LimitExceeded(engine.size_error("trust", engine.TRUST_POLICY_MAX))
    return document


def validate_max_session_duration(value) -> int:
    """3,600 to 43,200 seconds (1 to 12 hours), with AWS's ValidationError wording."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at 'maxSessionDuration' failed to satisfy "
            "constraint: Member must be a number of seconds"
        )
    if value < MIN_SESSION_DURATION:
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at 'maxSessionDuration' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {MIN_SESSION_DURATION}"
        )
    if value > MAX_SESSION_DURATION:
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at 'maxSessionDuration' failed to satisfy "
            f"constraint: Member must have value less than or equal to {MAX_SESSION_DURATION}"
        )
    return value


def validate_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: "
            f"Member must have length less than or equal to {DESCRIPTION_MAX}"
        )
    if not DESCRIPTION_RE.match(description):
        raise ValidationError(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"
        )
    return description


# --- the console's standard trust policies ------------------------------------------------


def service_trust_policy(service_principal: str) -> str:
    """The trust policy the console writes for an AWS service role (e.g. ``ec2.amazonaws.com``)."""
    statement = {"Effect": "Allow", "Principal": {"Service": service_principal}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def account_trust_policy(account_id: str, *, require_mfa: bool = False) -> str:
    """The trust policy the console writes for "AWS account": the account's root principal
    (every identity of it whose own policies allow sts:AssumeRole), optionally only with MFA."""
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "sts:AssumeRole",
    }
    if require_mfa:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def trusted_entities(document: str) -> list[str]:
    """The Roles list's "Trusted entities" summary of a trust policy, e.g. ``AWS Service: ec2``,
    ``Account: 123456789012``, ``Identity Provider: cognito-identity.amazonaws.com``."""
    try:
        statements = _as_list(json.loads(document).get("Statement", []))
    except (ValueError, AttributeError):
        return []
    found: list[str] = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            principal = {"AWS": "*"}
        if not isinstance(principal, dict):
            continue
        for service in _as_list(principal.get("Service", [])):
            if isinstance(service, str):
                found.append(f"AWS Service: {service.removesuffix('.amazonaws.com')}")
        for aws in _as_list(principal.get("AWS", [])):
            if not isinstance(aws, str):
                continue
            account = aws.split(":")[4] if aws.startswith("arn:") and aws.count(":") >= 5 else aws
            found.append(f"Account: {account}")
        for provider in _as_list(principal.get("Federated", [])):
            if isinstance(provider, str):
                found.append(f"Identity Provider: {provider.rsplit('/', 1)[-1]}")
    return list(dict.fromkeys(found))


# --- the IAM actions ----------------------------------------------------------------------


@iam_action("iam:CreateRole")
def create_role(
    actor,
    *,
    role_name: str,
    assume_role_policy_document: str,
    path: str = "/",
    description: str = "",
    max_session_duration: int = MIN_SESSION_DURATION,
    permissions_boundary: str | None = None,
    tags=(),
) -> shapes.Role:
    """Create the role ``role_name`` trusted as its trust policy says (with a permissions
    boundary and tags when given); raises ValidationError, MalformedPolicyDocument,
    EntityAlreadyExists, LimitExceeded, NoSuchEntity, AccessDenied."""
    name = role_name
    validate_name("role", name)
    validate_path(path)
    authorize(actor, "iam:CreateRole", role_arn(actor, name, path))
    validate_description(description)
    validate_max_session_duration(max_session_duration)
    validate_trust_policy(assume_role_policy_document)
    if Role.objects.filter(account_id=actor.account_id, name__iexact=name).exists():
        raise EntityAlreadyExists(f"Role with name {name} already exists.")
    if Role.objects.filter(account_id=actor.account_id).count() >= ROLES_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for RolesPerAccount: {ROLES_PER_ACCOUNT}")
    role = Role(
        account_id=actor.account_id,
        name=name,
        path=path,
        unique_id=new_unique_id("role"),
        description=description,
        assume_role_policy_document=assume_role_policy_document,
        max_session_duration=max_session_duration,
    )
    if permissions_boundary:
        role.permissions_boundary = find_policy(actor, permissions_boundary)
    tag_new(role, tags, "TagsPerRole")
    role.save()
    return convert.role(role)


@iam_read("iam:GetRole")
def get_role(actor, *, role_name: str) -> shapes.Role:
    role = find_role(actor, role_name)
    authorize(actor, "iam:GetRole", role.arn)
    return convert.role(role)


@iam_read("iam:ListRoles")
def list_roles(actor, *, path_prefix: str = "/", marker: str | None = None, max_items: int | None = None):
    """A page of the account's roles, by name (one query a page)."""
    authorize(actor, "iam:ListRoles", role_arn(actor, ""))
    qs = (
        Role.objects.filter(account_id=actor.account_id, path__startswith=path_prefix or "/")
        .select_related("permissions_boundary")
        .annotate(sort_key=Lower("name"))
    )
    return paginate(qs, key="sort_key", marker=marker, max_items=max_items, convert=convert.role)


@iam_action("iam:UpdateRole")
def update_role(
    actor, *, role_name: str, description: str | None = None, max_session_duration: int | None = None
) -> None:
    """Change a role's description and/or maximum session duration (None: unchanged)."""
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:UpdateRole", role.arn)
    fields = []
    if description is not None:
        role.description = validate_description(description)
        fields.append("description")
    if max_session_duration is not None:
        role.max_session_duration = validate_max_session_duration(max_session_duration)
        fields.append("max_session_duration")
        add_detail(max_session_duration=max_session_duration)
    if fields:
        role.save(update_fields=fields)


@iam_action("iam:UpdateRoleDescription")
def update_role_description(actor, *, role_name: str, description: str) -> shapes.Role:
    """AWS's older UpdateRoleDescription: the description only; returns the role."""
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:UpdateRoleDescription", role.arn)
    role.description = validate_description(description)
    role.save(update_fields=["description"])
    return convert.role(role)


@iam_action("iam:UpdateAssumeRolePolicy")
def update_assume_role_policy(actor, *, role_name: str, policy_document: str) -> None:
    """Replace a role's trust policy; raises MalformedPolicyDocument, LimitExceeded."""
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:UpdateAssumeRolePolicy", role.arn)
    validate_trust_policy(policy_document)
    role.assume_role_policy_document = policy_document
    role.save(update_fields=["assume_role_policy_document"])
    bump_authz_generation(actor)


@iam_action("iam:DeleteRole")
def delete_role(actor, *, role_name: str) -> None:
    """Delete a role with no policies (the API's rule: DeleteConflict otherwise)."""
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:DeleteRole", role.arn)
    if role.attached_policies.exists():
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if role.inline_policies.exists():
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    if role.instance_profiles.exists():
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
    role.delete()
    bump_authz_generation(actor)


# --- the console's composite operations: several IAM actions, all or nothing ----------


def console_create_role(
    actor,
    *,
    role_name: str,
    assume_role_policy_document: str,
    description: str = "",
    max_session_duration: int = MIN_SESSION_DURATION,
    policy_arns=(),
) -> shapes.Role:
    """Create a role and attach the chosen managed policies, as the console's wizard does; a
    role that EC2 may assume gets an instance profile of the same name, as AWS's console makes."""
    with atomic_action():
        role = create_role(
            actor,
            role_name=role_name,
            assume_role_policy_document=assume_role_policy_document,
            description=description,
            max_session_duration=max_session_duration,
        )
        for arn in policy_arns:
            permission_services.attach_role_policy(actor, role_name=role.role_name, policy_arn=arn)
        if EC2_SERVICE in trusted_services(assume_role_policy_document):
            profile_services.create_instance_profile(actor, instance_profile_name=role.role_name)
            profile_services.add_role_to_instance_profile(
                actor, instance_profile_name=role.role_name, role_name=role.role_name
            )
    return role


EC2_SERVICE = "ec2.amazonaws.com"


def trusted_services(document: str) -> set[str]:
    """The AWS service principals a trust policy's Allow statements name."""
    try:
        statements = _as_list(json.loads(document).get("Statement", []))
    except (ValueError, AttributeError):
        return set()
    found = set()
    for statement in statements:
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            principal = statement.get("Principal")
            if isinstance(principal, dict):
                found.update(s for s in _as_list(principal.get("Service", [])) if isinstance(s, str))
    return found


def console_delete_role(actor, *, role_name: str) -> None:
    """Delete a role after detaching its managed policies and deleting its inline ones, as the
    console does; all or nothing."""
    with atomic_action():
        role = find_role(actor, role_name)
        authorize(actor, "iam:DeleteRole", role.arn)
        name = role.name
        for arn in list(role.attached_policies.values_list("arn", flat=True)):
            permission_services.detach_role_policy(actor, role_name=name, policy_arn=arn)
        for policy_name in list(role.inline_policies.values_list("name", flat=True)):
            permission_services.delete_role_policy(actor, role_name=name, policy_name=policy_name)
        for profile in list(role.instance_profiles.values_list("name", flat=True)):
            profile_services.remove_role_from_instance_profile(
                actor, instance_profile_name=profile, role_name=name
            )
            if profile.lower() == name.lower():  # the one the console made with the role
                profile_services.delete_instance_profile(actor, instance_profile_name=profile)
        delete_role(actor, role_name=name)


ROLE_SORTS = {"role_name": ("sort_key",), "last_activity": ("last_used_at",), "created": ("created_at",)}


@iam_read("iam:ListRoles")
def search_roles(
    actor,
    *,
    query: str = "",
    sort: str = "role_name",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> TablePage:
    """The console's Roles table: a page of the account's roles whose name or description holds ``query``."""
    authorize(actor, "iam:ListRoles", role_arn(actor, ""))
    qs = Role.objects.filter(account_id=actor.account_id).annotate(sort_key=Lower("name"))
    return table_page(
        qs,
        query=query,
        search_fields=("name", "description"),
        sorts=ROLE_SORTS,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
        prepare=lambda page_qs: page_qs.select_related("permissions_boundary"),
        convert=convert.role,
    )


def console_delete_roles(actor, *, role_names) -> None:
    """The Roles table's Delete of several roles; all or nothing."""
    with atomic_action():
        for name in role_names:
            console_delete_role(actor, role_name=name)

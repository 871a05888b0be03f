"""The IAM policy simulator: decide actions on resources without changing anything.

``simulate_principal_policy`` evaluates the policies of a user (its own, its groups', its
boundary: the gate's own set), a group, or a role (with its boundary, as a session of the
role is decided); ``simulate_custom_policy`` evaluates pasted documents. Both are AWS's
actions (iam:SimulatePrincipalPolicy on the entity, iam:SimulateCustomPolicy on ``*``); the
engine is a pure function, so nothing is written.
"""

from .. import policy as engine
from .. import shapes
from ..authz import authorize, is_allowed
from ..errors import InvalidInput, MalformedPolicyDocument, NoSuchEntity
from ..principals import as_principal, entity_policies
from .base import iam_read
from .lookups import find_group, find_role, find_user, group_arn, role_arn, user_arn

SCALAR_TYPES = {"string", "numeric", "boolean", "ip", "binary", "date"}
LIST_TYPES = {f"{t}List" for t in SCALAR_TYPES}
MAX_ACTIONS = 100
MAX_RESOURCES = 20


def _context(entries) -> dict:
    """AWS's ContextEntries (ContextKeyName, ContextKeyValues, ContextKeyType) as engine keys."""
    context: dict[str, object] = {}
    for entry in entries or ():
        name = entry.get("ContextKeyName")
        values = list(entry.get("ContextKeyValues") or ())
        key_type = entry.get("ContextKeyType", "string")
        if not name or key_type not in SCALAR_TYPES | LIST_TYPES:
            raise InvalidInput(f"Invalid context entry {name!r} of type {key_type!r}.")
        context[name] = values[0] if key_type in SCALAR_TYPES and len(values) == 1 else values
    return context


def _parse(document: str, policy_id: str) -> engine.Policy:
    try:
        return engine.parse_policy(document, kind="identity", policy_id=policy_id)
    except engine.MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(
            f"{policy_id}: {exc.message}", line=exc.line, column=exc.column
        ) from None


def _check_lists(action_names, resource_arns) -> tuple[list[str], list[str]]:
    actions = list(dict.fromkeys(action_names))
    resources = list(dict.fromkeys(resource_arns or ("*",)))
    if not actions:
        raise InvalidInput("Enter at least one action.")
    if len(actions) > MAX_ACTIONS or len(resources) > MAX_RESOURCES:
        raise InvalidInput(f"Simulate up to {MAX_ACTIONS} actions and {MAX_RESOURCES} resources at a time.")
    return actions, resources


def _run(
    actor,
    policy_set,
    labels,
    subject,
    caller_arn,
    actions,
    resources,
    context,
    offsets=None,
    resource_owner="",
):
    results = []
    for action in actions:
        for resource in resources:
            request = engine.RequestContext(
                action,
                resource,
                caller_arn,
                dict(context),
                principal_account=actor.account_id,
                resource_account=_account_of(resource_owner),
                # pasted policies have no caller: keys such as aws:username stay missing
                derive_keys=bool(caller_arn),
            )
            decision = engine.evaluate(request, policy_set)
            results.append(
                shapes.EvaluationResult(action, resource, decision.decision, decision, dict(offsets or {}))
            )
    return shapes.Simulation(tuple(results), tuple(labels), subject)


def _account_of(owner: str | None) -> str:
    """ResourceOwner (an account ID or an ARN naming one) as an account ID."""
    if not owner:
        return ""
    parts = owner.split(":")
    return parts[4] if owner.startswith("arn:") and len(parts) > 4 else owner


def _with_resource_policy(policy_set, resource_policy: str | None):
    if resource_policy is None:
        return policy_set
    try:
        resource = engine.parse_policy(resource_policy, kind="resource", policy_id="ResourcePolicy")
    except engine.MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(
            f"ResourcePolicy: {exc.message}", line=exc.line, column=exc.column
        ) from None
    return engine.PolicySet(
        identity=policy_set.identity,
        boundary=policy_set.boundary,
        session=policy_set.session,
        resource=resource,
    )


def _entity_of(actor, policy_source_arn: str):
    """(kind, row) of a user, group or role of the caller's account named by its ARN."""
    prefix = f"arn:aws:iam::{actor.account_id}:"
    kind, _, rest = policy_source_arn.removeprefix(prefix).partition("/")
    if not policy_source_arn.startswith(prefix) or kind not in ("user", "group", "role") or not rest:
        raise NoSuchEntity(f"The entity {policy_source_arn} cannot be found.")
    find = {"user": find_user, "group": find_group, "role": find_role}[kind]
    entity = find(actor, rest.rsplit("/", 1)[-1])
    if entity.arn != policy_source_arn:
        raise NoSuchEntity(f"The entity {policy_source_arn} cannot be found.")
    return kind, entity


@iam_read("iam:SimulatePrincipalPolicy")
def simulate_principal_policy(
    actor,
    *,
    policy_source_arn: str,
    action_names,
    resource_arns=("*",),
    context_entries=(),
    policy_input_list=(),
    permissions_boundary_policy_input_list=(),
    resource_policy: str | None = None,
    resource_owner: str | None = None,
    caller_arn: str | None = None,
    resource_handling_option: str | None = None,
    marker=None,
    max_items=None,
) -> shapes.Simulation:
    """Simulate the policies of a user, group or role of the account (with extra policies and a
    resource policy when given, as AWS's SimulatePrincipalPolicy takes them)."""
    kind, entity = _entity_of(actor, policy_source_arn)
    authorize(actor, "iam:SimulatePrincipalPolicy", entity.arn)
    actions, resources = _check_lists(action_names, resource_arns)
    loaded = entity_policies(kind, entity.pk)
    extra = [_parse(text, f"PolicyInputList.{i}") for i, text in enumerate(policy_input_list, 1)]
    boundary = [
        _parse(t, "PermissionsBoundaryPolicyInputList.1") for t in permissions_boundary_policy_input_list[:1]
    ]
    own = loaded.policy_set
    policy_set = engine.PolicySet(identity=(*own.identity, *extra), boundary=boundary or own.boundary)
    noun = {"user": "User", "group": "User group", "role": "Role"}[kind]
    labels = loaded.considered + tuple(p.policy_id for p in extra + boundary)
    return _run(
        actor,
        _with_resource_policy(policy_set, resource_policy),
        labels,
        f"{noun} {entity.name}",
        caller_arn or entity.arn,
        actions,
        resources,
        _context(context_entries),
        resource_owner=resource_owner,
    )


@iam_read("iam:SimulateCustomPolicy")
def simulate_custom_policy(
    actor,
    *,
    policy_input_list,
    action_names,
    resource_arns=("*",),
    permissions_boundary_policy_input_list=(),
    context_entries=(),
    caller_arn: str | None = None,
    resource_policy: str | None = None,
    resource_owner: str | None = None,
    resource_handling_option: str | None = None,
    line_offsets: dict | None = None,
    marker=None,
    max_items=None,
) -> shapes.Simulation:
    """Simulate pasted policy documents (``Policy 1``, ``Policy 2``… and an optional boundary)."""
    authorize(actor, "iam:SimulateCustomPolicy", "*")
    actions, resources = _check_lists(action_names, resource_arns)
    if not policy_input_list:
        raise InvalidInput("Paste at least one policy document.")
    identity = [_parse(text, f"Policy {i}") for i, text in enumerate(policy_input_list, 1)]
    boundary = [_parse(text, "Permissions boundary") for text in permissions_boundary_policy_input_list[:1]]
    policy_set = engine.PolicySet(identity=identity, boundary=boundary or None)
    labels = [p.policy_id for p in identity] + [p.policy_id for p in boundary]
    return _run(
        actor,
        _with_resource_policy(policy_set, resource_policy),
        labels,
        "New policies",
        caller_arn or "",
        actions,
        resources,
        _context(context_entries),
        line_offsets,
        resource_owner=resource_owner,
    )


def simulator_choices(actor) -> dict[str, list[shapes.User | shapes.Group | shapes.Role]]:
    """The users, groups and roles the caller may list, for the simulator's chooser. A caller
    who may list none of them may still simulate pasted policies (iam:SimulateCustomPolicy),
    and is refused the page when it may not do that either."""
    from . import groups, roles, users
    from .paging import every_page

    actor = as_principal(actor)
    kinds = {
        "users": ("iam:ListUsers", user_arn(actor, ""), users.list_users),
        "groups": ("iam:ListGroups", group_arn(actor, ""), groups.list_groups),
        "roles": ("iam:ListRoles", role_arn(actor, ""), roles.list_roles),
    }
    choices = {
        kind: every_page(list_fn, actor) if is_allowed(actor, action, arn) else []
        for kind, (action, arn, list_fn) in kinds.items()
    }
    if not any(is_allowed(actor, action, arn) for action, arn, _ in kinds.values()):
        authorize(actor, "iam:SimulateCustomPolicy", "*")
    return choices

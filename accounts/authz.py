"""The authorization gate: may this principal perform this IAM action on this resource?

Every service function calls ``authorize`` before it reads or writes, so no caller (view,
API, command) can skip the check. Root may do everything in its own account. An IAM user is
decided by the policy engine (``accounts.policy``) on the policies that apply to it: its
attached and inline policies and its groups', within its permissions boundary. A few
self-service actions stay open to a user with no policy, as in AWS's console: viewing its
own user and credentials, and changing its own password where the account's password
policy allows it (or when the password must be changed at sign-in).

The principal's compiled ``PolicySet`` is cached per process, keyed by the account's
``authz_generation``, which every change of a policy, version, attachment or membership
bumps; the generation comes with the signed-in user's account row, so a cached decision
costs no query.
"""

import time
from collections import OrderedDict
from dataclasses import dataclass

from . import context as call_context
from . import policy as engine
from .errors import AccessDenied
from .services.base import current_record, record_failure, set_target

# What an IAM user may do to itself with no policy at all (see the module docstring).
SELF_SERVICE_ACTIONS = frozenset(
    {
        "iam:GetUser",
        "iam:GetLoginProfile",
        "iam:ListAccessKeys",
        "iam:ListMFADevices",
        "iam:ListGroupsForUser",
    }
)
# Open to every IAM user of the account when "Allow users to change their own password" is on.
CHANGE_OWN_PASSWORD_ACTIONS = frozenset({"iam:ChangePassword", "iam:GetAccountPasswordPolicy"})


@dataclass(frozen=True)
class LoadedPolicies:
    policy_set: engine.PolicySet
    considered: tuple[str, ...]  # labels of every policy that applies, for explanations


_CACHE_SIZE = 4096
_policy_sets: OrderedDict = OrderedDict()  # (identity pk, unique id, generation) -> LoadedPolicies
_compiled: OrderedDict = OrderedDict()  # (label, document) -> engine.Policy


def _compile(label: str, document: str) -> engine.Policy:
    key = (label, document)
    found = _compiled.get(key)
    if found is None:
        found = engine.parse_policy(document, policy_id=label)
        _compiled[key] = found
        if len(_compiled) > _CACHE_SIZE:
            _compiled.popitem(last=False)
    return found


def clear_caches() -> None:
    _policy_sets.clear()
    _compiled.clear()


def _load(principal) -> LoadedPolicies:
    """Read and compile the policies that apply to an IAM user (4 queries)."""
    from .models import InlinePolicy, PolicyVersion

    identity: list[engine.Policy] = []
    labels: list[str] = []

    def add(label, document):
        labels.append(label)
        identity.append(_compile(label, document))

    direct = PolicyVersion.objects.filter(policy__attached_users=principal, is_default=True)
    for name, document in direct.order_by("policy__name").values_list("policy__name", "document"):
        add(name, document)
    via_groups = PolicyVersion.objects.filter(policy__attached_groups__members=principal, is_default=True)
    for name, group, document in via_groups.order_by(
        "policy__attached_groups__name", "policy__name"
    ).values_list("policy__name", "policy__attached_groups__name", "document"):
        add(f"{name} (group {group})", document)
    inline = InlinePolicy.objects.filter(user=principal) | InlinePolicy.objects.filter(
        group__members=principal
    )
    for name, group, document in inline.order_by("group__name", "name").values_list(
        "name", "group__name", "document"
    ):
        add(f"{name} (inline, group {group})" if group else f"{name} (inline)", document)
    boundary = None
    if principal.permissions_boundary_id is not None:
        row = (
            PolicyVersion.objects.filter(policy_id=principal.permissions_boundary_id, is_default=True)
            .values_list("policy__name", "document")
            .first()
        )
        if row is not None:
            label = f"{row[0]} (permissions boundary)"
            labels.append(label)
            boundary = [_compile(label, row[1])]
    return LoadedPolicies(engine.PolicySet(identity=identity, boundary=boundary), tuple(labels))


def policies_for(principal) -> LoadedPolicies:
    """The principal's compiled policies, from the cache while the account's generation holds."""
    # The unique ID too: a primary key can come back (a test database rolled back), it cannot.
    key = (principal.pk, principal.unique_id, principal.account.authz_generation)
    found = _policy_sets.get(key)
    if found is None:
        found = _load(principal)
        _policy_sets[key] = found
        if len(_policy_sets) > _CACHE_SIZE:
            _policy_sets.popitem(last=False)
    return found


def request_context(principal) -> dict:
    """The global condition keys of a console request by ``principal``."""
    call = call_context.current()
    now = time.time()
    keys = {
        "aws:userid": principal.unique_id,
        "aws:CurrentTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "aws:EpochTime": str(int(now)),
        "aws:SecureTransport": call.secure_transport,
        "aws:MultiFactorAuthPresent": call.mfa_authenticated_at is not None,
        "aws:ViaAWSService": False,
    }
    if call.source_ip:
        keys["aws:SourceIp"] = call.source_ip
    if call.mfa_authenticated_at is not None:
        keys["aws:MultiFactorAuthAge"] = str(int(now - call.mfa_authenticated_at))
    return keys


def _in_account(principal, resource: str) -> bool:
    """The resource is the principal's account's, AWS's (managed policies) or names no account (S3)."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    return parts[4] in ("", "aws", principal.account.account_id)


def _self_service(principal, action: str, resource: str) -> bool:
    own = resource == principal.arn
    if action in SELF_SERVICE_ACTIONS and own:
        return True
    if action in CHANGE_OWN_PASSWORD_ACTIONS and (own or action == "iam:GetAccountPasswordPolicy"):
        rules = principal.account.password_rules()
        # A password that must be reset (or has expired) can always be changed at sign-in.
        must_change = principal.password_reset_required or principal.password_expired(rules)
        return rules.allow_users_to_change_password or must_change
    return False


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    decision: engine.Decision | None = None
    considered: tuple[str, ...] = ()


def decide(principal, action: str, resource: str) -> Verdict:
    """Decide one request; never raises (a failing engine denies)."""
    if not _in_account(principal, resource):
        return Verdict(False)
    if principal.is_root:
        return Verdict(True)
    try:
        loaded = policies_for(principal)
        decision = engine.evaluate(
            engine.RequestContext(
                action,
                resource,
                principal.arn,
                request_context(principal),
                principal_account=principal.account.account_id,
            ),
            loaded.policy_set,
        )
    except Exception:  # noqa: BLE001 - fail secure: an engine fault is a denial
        return Verdict(False)
    if decision.allowed:
        return Verdict(True, decision, loaded.considered)
    if decision.decision != "explicitDeny" and _self_service(principal, action, resource):
        return Verdict(True, decision, loaded.considered)
    return Verdict(False, decision, loaded.considered)


def is_allowed(principal, action: str, resource: str) -> bool:
    """True when ``principal`` may perform ``action`` on ``resource``; never raises."""
    return decide(principal, action, resource).allowed


def denial_message(principal, action: str, resource: str | None, decision=None) -> str:
    """AWS's AccessDenied text (implicit deny by identity-based policies unless ``decision`` says otherwise)."""
    if decision is not None and not decision.allowed:
        return engine.access_denied_message(principal.arn, action, resource, decision)
    on = f" on resource: {resource}" if resource else ""
    return f"User: {principal.arn} is not authorized to perform: {action}{on} because no identity-based policy allows the {action} action"


def authorize(principal, action: str, resource: str) -> None:
    """Raise AccessDenied (with AWS's message) unless ``principal`` may do ``action`` on ``resource``."""
    set_target(resource)
    verdict = decide(principal, action, resource)
    if not verdict.allowed:
        refusal = AccessDenied(
            denial_message(principal, action, resource, verdict.decision),
            decision=verdict.decision,
            considered=verdict.considered,
        )
        if current_record() is None:  # a page's own check: no service action will record it
            record_failure(
                actor=principal,
                action=action,
                target=resource,
                result=refusal.code,
                error_message=refusal.message,
            )
        raise refusal

"""The authorization gate: may this principal perform this action on this resource?

Every service function calls ``authorize`` before it reads or writes, so no caller (view,
API, command) can skip the check. Every principal goes through the policy engine with the
policies ``principals.policies_for`` builds: root (full access in its own account, which
only SCPs will limit), an IAM user (its policies and its groups', within its permissions
boundary), a role session (the role's policies, boundary and session policies).

AWS's own rules come first: ``sts:GetCallerIdentity`` is never denied; AWS managed policies
and roles on AWS's reserved paths cannot be changed by anyone in an account. A few
self-service actions stay open to an IAM user with no policy, as in AWS's console: viewing
its own user and credentials, and changing its own password where the account's password
policy allows it (or when the password must be changed at sign-in).
"""

import time
from dataclasses import dataclass

from . import audit
from . import context as call_context
from . import policy as engine
from .errors import AccessDenied
from .principals import (
    LoadedPolicies,
    Principal,
    as_principal,
    clear_caches,
    compile_policy,
    may_change_own_password,
)
from .principals import policies_for as _policies_for

__all__ = [
    "AWS_OWNED_WRITE_MESSAGE",
    "Verdict",
    "authorize",
    "clear_caches",
    "decide",
    "denial_message",
    "is_allowed",
    "policies_for",
    "request_context",
]

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
ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})
# Read-only IAM actions (prefixes, lower case): allowed on AWS-owned resources.
_READ_PREFIXES = ("iam:get", "iam:list", "iam:simulate", "iam:generate")
# Roles on these paths belong to AWS services (service-linked) or AWS (SSO): AWS changes them.
RESERVED_ROLE_PATHS = ("/aws-service-role/", "/aws-reserved/")
AWS_OWNED_WRITE_MESSAGE = (
    "Cannot perform {action} on {resource}: this resource is owned by AWS and only AWS can change it."
)


def policies_for(principal) -> LoadedPolicies:
    """The principal's (or an Identity's) compiled policies, cached per account generation."""
    return _policies_for(as_principal(principal))


def request_context(principal: Principal) -> dict:
    """The global condition keys of a request by ``principal`` (source IP, MFA, transport)."""
    call = call_context.current()
    now = time.time()
    keys = {
        "aws:userid": principal.user_id,
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
    if principal.source_arn:
        keys["aws:SourceIdentity"] = principal.source_arn.rsplit("/", 1)[-1]
    return keys


def _in_account(principal: Principal, resource: str) -> bool:
    """The resource is the principal's account's, AWS's (managed policies) or names no account (S3)."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    return parts[4] in ("", "aws", principal.account_id)


def aws_owned(action: str, resource: str) -> bool:
    """A write to an AWS managed policy or to a role on AWS's reserved paths."""
    lowered = action.lower()
    if lowered.startswith(_READ_PREFIXES):
        return False
    if resource.startswith("arn:aws:iam::aws:policy/"):
        return True
    if ":role/" in resource:
        path = resource.split(":role", 1)[1]
        return path.startswith(RESERVED_ROLE_PATHS)
    return False


def _self_service(principal: Principal, action: str, resource: str) -> bool:
    own = resource == principal.arn
    if action in SELF_SERVICE_ACTIONS and own and principal.identity_id is not None:
        return not principal.is_role_session
    if action in CHANGE_OWN_PASSWORD_ACTIONS and (own or action == "iam:GetAccountPasswordPolicy"):
        return may_change_own_password(principal)
    return False


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    decision: engine.Decision | None = None
    considered: tuple[str, ...] = ()
    reason: str = ""  # set when AWS's own rules refused (an AWS-owned resource)


def _request(principal: Principal, action: str, resource: str, context: dict, resource_account: str = ""):
    return engine.RequestContext(
        action,
        resource,
        principal.arn,
        context,
        principal_account=principal.account_id,
        resource_account=resource_account,
        role_arn=principal.role_arn,
    )


def decide_assume_role(
    principal, *, role_arn: str, role_account_id: str, trust_policy: str, extra_context=None, mfa_now=False
) -> Verdict:
    """sts:AssumeRole on a role of any account: the caller's identity side (its policies,
    boundary and session policies) and the role's trust policy, in one engine decision that
    applies AWS's same-account and cross-account rules. Never raises (a fault denies)."""
    principal = as_principal(principal)
    try:
        loaded = _policies_for(principal)
        trust = compile_policy(f"trust policy of {role_arn}", trust_policy, kind="trust")
        own = loaded.policy_set
        policy_set = engine.PolicySet(
            identity=own.identity, boundary=own.boundary, session=own.session, resource=trust
        )
        context = request_context(principal)
        if mfa_now:
            context["aws:MultiFactorAuthPresent"] = True
            context["aws:MultiFactorAuthAge"] = "0"
        context.update(extra_context or {})
        decision = engine.evaluate(
            _request(principal, "sts:AssumeRole", role_arn, context, role_account_id), policy_set
        )
    except Exception:  # noqa: BLE001 - fail secure
        return Verdict(False)
    return Verdict(decision.allowed, decision, loaded.considered + (f"trust policy of {role_arn}",))


def decide(
    principal,
    action: str,
    resource: str,
    *,
    context: dict | None = None,
    resource_policy: str | None = None,
    resource_account: str = "",
    resource_policy_label: str = "resource policy",
) -> Verdict:
    """Decide one request; never raises (a failing engine denies).

    ``context`` adds request-specific condition keys (``ec2:InstanceType``, ``s3:prefix``,
    ``aws:ResourceTag/…``). With ``resource_policy`` (a bucket policy, for instance) the engine
    weighs it with the caller's policies as AWS does, across accounts too (``resource_account``
    is the resource owner's account; a resource of another account is then not refused up
    front). The anonymous principal of an unsigned request is granted only by a resource
    policy's Allow for ``"*"``."""
    principal = as_principal(principal)
    if action.lower() in ALWAYS_ALLOWED:
        return Verdict(True)
    if principal.is_anonymous:
        # No account and no policies of its own: the resource policy alone decides (an Allow
        # naming "*"), never the cross-account rule that asks the caller's account too.
        if resource_policy is None:
            return Verdict(False)
        resource_account = ""
    if resource_policy is None and not _in_account(principal, resource):
        return Verdict(False)
    if aws_owned(action, resource):
        return Verdict(False, reason="aws-owned")
    try:
        loaded = _policies_for(principal)
        policy_set = loaded.policy_set
        considered = loaded.considered
        if resource_policy is not None:
            compiled = compile_policy(resource_policy_label, resource_policy, kind="resource")
            policy_set = engine.PolicySet(
                identity=policy_set.identity,
                boundary=policy_set.boundary,
                session=policy_set.session,
                scp_levels=policy_set.scp_levels,
                resource=compiled,
                is_root=policy_set.is_root,
            )
            considered = considered + (resource_policy_label,)
        keys = request_context(principal)
        if context:
            keys.update(context)
        decision = engine.evaluate(_request(principal, action, resource, keys, resource_account), policy_set)
    except Exception:  # noqa: BLE001 - fail secure: an engine fault is a denial
        return Verdict(False)
    if decision.allowed:
        return Verdict(True, decision, considered)
    if decision.decision != "explicitDeny" and _self_service(principal, action, resource):
        return Verdict(True, decision, considered)
    return Verdict(False, decision, considered)


def is_allowed(principal, action: str, resource: str, **options) -> bool:
    """True when ``principal`` may perform ``action`` on ``resource``; never raises."""
    return decide(principal, action, resource, **options).allowed


def denial_message(principal, action: str, resource: str | None, decision=None) -> str:
    """AWS's AccessDenied text (implicit deny by identity-based policies unless ``decision`` says otherwise)."""
    arn = principal.arn
    if decision is not None and not decision.allowed:
        return engine.access_denied_message(arn, action, resource, decision)
    on = f" on resource: {resource}" if resource else ""
    return f"User: {arn} is not authorized to perform: {action}{on} because no identity-based policy allows the {action} action"


def authorize(principal, action: str, resource: str, **options) -> None:
    """Raise AccessDenied (with AWS's message) unless ``principal`` may do ``action`` on
    ``resource`` (``options`` as for :func:`decide`)."""
    principal = as_principal(principal)
    audit.set_target(resource)
    verdict = decide(principal, action, resource, **options)
    if verdict.allowed:
        return
    message = (
        AWS_OWNED_WRITE_MESSAGE.format(action=action, resource=resource)
        if verdict.reason
        else denial_message(principal, action, resource, verdict.decision)
    )
    refusal = AccessDenied(
        message,
        decision=verdict.decision,
        considered=verdict.considered,
    )
    if audit.current_record() is None:  # a page's own check: no service action will record it
        audit.record_failure(
            actor=principal,
            action=action,
            target=resource,
            result=refusal.code,
            error_message=refusal.message,
        )
    raise refusal

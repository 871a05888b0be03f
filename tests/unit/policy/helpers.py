"""Small builders shared by the policy engine tests."""

from __future__ import annotations

import json

from accounts.policy import Decision, Policy, PolicySet, RequestContext, evaluate, parse_policy

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
USER = f"arn:aws:iam::{ACCOUNT}:user/kim"
V2012 = "2012-10-17"


def stmt(effect: str = "Allow", action: object = "*", resource: object = "*", **extra) -> dict:
    """A statement dict; pass ``resource=None`` to leave Resource out, extras verbatim."""
    s: dict = {"Effect": effect, "Action": action}
    if resource is not None:
        s["Resource"] = resource
    s.update(extra)
    return s


def doc(*statements: dict, version: str | None = V2012) -> str:
    body: dict = {}
    if version is not None:
        body["Version"] = version
    body["Statement"] = list(statements)
    return json.dumps(body, indent=2)


def policy(
    *statements: dict, kind: str = "identity", policy_id: str = "p1", version: str | None = V2012
) -> Policy:
    return parse_policy(doc(*statements, version=version), kind=kind, policy_id=policy_id)


def decide(
    identity: list[Policy] | Policy | dict | None,
    action: str,
    resource: str | None = "*",
    context: dict | None = None,
    principal: str = USER,
    *,
    boundary=None,
    session=None,
    scp_levels=None,
    resource_policy: Policy | None = None,
    is_root: bool = False,
    **request_kwargs,
) -> Decision:
    """Evaluate one request; ``identity`` may be a Policy, a list of them or one statement dict."""
    if isinstance(identity, dict):
        identity = [policy(identity)]
    elif isinstance(identity, Policy):
        identity = [identity]
    policies = PolicySet(
        identity=identity or [],
        boundary=boundary,
        session=session,
        scp_levels=scp_levels,
        resource=resource_policy,
        is_root=is_root,
    )
    return evaluate(RequestContext(action, resource, principal, context or {}, **request_kwargs), policies)


def condition_allows(operator: str, key: str, values: object, context: dict, *, version: str = V2012) -> bool:
    """Does an Allow statement with this one condition allow a request with ``context``?"""
    p = policy(stmt(Condition={operator: {key: values}}), version=version)
    return decide(p, "s3:GetObject", "*", context).allowed

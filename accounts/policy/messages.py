"""AWS's ``AccessDenied`` message text (UG troubleshoot_access-denied).

``User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no
identity-based policy allows the ACTION action`` for an implicit deny, ``... with an explicit
deny in an identity-based policy`` for an explicit one. An SCP denial is always worded as
"with an explicit deny in a service control policy", even when it is implicit. ``on
resource:`` is left out when there is no resource.
"""

from __future__ import annotations

from .evaluate import BOUNDARY, IDENTITY, RESOURCE, SCP, SESSION, TRUST, Decision

_WITH_ARTICLE = {
    IDENTITY: "an identity-based policy",
    SCP: "a service control policy",
    BOUNDARY: "a permissions boundary",
    SESSION: "a session policy",
    RESOURCE: "a resource-based policy",
    TRUST: "the role trust policy",
}


def access_denied_message(principal_arn: str, action: str, resource: str | None, decision: Decision) -> str:
    """The message AWS returns with ``AccessDenied`` for a denied ``decision``."""
    if decision.allowed:
        raise ValueError("access_denied_message() needs a denied decision")
    text = f"User: {principal_arn} is not authorized to perform: {action}"
    if resource:
        text += f" on resource: {resource}"
    policy_type = decision.denied_by or IDENTITY
    if policy_type == SCP or decision.decision == "explicitDeny":
        return f"{text} with an explicit deny in {_WITH_ARTICLE.get(policy_type, 'a ' + policy_type)}"
    return f"{text} because no {policy_type} allows the {action} action"

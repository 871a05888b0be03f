"""The IAM policy engine: pure Python, no Django.

Parse and validate policy documents with AWS's rules and messages, match actions, ARNs and
conditions (with policy variables), and decide requests with AWS's evaluation logic::

    from accounts.policy import PolicySet, RequestContext, evaluate, parse_policy

    admin = parse_policy(text, policy_id="AdministratorAccess")
    decision = evaluate(
        RequestContext("iam:CreateUser", "arn:aws:iam::123456789012:user/lee",
                       "arn:aws:iam::123456789012:user/kim"),
        PolicySet(identity=[admin]),
    )
    decision.allowed, decision.decision, decision.matched_statements
"""

from .document import (
    KINDS,
    MatchedStatement,
    Policy,
    Position,
    Statement,
    parse_policy,
)
from .errors import MalformedPolicyDocument
from .evaluate import Decision, PolicySet, RequestContext, evaluate
from .limits import (
    DOCUMENT_MAX_LENGTH,
    INLINE_POLICY_TOTAL_MAX,
    MANAGED_POLICY_MAX,
    SCP_MAX,
    TRUST_POLICY_MAX,
    policy_size,
    size_error,
)
from .messages import access_denied_message

__all__ = [
    "DOCUMENT_MAX_LENGTH",
    "INLINE_POLICY_TOTAL_MAX",
    "KINDS",
    "MANAGED_POLICY_MAX",
    "SCP_MAX",
    "TRUST_POLICY_MAX",
    "Decision",
    "MalformedPolicyDocument",
    "MatchedStatement",
    "Policy",
    "PolicySet",
    "Position",
    "RequestContext",
    "Statement",
    "access_denied_message",
    "evaluate",
    "parse_policy",
    "policy_size",
    "size_error",
]

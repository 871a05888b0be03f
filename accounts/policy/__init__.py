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

Notes for callers:

* ``parse_policy(..., strict_version=True)`` is what CreatePolicy/CreatePolicyVersion do
  (a missing or 2008-10-17 Version is rejected); without it a missing Version is legacy
  (2008-10-17: variables are literal), as inline, trust and resource policies allow.
* Parse once and keep the :class:`Policy` objects; a :class:`PolicySet` caches, per action,
  the statements that can apply. PolicySets built from the same Policy objects share that
  cache, so building one per request is cheap, keeping one per principal is cheaper.
* ``RequestContext`` derives ``aws:username``, ``aws:PrincipalArn``, ``aws:PrincipalAccount``,
  ``aws:PrincipalType``, ``aws:CurrentTime`` and ``aws:EpochTime`` when the context lacks them.
* ``python -m accounts.policy simulate-custom-policy --cli-input-json file://case.json``
  runs IAM's SimulateCustomPolicy on the command line (see :mod:`accounts.policy.simulate`).

Modules, one concern each:

* ``validate``: :func:`parse_policy`: read the JSON, check it with AWS's rules in AWS's order,
  compile it into the model;
* ``model``: the compiled, immutable policy (:class:`Policy`, :class:`Statement`, the
  principal and resource matchers, :class:`MatchedStatement`, :class:`Position`);
* ``patterns``: wildcard matching of actions, ARNs and strings, in linear time;
* ``conditions``: the condition operators; ``variables``: policy variables (``${...}``);
* ``evaluate``: :class:`RequestContext`, :class:`PolicySet` and :func:`evaluate` (AWS's
  evaluation logic); ``messages``: AWS's AccessDenied wording; ``limits``: size quotas;
* ``errors``: :class:`MalformedPolicyDocument` and AWS's messages; ``jsonpos``: a strict JSON
  reader that keeps positions; ``simulate`` (and ``__main__``): SimulateCustomPolicy and its CLI.
"""

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
from .model import KINDS, MatchedStatement, Policy, Position, Statement
from .validate import parse_policy

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

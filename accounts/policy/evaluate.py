"""Decide a request with AWS's policy evaluation logic.

Order (UG reference_policies_evaluation-logic, "Determining whether a request is allowed or
denied within an account"):

1. **Explicit deny**: a matching ``Deny`` in any applicable policy (SCPs, the resource-based
   policy, identity-based policies, the permissions boundary, session policies) wins.
2. **SCPs** (``scp_levels``, organization root first, the account last): every level must
   contain a matching ``Allow``; a level with no policy allows nothing. AWS words an SCP
   denial as "explicit deny in a service control policy" even when it is implicit; the
   decision here stays ``implicitDeny`` (no Deny statement matched) and ``denied_by`` is
   ``"service control policy"`` so :func:`access_denied_message` can word it as AWS does.
3. **Root**: the account root user has full access to its account's resources; only SCPs
   (and explicit denies in resource-based policies) limit it. Another account's resource
   (``resource_account``) must still grant it in its resource-based policy.
4. **Resource-based policy** (same account): an ``Allow`` naming the caller itself (user ARN,
   session ARN, a service) or ``"*"`` grants the request by itself, not limited by implicit
   denies in identity policies, the boundary or session policies. An ``Allow`` naming the
   role of a calling role session grants without an identity ``Allow`` but stays limited by
   the boundary and session policies. An ``Allow`` naming the account (``"123456789012"``
   or ``arn:aws:iam::123456789012:root``) delegates to the account: the identity policies
   must still allow. A role trust policy (kind ``trust``) must allow the caller explicitly.
   Cross-account (``resource_account`` given and different from the caller's account):
   both the resource-based policy and the caller's identity side must allow.
5. **Identity-based policies**: some ``Allow`` must match, else implicit deny.
6. **Permissions boundary** (when set): must allow.
7. **Session policy** (when set): must allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from .model import (
    STRENGTH_DIRECT,
    STRENGTH_NONE,
    STRENGTH_ROLE,
    MatchedStatement,
    Policy,
    Statement,
)

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"

IDENTITY = "identity-based policy"
SCP = "service control policy"
BOUNDARY = "permissions boundary"
SESSION = "session policy"
RESOURCE = "resource-based policy"
TRUST = "role trust policy"


class RequestContext:
    """One request: who (``principal_arn``), does what (``action``), to what (``resource``).

    ``context`` maps condition keys (any case) to a string, a list of strings, a bool or a
    number. ``principal_type`` is ``"AWS"`` for IAM principals (the default) or
    ``"Service"``/``"Federated"``/``"CanonicalUser"`` with the identifier in ``principal_arn``.
    ``role_arn`` is the role of a role session (derived from an ``assumed-role`` ARN when not
    given). With ``derive_keys`` (the default) a few global keys the request did not supply are
    derived from the principal ARN: ``aws:PrincipalArn``, ``aws:PrincipalAccount``,
    ``aws:PrincipalType`` and, for an IAM user, ``aws:username``. With ``derive_time`` (the
    default) ``aws:CurrentTime`` and ``aws:EpochTime``, present in every AWS request, come from
    ``now`` (a timezone-aware datetime; the current UTC time when ``None``) unless supplied.
    """

    __slots__ = (
        "action",
        "resource",
        "principal_arn",
        "context",
        "_principal_account",
        "resource_account",
        "principal_type",
        "_role_arn",
        "derive_keys",
        "derive_time",
        "now",
        "_lower",
        "lookup",
    )

    def __init__(
        self,
        action: str,
        resource: str | None,
        principal_arn: str,
        context: dict | None = None,
        principal_account: str = "",
        resource_account: str = "",
        *,
        principal_type: str = "AWS",
        role_arn: str = "",
        derive_keys: bool = True,
        derive_time: bool = True,
        now: datetime | None = None,
    ):
        self.action = action
        self.resource = resource
        self.principal_arn = principal_arn
        self.context = context if context is not None else {}
        self._principal_account = principal_account or None
        self.resource_account = resource_account
        self.principal_type = principal_type
        self._role_arn = role_arn or None
        self.derive_keys = derive_keys
        self.derive_time = derive_time
        self.now = now
        self._lower: dict | None = None
        self.lookup = self._lookup

    def __repr__(self) -> str:
        return (
            f"RequestContext(action={self.action!r}, resource={self.resource!r}, "
            f"principal_arn={self.principal_arn!r})"
        )

    @property
    def principal_account(self) -> str:
        acct = self._principal_account
        if acct is None:
            parts = self.principal_arn.split(":")
            acct = parts[4] if len(parts) > 5 and parts[0] == "arn" else ""
            self._principal_account = acct
        return acct

    @property
    def role_arn(self) -> str:
        role = self._role_arn
        if role is None:
            role = ""
            parts = self.principal_arn.split(":", 5)
            if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
                segments = parts[5].split("/")
                if len(segments) >= 3:
                    role = f"arn:{parts[1]}:iam::{parts[4]}:role/{segments[1]}"
            self._role_arn = role
        return role

    def _lookup(self, key: str, key_lower: str) -> object:
        """The context value for a condition key (case-insensitive), or ``None``."""
        ctx = self.context
        value = ctx.get(key)
        if value is not None:
            return value
        lower = self._lower
        if lower is None:
            # Requests from one caller carry the same key names over and over: remember the
            # lower-case map per tuple of names instead of rebuilding it for every request.
            names = tuple(ctx)
            lower = _KEY_MAPS.get(names)
            if lower is None:
                lower = {str(k).lower(): k for k in names}
                if len(_KEY_MAPS) >= 1024:
                    _KEY_MAPS.clear()
                _KEY_MAPS[names] = lower
            self._lower = lower
        name = lower.get(key_lower)
        if name is not None:
            value = ctx.get(name)
            if value is not None:
                return value
        if self.derive_keys:
            derived = _DERIVED.get((self.principal_arn, self.principal_type))
            if derived is None:
                derived = _derive_keys(self.principal_arn, self.principal_type, self.principal_account)
                if len(_DERIVED) >= 1024:
                    _DERIVED.clear()
                _DERIVED[(self.principal_arn, self.principal_type)] = derived
            value = derived.get(key_lower)
            if value is not None:
                return value
        if self.derive_time and key_lower in _TIME_KEYS:
            now = self.now or datetime.now(UTC)
            if key_lower == "aws:currenttime":
                return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            return str(int(now.timestamp()))
        return None


_KEY_MAPS: dict[tuple, dict[str, object]] = {}
_TIME_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
_DERIVED: dict[tuple[str, str], dict[str, str]] = {}


def _derive_keys(arn: str, principal_type: str, account: str) -> dict[str, str]:
    """Global condition keys that follow from the principal ARN alone."""
    out: dict[str, str] = {}
    if arn:
        out["aws:principalarn"] = arn
    if account:
        out["aws:principalaccount"] = account
    if principal_type != "AWS":
        return out
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 else ""
    if parts[2:3] == ["iam"] and resource.startswith("user/"):
        out["aws:username"] = resource.rsplit("/", 1)[-1]
        out["aws:principaltype"] = "User"
    elif resource == "root":
        out["aws:principaltype"] = "Account"
    elif resource.startswith("assumed-role/"):
        out["aws:principaltype"] = "AssumedRole"
    elif resource.startswith("federated-user/"):
        out["aws:principaltype"] = "FederatedUser"
    return out


class PolicySet:
    """The policies that apply to one principal. Immutable; cache and reuse it.

    ``identity``: the user's (or role's) managed and inline policies plus its groups';
    ``boundary``: the permissions boundary (``None`` when the entity has none);
    ``session``: session policies (``None`` when not a session with policies);
    ``scp_levels``: SCPs per level, organization root first, the account last (``None``
    when the account is not governed by SCPs, e.g. the management account);
    ``resource``: the resource-based (or role trust) policy of the resource, if any;
    ``is_root``: the caller is the account root user.
    """

    __slots__ = ("identity", "boundary", "session", "scp_levels", "resource", "is_root", "_index")

    def __init__(
        self,
        identity: Iterable[Policy] = (),
        boundary: Iterable[Policy] | Policy | None = None,
        session: Iterable[Policy] | Policy | None = None,
        scp_levels: Iterable[Iterable[Policy]] | None = None,
        resource: Policy | None = None,
        is_root: bool = False,
    ):
        self.identity = tuple(identity)
        self.boundary = _policy_tuple(boundary)
        self.session = _policy_tuple(session)
        self.scp_levels = None if scp_levels is None else tuple(tuple(level) for level in scp_levels)
        self.resource = resource
        self.is_root = bool(is_root)
        # The per-action index depends only on which (immutable) policies are in the set, so
        # PolicySets built afresh for every request from cached Policy objects share it.
        key = (self.identity, self.boundary, self.session, self.scp_levels, resource, self.is_root)
        index = _SHARED_INDEXES.get(key)
        if index is None:
            if len(_SHARED_INDEXES) >= 512:
                _SHARED_INDEXES.clear()
            index = _SHARED_INDEXES[key] = {}
        self._index: dict[str, _ActionIndex] = index

    def __repr__(self) -> str:
        return (
            f"PolicySet(identity={len(self.identity)}, boundary={self.boundary is not None}, "
            f"session={self.session is not None}, scp_levels="
            f"{None if self.scp_levels is None else len(self.scp_levels)}, "
            f"resource={self.resource is not None}, is_root={self.is_root})"
        )

    def index(self, action: str) -> _ActionIndex:
        found = self._index.get(action)
        if found is None:
            found = _ActionIndex(self, action.lower())
            if len(self._index) >= 2048:
                self._index.clear()
            self._index[action] = found
        return found


_SHARED_INDEXES: dict[tuple, dict[str, _ActionIndex]] = {}


def _policy_tuple(value) -> tuple[Policy, ...] | None:
    if value is None:
        return None
    if isinstance(value, Policy):
        return (value,)
    return tuple(value)


class _ActionIndex:
    """The statements of a PolicySet whose Action/NotAction covers one action."""

    __slots__ = (
        "denies",
        "identity_deny",
        "identity_deny_refs",
        "identity_allow",
        "identity_allow_refs",
        "boundary_allow",
        "session_allow",
        "resource_allow",
        "scp_allow",
        "simple",
    )

    def __init__(self, ps: PolicySet, action_lower: str):
        def gather(policies: Sequence[Policy] | None) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
            allows: list[Statement] = []
            denies: list[Statement] = []
            for p in policies or ():
                a, d = p.candidates(action_lower)
                allows.extend(a)
                denies.extend(d)
            return tuple(allows), tuple(denies)

        # explicit denies, in the order AWS lists the policy types it looks through
        denies: list[tuple[str, Statement]] = []
        scp_allow = None
        if ps.scp_levels is not None:
            scp_allow = []
            for level in ps.scp_levels:
                a, d = gather(level)
                scp_allow.append(a)
                denies.extend((SCP, st) for st in d)
        resource_allow: tuple[Statement, ...] = ()
        if ps.resource is not None:
            a, d = gather((ps.resource,))
            resource_allow = a
            label = TRUST if ps.resource.kind == "trust" else RESOURCE
            denies.extend((label, st) for st in d)
        identity_allow, d = gather(ps.identity)
        self.identity_deny = d
        # when no statement needs a check, the matched list is known in advance
        self.identity_deny_refs = tuple(st.ref for st in d) if all(st.always for st in d) else None
        self.identity_allow_refs = (
            tuple(st.ref for st in identity_allow) if all(st.always for st in identity_allow) else None
        )
        denies.extend((IDENTITY, st) for st in d)
        boundary_allow, d = gather(ps.boundary)
        denies.extend((BOUNDARY, st) for st in d)
        session_allow, d = gather(ps.session)
        denies.extend((SESSION, st) for st in d)
        self.denies = tuple(denies)
        self.identity_allow = identity_allow
        self.boundary_allow = boundary_allow if ps.boundary is not None else None
        self.session_allow = session_allow if ps.session is not None else None
        self.resource_allow = resource_allow
        self.scp_allow = tuple(scp_allow) if scp_allow is not None else None
        # the common case: only identity policies
        self.simple = (
            ps.scp_levels is None
            and ps.resource is None
            and ps.boundary is None
            and ps.session is None
            and not ps.is_root
        )


class Decision:
    """The outcome of :func:`evaluate`.

    ``decision``: ``"allowed"``, ``"explicitDeny"`` or ``"implicitDeny"``; ``allowed``: bool;
    ``matched_statements``: the Allow statements that matched (allowed), the Deny statements
    (explicitDeny), nothing (implicitDeny); ``denied_by``: the policy type that denied
    (``None`` when allowed); ``missing_context_values``: condition keys (and policy variables)
    the request did not supply; ``allowed_by_boundary`` / ``allowed_by_organizations``: whether
    the permissions boundary / the SCPs allow the request (``None`` when not applicable).
    """

    __slots__ = (
        "decision",
        "allowed",
        "matched_statements",
        "denied_by",
        "missing_context_values",
        "allowed_by_boundary",
        "allowed_by_organizations",
    )

    def __init__(
        self,
        decision: str,
        matched_statements: list[MatchedStatement],
        denied_by: str | None,
        missing_context_values: list[str],
        allowed_by_boundary: bool | None = None,
        allowed_by_organizations: bool | None = None,
    ):
        self.decision = decision
        self.allowed = decision == ALLOWED
        self.matched_statements = matched_statements
        self.denied_by = denied_by
        self.missing_context_values = missing_context_values
        self.allowed_by_boundary = allowed_by_boundary
        self.allowed_by_organizations = allowed_by_organizations

    def __repr__(self) -> str:
        return (
            f"Decision({self.decision!r}, denied_by={self.denied_by!r}, matched={self.matched_statements!r})"
        )


def evaluate(request: RequestContext, policies: PolicySet) -> Decision:
    """Decide ``request`` against ``policies`` (see the module docstring for the rules)."""
    idx = policies._index.get(request.action) or policies.index(request.action)
    lookup = request.lookup
    missing: list[str] = []

    if idx.simple and not request.resource_account:  # identity policies only: kept lean
        refs = idx.identity_deny_refs
        if refs is not None:
            if refs:
                return Decision(EXPLICIT_DENY, list(refs), IDENTITY, missing)
        else:
            denied = []
            for st in idx.identity_deny:
                if st.always or st.applies(request, lookup, missing):
                    denied.append(st.ref)
            if denied:
                return Decision(EXPLICIT_DENY, denied, IDENTITY, missing)
        refs = idx.identity_allow_refs
        if refs is not None:
            matched = list(refs)
        else:
            matched = []
            for st in idx.identity_allow:
                if st.always or st.applies(request, lookup, missing):
                    matched.append(st.ref)
        if matched:
            return Decision(ALLOWED, matched, None, missing)
        return Decision(IMPLICIT_DENY, matched, IDENTITY, missing)

    # 1. explicit deny
    denied = None
    denied_by = None
    resource_policy = policies.resource
    for label, st in idx.denies:
        if st.principal is not None and st.principal.strength(request) == STRENGTH_NONE:
            continue
        if st.always or st.applies(request, lookup, missing):
            if denied is None:
                denied = []
                denied_by = label
            denied.append(st.ref)

    # evaluate every allow group (so the decision details and missing keys are complete)
    scp_ok: bool | None = None
    scp_matched: list[MatchedStatement] = []
    if idx.scp_allow is not None:
        scp_ok = True
        for level in idx.scp_allow:
            level_hits = [st.ref for st in level if (st.always or st.applies(request, lookup, missing))]
            if not level_hits:
                scp_ok = False
            scp_matched.extend(level_hits)
    strength = STRENGTH_NONE
    resource_matched: list[MatchedStatement] = []
    for st in idx.resource_allow:
        s = st.principal.strength(request) if st.principal is not None else STRENGTH_DIRECT
        if s and (st.always or st.applies(request, lookup, missing)):
            resource_matched.append(st.ref)
            if s > strength:
                strength = s
    identity_matched = [
        st.ref for st in idx.identity_allow if (st.always or st.applies(request, lookup, missing))
    ]
    boundary_ok: bool | None = None
    boundary_matched: list[MatchedStatement] = []
    if idx.boundary_allow is not None:
        boundary_matched = [
            st.ref for st in idx.boundary_allow if (st.always or st.applies(request, lookup, missing))
        ]
        boundary_ok = bool(boundary_matched)
    session_ok: bool | None = None
    session_matched: list[MatchedStatement] = []
    if idx.session_allow is not None:
        session_matched = [
            st.ref for st in idx.session_allow if (st.always or st.applies(request, lookup, missing))
        ]
        session_ok = bool(session_matched)

    def decide(decision: str, matched: list[MatchedStatement], by: str | None) -> Decision:
        return Decision(decision, matched, by, missing, boundary_ok, scp_ok)

    if denied is not None:
        return decide(EXPLICIT_DENY, denied, denied_by)
    if scp_ok is False:
        return decide(IMPLICIT_DENY, [], SCP)

    resource_label = TRUST if resource_policy is not None and resource_policy.kind == "trust" else RESOURCE
    cross_account = bool(request.resource_account and request.resource_account != request.principal_account)
    if policies.is_root:
        # Root's full access is to its own account's resources: another account's resource
        # must still grant it through its resource-based policy.
        if cross_account and not resource_matched:
            return decide(IMPLICIT_DENY, [], resource_label)
        return decide(ALLOWED, identity_matched + resource_matched + scp_matched, None)
    needs_identity = True
    if cross_account:
        if not resource_matched:
            return decide(IMPLICIT_DENY, [], resource_label)
    elif strength == STRENGTH_DIRECT:
        return decide(ALLOWED, resource_matched + identity_matched + scp_matched, None)
    elif strength == STRENGTH_ROLE:
        needs_identity = False
    elif resource_policy is not None and resource_policy.kind == "trust" and not resource_matched:
        return decide(IMPLICIT_DENY, [], TRUST)

    if needs_identity and not identity_matched:
        return decide(IMPLICIT_DENY, [], IDENTITY)
    if boundary_ok is False:
        return decide(IMPLICIT_DENY, [], BOUNDARY)
    if session_ok is False:
        return decide(IMPLICIT_DENY, [], SESSION)
    matched = identity_matched + resource_matched + boundary_matched + session_matched + scp_matched
    return decide(ALLOWED, matched, None)

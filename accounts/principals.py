"""Principals: who is acting, and the policies that apply to them.

A :class:`Principal` is what the gate decides for and what every service takes as its
``actor``: the account's root user, an IAM user, a role session (``assumed-role/ROLE/
SESSION``, from AssumeRole or the console's Switch role), or the anonymous principal of an
unsigned request (S3's public access: only a resource-based policy grants it anything). It
is plain data, built once per request (by the console's middleware from the signed-in
identity and its switched role, or by the API from the request's credentials).

:func:`policies_for` builds a principal's engine ``PolicySet`` (identity policies, permissions
boundary, session policies; root's is empty and marked ``is_root``, so that SCPs can limit it
when Organizations arrives) and caches it per process, keyed by the account's
``authz_generation``: every change of a policy, version, attachment or membership bumps it.

Floors: this module reads the models and the engine; the gate (``authz``) sits on it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

from . import policy as engine
from .identifiers import iam_arn


class PrincipalType(StrEnum):
    """CloudTrail's ``userIdentity.type`` names."""

    ROOT = "Root"
    IAM_USER = "IAMUser"
    ASSUMED_ROLE = "AssumedRole"
    # An unsigned request (CloudTrail: accountId "anonymous"): no account, no ARN, no policies.
    ANONYMOUS = "Anonymous"


@dataclass(eq=False)
class Principal:
    """The caller of a service function.

    ``user_id`` is ``aws:userid`` (the user's AIDA… ID, the account ID for root,
    ``AROA…:session`` for a role session). ``identity_id`` is the acting root or IAM user's
    row (also behind a GetSessionToken session); ``role_id`` the assumed role's.
    ``source_arn`` names who started a role session. ``authz_generation`` is the account's
    generation when the principal was built; a service that changes policies moves it on.
    """

    type: PrincipalType
    account_id: str
    arn: str
    user_id: str
    name: str = ""
    path: str = "/"
    identity_id: int | None = None
    role_id: int | None = None
    role_unique_id: str = ""
    session_name: str = ""
    source_arn: str = ""
    session_policies: tuple[str, ...] = ()
    credential_id: int | None = None  # the temporary credential this principal signed with
    credential_kind: str = ""  # "assumed-role" | "session-token" for temporary credentials
    authz_generation: int = 0

    @property
    def is_root(self) -> bool:
        return self.type == PrincipalType.ROOT

    @property
    def is_role_session(self) -> bool:
        return self.type == PrincipalType.ASSUMED_ROLE

    @property
    def is_anonymous(self) -> bool:
        return self.type == PrincipalType.ANONYMOUS

    @property
    def role_arn(self) -> str:
        return iam_arn(self.account_id, "role", self.path, self.name) if self.is_role_session else ""

    def __repr__(self) -> str:
        return f"Principal({self.arn})"


def principal_for_identity(identity, *, fresh: bool = False) -> Principal:
    """The principal of a root or IAM user ``Identity`` (its ``account`` loaded).

    ``fresh`` reads the account's authorization generation from the database instead of the
    loaded row (for identities held across changes, as tests and commands hold them)."""
    from .models import Account

    generation = identity.account.authz_generation
    if fresh:
        generation = (
            Account.objects.filter(pk=identity.account_id).values_list("authz_generation", flat=True).first()
        ) or 0
    if identity.is_root:
        return Principal(
            type=PrincipalType.ROOT,
            account_id=identity.account_id,
            arn=iam_arn(identity.account_id, "root"),
            user_id=identity.account_id,
            identity_id=identity.pk,
            authz_generation=generation,
        )
    return Principal(
        type=PrincipalType.IAM_USER,
        account_id=identity.account_id,
        arn=iam_arn(identity.account_id, "user", identity.path, identity.name),
        user_id=identity.unique_id,
        name=identity.name,
        path=identity.path,
        identity_id=identity.pk,
        authz_generation=generation,
    )


def session_arn(account_id: str, role_name: str, session_name: str) -> str:
    """``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`` (the role's path is not in it)."""
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def role_session_principal(
    *,
    account_id: str,
    role_id: int,
    role_name: str,
    role_path: str,
    role_unique_id: str,
    session_name: str,
    source_arn: str,
    session_policies: tuple[str, ...] = (),
    credential_id: int | None = None,
    authz_generation: int = 0,
) -> Principal:
    return Principal(
        type=PrincipalType.ASSUMED_ROLE,
        account_id=account_id,
        arn=session_arn(account_id, role_name, session_name),
        user_id=f"{role_unique_id}:{session_name}",
        name=role_name,
        path=role_path,
        role_id=role_id,
        role_unique_id=role_unique_id,
        session_name=session_name,
        source_arn=source_arn,
        session_policies=tuple(session_policies),
        credential_id=credential_id,
        authz_generation=authz_generation,
    )


def anonymous_principal() -> Principal:
    """The caller of an unsigned request: no account and no ARN (so that no account principal
    and no ``aws:PrincipalArn`` matches it), ``aws:userid`` ``anonymous`` as AWS sets it."""
    return Principal(
        type=PrincipalType.ANONYMOUS, account_id="", arn="", user_id="anonymous", name="anonymous"
    )


def as_principal(actor) -> Principal:
    """``actor`` as a Principal: a Principal as it is, an ``Identity`` converted (fresh)."""
    if isinstance(actor, Principal):
        return actor
    return principal_for_identity(actor, fresh=True)


# --- the policies that apply ----------------------------------------------------------------


@dataclass(frozen=True)
class LoadedPolicies:
    policy_set: engine.PolicySet
    considered: tuple[str, ...]  # labels of every policy that applies, for explanations


_CACHE_SIZE = 4096
_policy_sets: OrderedDict = OrderedDict()  # cache key -> LoadedPolicies
_compiled: OrderedDict = OrderedDict()  # (label, document, kind) -> engine.Policy


def compile_policy(label: str, document: str, kind: str = "identity") -> engine.Policy:
    """Parse a stored policy document once per process (documents are immutable text)."""
    key = (label, document, kind)
    found = _compiled.get(key)
    if found is None:
        found = engine.parse_policy(document, policy_id=label, kind=kind)
        _compiled[key] = found
        if len(_compiled) > _CACHE_SIZE:
            _compiled.popitem(last=False)
    return found


def clear_caches() -> None:
    _policy_sets.clear()
    _compiled.clear()


class _Collector:
    def __init__(self):
        self.identity: list[engine.Policy] = []
        self.labels: list[str] = []
        self.boundary: list[engine.Policy] | None = None

    def add(self, label: str, document: str) -> None:
        self.labels.append(label)
        self.identity.append(compile_policy(label, document))

    def add_boundary(self, row) -> None:
        if row is not None:
            label = f"{row[0]} (permissions boundary)"
            self.labels.append(label)
            self.boundary = [compile_policy(label, row[1])]


def _load_user(identity_id: int) -> _Collector:
    """An IAM user's attached, group and inline policies and its boundary (4 queries)."""
    from .models import InlinePolicy, PolicyVersion

    out = _Collector()
    direct = PolicyVersion.objects.filter(policy__attached_users=identity_id, is_default=True)
    for name, document in direct.order_by("policy__name").values_list("policy__name", "document"):
        out.add(name, document)
    via_groups = PolicyVersion.objects.filter(policy__attached_groups__members=identity_id, is_default=True)
    for name, group, document in via_groups.order_by(
        "policy__attached_groups__name", "policy__name"
    ).values_list("policy__name", "policy__attached_groups__name", "document"):
        out.add(f"{name} (group {group})", document)
    inline = InlinePolicy.objects.filter(user=identity_id) | InlinePolicy.objects.filter(
        group__members=identity_id
    )
    for name, group, document in inline.order_by("group__name", "name").values_list(
        "name", "group__name", "document"
    ):
        out.add(f"{name} (inline, group {group})" if group else f"{name} (inline)", document)
    boundary = PolicyVersion.objects.filter(policy__boundary_of=identity_id, is_default=True)
    out.add_boundary(boundary.values_list("policy__name", "document").first())
    return out


def _load_entity(kind: str, entity_id: int) -> _Collector:
    """A group's or role's attached and inline policies, and a role's boundary (2–3 queries)."""
    from .models import InlinePolicy, PolicyVersion

    out = _Collector()
    attached = PolicyVersion.objects.filter(**{f"policy__attached_{kind}s": entity_id, "is_default": True})
    for name, document in attached.order_by("policy__name").values_list("policy__name", "document"):
        out.add(name, document)
    inline = InlinePolicy.objects.filter(**{kind: entity_id}).order_by("name").values_list("name", "document")
    for name, document in inline:
        out.add(f"{name} (inline)", document)
    if kind == "role":
        boundary = PolicyVersion.objects.filter(policy__boundary_of_roles=entity_id, is_default=True)
        out.add_boundary(boundary.values_list("policy__name", "document").first())
    return out


def entity_policies(kind: str, entity_id: int) -> LoadedPolicies:
    """The policies of a user, group or role as the policy simulator evaluates them (no cache:
    a simulation reads what is stored now)."""
    found = _load_user(entity_id) if kind == "user" else _load_entity(kind, entity_id)
    return LoadedPolicies(
        engine.PolicySet(identity=found.identity, boundary=found.boundary), tuple(found.labels)
    )


def policies_for(principal: Principal) -> LoadedPolicies:
    """The principal's compiled policies, from the cache while the account's generation holds."""
    if principal.is_root:
        return _ROOT
    if principal.is_anonymous:
        return _ANONYMOUS
    if principal.is_role_session:
        key = (
            "role",
            principal.role_id,
            principal.role_unique_id,
            principal.authz_generation,
            principal.session_policies,
        )
    else:
        # The unique ID too: a primary key can come back (a test database rolled back), it cannot.
        key = ("user", principal.identity_id, principal.user_id, principal.authz_generation)
    found = _policy_sets.get(key)
    if found is None:
        found = _load(principal)
        _policy_sets[key] = found
        if len(_policy_sets) > _CACHE_SIZE:
            _policy_sets.popitem(last=False)
    return found


_ROOT = LoadedPolicies(engine.PolicySet(is_root=True), ())
_ANONYMOUS = LoadedPolicies(engine.PolicySet(), ())


def _load(principal: Principal) -> LoadedPolicies:
    if not principal.is_role_session:
        found = _load_user(principal.identity_id)
        return LoadedPolicies(
            engine.PolicySet(identity=found.identity, boundary=found.boundary), tuple(found.labels)
        )
    found = _load_entity("role", principal.role_id)
    session = None
    labels = list(found.labels)
    if principal.session_policies:
        session = []
        for n, document in enumerate(principal.session_policies, 1):
            label = f"session policy {n}"
            labels.append(label)
            session.append(compile_policy(label, document))
    return LoadedPolicies(
        engine.PolicySet(identity=found.identity, boundary=found.boundary, session=session), tuple(labels)
    )


def may_change_own_password(principal: Principal) -> bool:
    """AWS's console rule: an IAM user may change its own password when the account's password
    policy allows it, or when its password must be changed (reset required or expired)."""
    from .models import Identity

    if principal.type != PrincipalType.IAM_USER:
        return False
    identity = Identity.objects.select_related("account").filter(pk=principal.identity_id).first()
    if identity is None:
        return False
    rules = identity.account.password_rules()
    return (
        rules.allow_users_to_change_password
        or identity.password_reset_required
        or identity.password_expired(rules)
    )

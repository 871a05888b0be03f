"""Account-scoped reads for the services: every lookup stays inside the caller's account.

An object of another account is simply not found (NoSuchEntity → 404), so IDOR holes close
by construction. A name that breaks AWS's name rules names nothing and costs no query (a NUL
byte breaks PostgreSQL's lookups, a 100,000-character pattern SQLite's). These return model
rows for the services' own use; services hand callers shapes, never rows.
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, Q
from django.db.models.functions import Lower

from .. import rawsql
from ..errors import NoSuchEntity
from ..identifiers import could_be_arn, could_be_version_id, iam_arn, name_key
from ..models import Account, Group, Identity, ManagedPolicy, PolicyVersion, Role


def user_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account_id, "user", path, name)


def group_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account_id, "group", path, name)


def role_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account_id, "role", path, name)


def policy_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account_id, "policy", path, name)


def resolve_account_id(text: str) -> str | None:
    """The 12-digit ID of the account a sign-in or switch-role field names (ID, dashed ID or
    alias), or None."""
    value = (text or "").strip()
    digits = value.replace("-", "")
    if len(digits) == 12 and digits.isdigit():
        return digits if Account.objects.filter(account_id=digits).exists() else None
    return Account.objects.filter(alias=value.lower()).values_list("account_id", flat=True).first()


def account_of(actor, *, for_update: bool = False) -> Account:
    qs = Account.objects.select_related("password_policy")
    # Lock the account row only: the password policy is joined on the nullable side of an
    # outer join, which PostgreSQL refuses to lock.
    qs = qs.select_for_update(of=("self",)) if for_update else qs
    return qs.get(pk=actor.account_id)


def _locked(qs, for_update: bool):
    # Lock only the entity's own row, never the joined account row (other writes of the
    # account would wait on it).
    return qs.select_for_update(of=("self",)) if for_update else qs


def _named(qs, kind: str, name: str, **filters):
    """``qs`` narrowed to the entity named ``name`` in ``identifiers.name_key``'s form, the form
    the ``Lower(name)`` uniqueness constraints index (PostgreSQL uses that index); raises
    DoesNotExist for a name outside AWS's rules without a query."""
    key = name_key(kind, name)
    if key is None:
        raise qs.model.DoesNotExist
    return qs.alias(name_key=Lower("name")).get(name_key=key, **filters)


def find_user(actor, name: str, *, for_update: bool = False) -> Identity:
    """The IAM user ``name`` (case-insensitive) of the actor's account, or NoSuchEntity."""
    if not for_update:
        found = _user_named(actor.account_id, name_key("user", name))
        if found is None:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        return found
    qs = _locked(Identity.objects.iam_users().select_related("account", "permissions_boundary"), for_update)
    try:
        return _named(qs, "user", name, account_id=actor.account_id)
    except Identity.DoesNotExist:
        raise NoSuchEntity(f"The user with name {name} cannot be found.") from None


@cache
def _user_named_query() -> tuple[str, rawsql.Reader, tuple]:
    """The SQL of ``find_user``'s read (written once: the ORM's compiler cost more than the
    query itself on every API call that names a user): the user's row, its account's and its
    permissions boundary's, as ``select_related("account", "permissions_boundary")`` reads them."""
    c = rawsql.column
    models = ((Identity, "i"), (Account, "a"), (ManagedPolicy, "b"))
    fields = [f for model, _alias in models for f in model._meta.concrete_fields]
    select = ", ".join(
        c(f.model, f.name, alias) for model, alias in models for f in model._meta.concrete_fields
    )
    sql = (
        f"SELECT {select} FROM {rawsql.table(Identity, 'i')}"  # noqa: S608 - names from the models
        f" INNER JOIN {rawsql.table(Account, 'a')} ON {c(Account, 'account_id', 'a')} = {c(Identity, 'account', 'i')}"
        f" LEFT OUTER JOIN {rawsql.table(ManagedPolicy, 'b')}"
        f" ON {c(ManagedPolicy, 'id', 'b')} = {c(Identity, 'permissions_boundary', 'i')}"
        f" WHERE {c(Identity, 'account', 'i')} = %s AND {c(Identity, 'kind', 'i')} = %s"
        f" AND LOWER({c(Identity, 'name', 'i')}) = %s"
    )
    sizes = tuple(len(model._meta.concrete_fields) for model, _alias in models)
    return sql, rawsql.Reader(fields), sizes


def _user_named(account_id: str, key: str | None) -> Identity | None:
    """The IAM user whose ``Lower(name)`` is ``key`` in the account, loaded with its account
    and boundary (no query for either afterwards), or None; a key outside AWS's name rules
    (None) names nobody and costs no query."""
    if key is None:
        return None
    sql, reader, (n_user, n_account, _n_boundary) = _user_named_query()
    values = reader.one(sql, [account_id, Identity.USER, key])
    if values is None:
        return None

    def load(model, row):
        return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in model._meta.concrete_fields], row)

    user = load(Identity, values[:n_user])
    user.account = load(Account, values[n_user : n_user + n_account])
    boundary = values[n_user + n_account :]
    user.permissions_boundary = None if boundary[0] is None else load(ManagedPolicy, boundary)
    return user


def caller_identity(actor, *, for_update: bool = False) -> Identity:
    """The root or IAM user row of the caller itself (NoSuchEntity for a role session)."""
    identity = None
    if actor.identity_id is not None:
        qs = _locked(Identity.objects.select_related("account", "permissions_boundary"), for_update)
        identity = qs.filter(pk=actor.identity_id).first()
    if identity is None:
        raise NoSuchEntity(f"The user with name {actor.name or actor.arn} cannot be found.")
    return identity


def subject_of(actor, user_name: str | None, *, for_update: bool = False) -> Identity:
    """The identity an action is about: the named IAM user, or the caller itself (None)."""
    if user_name is None:
        return caller_identity(actor, for_update=for_update)
    return find_user(actor, user_name, for_update=for_update)


def find_group(actor, name: str, *, for_update: bool = False) -> Group:
    """The group ``name`` (case-insensitive) of the actor's account, or NoSuchEntity."""
    qs = _locked(Group.objects.all(), for_update)
    try:
        return _named(qs, "group", name, account_id=actor.account_id)
    except Group.DoesNotExist:
        raise NoSuchEntity(f"The group with name {name} cannot be found.") from None


def find_role(actor, name: str, *, for_update: bool = False) -> Role:
    """The role ``name`` (case-insensitive) of the actor's account, or NoSuchEntity."""
    qs = _locked(Role.objects.select_related("account", "permissions_boundary"), for_update)
    try:
        return _named(qs, "role", name, account_id=actor.account_id)
    except Role.DoesNotExist:
        raise NoSuchEntity(f"The role with name {name} cannot be found.") from None


def visible_policies(actor):
    """The managed policies the actor's account sees: its own and AWS's."""
    return ManagedPolicy.objects.filter(Q(account_id=actor.account_id) | Q(account__isnull=True))


def find_policy(actor, arn: str, *, for_update: bool = False) -> ManagedPolicy:
    """A customer managed policy of the caller's account or an AWS managed policy, by ARN."""
    qs = _locked(visible_policies(actor), for_update)
    policy = qs.filter(arn=arn).first() if could_be_arn(arn) else None
    if policy is None:
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return policy


def find_policy_by_name(actor, name: str) -> ManagedPolicy:
    """Customer managed first (as the console's policy pages address them), then AWS managed."""
    policy = None
    key = name_key("policy", name)
    if key is not None:
        policy = (
            visible_policies(actor)
            .alias(name_key=Lower("name"))
            .filter(name_key=key)
            .order_by(F("account").asc(nulls_last=True))
            .first()
        )
    if policy is None:
        raise NoSuchEntity(f"Policy {name} does not exist.")
    return policy


def find_version(policy: ManagedPolicy, version_id: str) -> PolicyVersion:
    version = (
        policy.versions.filter(version_id=version_id).first() if could_be_version_id(version_id) else None
    )
    if version is None:
        raise NoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist or is not attachable.")
    return version

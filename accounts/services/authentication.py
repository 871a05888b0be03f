"""Who signed an API request: the access key ID of the SigV4 credential scope turned into the
secret that verifies the signature and the Principal the request acts as.

Long-term keys (``AKIA…``) act as their user or root while Active; temporary credentials
(``ASIA…``) need their session token and stop at their expiry. Unknown, inactive or deleted
keys answer AWS's InvalidClientTokenId; an expired session ExpiredToken.

Every request reads its key's row as it is now (one query, SQL written once: the ORM's
compiler cost more than the rest of a small S3 request), so that a key deleted or made
inactive, a session that expired or whose role was deleted, a renamed user and a changed
policy (the account's ``authz_generation``, read with the key) take effect on the next
request in every server process. Nothing is cached here: the secret is decrypted each time
(tens of microseconds), so no plaintext secret outlives its request.
"""

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import crypto, rawsql
from ..audit import record_event
from ..errors import ExpiredToken, InvalidClientTokenId
from ..identifiers import could_be_access_key_id
from ..models import AccessKey, Account, Identity, Role, TemporaryCredential
from ..principals import Principal, principal_for_identity, role_session_principal
from .sts import token_hash

log = logging.getLogger("iamconsole.api")

INVALID_TOKEN = {
    "iam": "The security token included in the request is invalid",
    "sts": "The security token included in the request is invalid.",
}
EXPIRED_TOKEN = "The security token included in the request is expired"
OPEN_ACCOUNT_NAME = "Open API account"


@dataclass
class ApiCaller:
    """The principal behind a request's credentials, and what verifies its signature."""

    principal: Principal
    secret: str | None  # None: open mode, the signature is not checked
    access_key_id: str
    kind: str  # "long-term" | "assumed-role" | "session-token" | "open"
    mfa_authenticated_at: datetime | None = None

    @property
    def session_token_without_mfa(self) -> bool:
        return self.kind == "session-token" and self.mfa_authenticated_at is None


def _invalid(service: str) -> InvalidClientTokenId:
    return InvalidClientTokenId(INVALID_TOKEN.get(service, INVALID_TOKEN["sts"]))


# --- the rows behind a key (SQL written once) --------------------------------------------------

_IDENTITY_FIELDS = ("id", "account_id", "kind", "name", "path", "unique_id")


@cache
def _long_term_query() -> tuple[str, rawsql.Reader]:
    """An access key's status and secret, its identity and the account's generation."""
    c = rawsql.column
    fields = [AccessKey._meta.get_field(n) for n in ("status", "secret_encrypted")]
    fields += [Identity._meta.get_field(n) for n in _IDENTITY_FIELDS]
    fields.append(Account._meta.get_field("authz_generation"))
    select = ", ".join(
        [c(AccessKey, "status", "k"), c(AccessKey, "secret_encrypted", "k")]
        + [c(Identity, n, "i") for n in _IDENTITY_FIELDS]
        + [c(Account, "authz_generation", "a")]
    )
    sql = (
        f"SELECT {select} FROM {rawsql.table(AccessKey, 'k')}"  # noqa: S608 - names from the models
        f" INNER JOIN {rawsql.table(Identity, 'i')} ON {c(Identity, 'id', 'i')} = {c(AccessKey, 'identity', 'k')}"
        f" INNER JOIN {rawsql.table(Account, 'a')} ON {c(Account, 'account_id', 'a')} = {c(Identity, 'account', 'i')}"
        f" WHERE {c(AccessKey, 'access_key_id', 'k')} = %s"
    )
    return sql, rawsql.Reader(fields)


_TEMPORARY_FIELDS = (
    "id",
    "kind",
    "account_id",
    "secret_encrypted",
    "session_token_hash",
    "session_name",
    "source_arn",
    "session_policies",
    "mfa_authenticated_at",
    "expires_at",
)
_ROLE_FIELDS = ("id", "name", "path", "unique_id")


@cache
def _temporary_query() -> tuple[str, rawsql.Reader]:
    """A temporary credential, its account's generation, its role (assumed-role) or its
    identity and that identity's account's generation (session-token)."""
    c = rawsql.column
    fields = [TemporaryCredential._meta.get_field(n) for n in _TEMPORARY_FIELDS]
    fields.append(Account._meta.get_field("authz_generation"))
    fields += [Role._meta.get_field(n) for n in _ROLE_FIELDS]
    fields += [Identity._meta.get_field(n) for n in _IDENTITY_FIELDS]
    fields.append(Account._meta.get_field("authz_generation"))
    select = ", ".join(
        [c(TemporaryCredential, n, "t") for n in _TEMPORARY_FIELDS]
        + [c(Account, "authz_generation", "a")]
        + [c(Role, n, "r") for n in _ROLE_FIELDS]
        + [c(Identity, n, "i") for n in _IDENTITY_FIELDS]
        + [c(Account, "authz_generation", "ia")]
    )
    t = TemporaryCredential
    sql = (
        f"SELECT {select} FROM {rawsql.table(t, 't')}"  # noqa: S608 - names from the models
        f" INNER JOIN {rawsql.table(Account, 'a')} ON {c(Account, 'account_id', 'a')} = {c(t, 'account', 't')}"
        f" LEFT OUTER JOIN {rawsql.table(Role, 'r')} ON {c(Role, 'id', 'r')} = {c(t, 'role', 't')}"
        f" LEFT OUTER JOIN {rawsql.table(Identity, 'i')} ON {c(Identity, 'id', 'i')} = {c(t, 'identity', 't')}"
        f" LEFT OUTER JOIN {rawsql.table(Account, 'ia')} ON {c(Account, 'account_id', 'ia')} = {c(Identity, 'account', 'i')}"
        f" WHERE {c(t, 'access_key_id', 't')} = %s"
    )
    return sql, rawsql.Reader(fields)


def _identity_principal(values, generation: int) -> Principal:
    """The principal of a root or IAM user read as ``_IDENTITY_FIELDS`` (their account's
    ``generation``), built by ``principal_for_identity`` as for a loaded Identity."""
    identity = rawsql.instance(Identity, dict(zip(_IDENTITY_FIELDS, values, strict=True)))
    identity.account = rawsql.instance(
        Account, {"account_id": identity.account_id, "authz_generation": generation}
    )
    return principal_for_identity(identity)


@dataclass
class _TemporaryRow:
    """A temporary credential as ``_temporary_query`` reads it."""

    pk: int
    kind: str
    account_id: str
    secret_encrypted: str
    session_token_hash: str
    session_name: str
    source_arn: str
    session_policies: list
    mfa_authenticated_at: datetime | None
    expires_at: datetime
    authz_generation: int
    role: tuple  # _ROLE_FIELDS, all None for a session token
    identity: tuple  # _IDENTITY_FIELDS, all None for a role session
    identity_generation: int | None

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def role_principal(self) -> Principal | None:
        role_id, role_name, role_path, role_unique_id = self.role
        if role_id is None:
            return None
        return role_session_principal(
            account_id=self.account_id,
            role_id=role_id,
            role_name=role_name,
            role_path=role_path,
            role_unique_id=role_unique_id,
            session_name=self.session_name,
            source_arn=self.source_arn,
            session_policies=tuple(self.session_policies or ()),
            credential_id=self.pk,
            authz_generation=self.authz_generation,
        )


def _temporary_row(access_key_id: str) -> _TemporaryRow | None:
    sql, reader = _temporary_query()
    values = reader.one(sql, [access_key_id])
    if values is None:
        return None
    n, r = len(_TEMPORARY_FIELDS), len(_ROLE_FIELDS)
    return _TemporaryRow(
        *values[:n],
        authz_generation=values[n],
        role=tuple(values[n + 1 : n + 1 + r]),
        identity=tuple(values[n + 1 + r : -1]),
        identity_generation=values[-1],
    )


# --- callers ----------------------------------------------------------------------------------


def caller_for_access_key(access_key_id: str, security_token: str | None, *, service: str) -> ApiCaller:
    """The caller of a request signed with ``access_key_id`` (and ``security_token``).

    Raises InvalidClientTokenId (unknown, inactive or deleted key; missing or wrong token) or
    ExpiredToken. In open mode an unknown key acts as the root of the open account."""
    if could_be_access_key_id(access_key_id):
        if access_key_id.startswith("ASIA"):
            return _temporary(access_key_id, security_token, service)
        sql, reader = _long_term_query()
        values = reader.one(sql, [access_key_id])
        if values is not None:
            status, secret_encrypted, *identity, generation = values
            if status != AccessKey.ACTIVE or security_token:
                raise _invalid(service)
            principal = _identity_principal(identity, generation)
            return ApiCaller(principal, crypto.decrypt(secret_encrypted), access_key_id, "long-term")
    open_root = open_account_root()
    if open_root is not None:
        return ApiCaller(principal_for_identity(open_root), None, access_key_id, "open")
    raise _invalid(service)


def _temporary(access_key_id: str, security_token: str | None, service: str) -> ApiCaller:
    row = _temporary_row(access_key_id)
    if (
        row is None
        or not security_token
        or not hmac.compare_digest(row.session_token_hash, token_hash(security_token))
    ):
        open_root = open_account_root() if row is None else None
        if open_root is not None:
            return ApiCaller(principal_for_identity(open_root), None, access_key_id, "open")
        raise _invalid(service)
    if row.expired:
        raise ExpiredToken(EXPIRED_TOKEN)
    if row.kind == TemporaryCredential.SESSION_TOKEN:
        if row.identity[0] is None:
            raise _invalid(service)
        principal = _identity_principal(row.identity, row.identity_generation)
        principal.credential_id = row.pk
    else:
        principal = row.role_principal()
        if principal is None:
            raise _invalid(service)
    principal.credential_kind = row.kind
    return ApiCaller(
        principal, crypto.decrypt(row.secret_encrypted), access_key_id, row.kind, row.mfa_authenticated_at
    )


def console_session_principal(access_key_id: str, source_arn: str) -> tuple[Principal, datetime] | None:
    """The role session the console switched to (the credential it keeps in its session), or
    None when it has ended (expired, switched back, role deleted)."""
    row = _temporary_row(access_key_id)
    if (
        row is None
        or row.kind != TemporaryCredential.ASSUMED_ROLE
        or row.source_arn != source_arn
        or row.expired
    ):
        return None
    principal = row.role_principal()
    if principal is None:
        return None
    principal.credential_kind = row.kind
    return principal, row.expires_at


def open_account_root() -> Identity | None:
    """The root of ``IAMCONSOLE_API_OPEN_ACCOUNT`` (created on first use), or None when the
    open mode is off. Only for local test harnesses: the signature is not checked."""
    account_id = settings.API_OPEN_ACCOUNT
    if not account_id:
        return None
    root = (
        Identity.objects.select_related("account").filter(account_id=account_id, kind=Identity.ROOT).first()
    )
    if root is not None:
        return root
    try:
        with transaction.atomic():
            account = Account.objects.create(account_id=account_id, name=OPEN_ACCOUNT_NAME)
            root = Identity(
                account=account,
                kind=Identity.ROOT,
                email=f"root@{account_id}.open.iamconsole.invalid",
                unique_id=account_id,
            )
            root.set_unusable_password()
            root.save()
            record_event(actor=root, action="api:OpenAccountCreated", target=root.arn, result="Success")
            log.warning("Open API mode: created account %s for unknown access keys", account_id)
    except IntegrityError:
        pass  # a concurrent request created it
    return Identity.objects.select_related("account").get(account_id=account_id, kind=Identity.ROOT)


def note_key_use(caller: ApiCaller, *, service: str, region: str) -> None:
    """AccessKeyLastUsed of a long-term key: when, which service, which region."""
    if caller.kind == "long-term":
        AccessKey.objects.filter(access_key_id=caller.access_key_id).update(
            last_used_at=timezone.now(), last_used_service=service[:64], last_used_region=region[:32]
        )


def record_console_switch(access_key_id: str, user) -> None:
    """Audit the console's switch to a role session: the session's ARN as the actor, the user
    behind it as its source (the AssumeRole itself is audited with the user as the actor)."""
    found = console_session_principal(access_key_id, user.arn)
    if found is not None:
        principal, _ = found
        record_event(actor=principal, action="signin:SwitchRole", target=principal.role_arn, result="Success")

"""Who signed an API request: the access key ID of the SigV4 credential scope turned into the
secret that verifies the signature and the Principal the request acts as.

Long-term keys (``AKIA…``) act as their user or root while Active; temporary credentials
(``ASIA…``) need their session token and stop at their expiry. Unknown, inactive or deleted
keys answer AWS's InvalidClientTokenId; an expired session ExpiredToken.
"""

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..audit import record_event
from ..errors import ExpiredToken, InvalidClientTokenId
from ..identifiers import could_be_access_key_id
from ..models import AccessKey, Account, Identity, TemporaryCredential
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


def caller_for_access_key(access_key_id: str, security_token: str | None, *, service: str) -> ApiCaller:
    """The caller of a request signed with ``access_key_id`` (and ``security_token``).

    Raises InvalidClientTokenId (unknown, inactive or deleted key; missing or wrong token) or
    ExpiredToken. In open mode an unknown key acts as the root of the open account."""
    if could_be_access_key_id(access_key_id):
        if access_key_id.startswith("ASIA"):
            return _temporary(access_key_id, security_token, service)
        key = (
            AccessKey.objects.select_related("identity__account").filter(access_key_id=access_key_id).first()
        )
        if key is not None:
            if not key.is_active or security_token:
                raise _invalid(service)
            return ApiCaller(principal_for_identity(key.identity), key.secret, access_key_id, "long-term")
    open_root = open_account_root()
    if open_root is not None:
        return ApiCaller(principal_for_identity(open_root), None, access_key_id, "open")
    raise _invalid(service)


def _temporary(access_key_id: str, security_token: str | None, service: str) -> ApiCaller:
    row = (
        TemporaryCredential.objects.select_related("account", "role", "identity__account")
        .filter(access_key_id=access_key_id)
        .first()
    )
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
        principal = principal_for_identity(row.identity)
    else:
        role = row.role
        principal = role_session_principal(
            account_id=row.account_id,
            role_id=role.pk,
            role_name=role.name,
            role_path=role.path,
            role_unique_id=role.unique_id,
            session_name=row.session_name,
            source_arn=row.source_arn,
            session_policies=tuple(row.session_policies),
            authz_generation=row.account.authz_generation,
        )
    principal.credential_id = row.pk
    principal.credential_kind = row.kind
    return ApiCaller(principal, row.secret, access_key_id, row.kind, row.mfa_authenticated_at)


def console_session_principal(access_key_id: str, source_arn: str) -> tuple[Principal, datetime] | None:
    """The role session the console switched to (the credential it keeps in its session), or
    None when it has ended (expired, switched back, role deleted)."""
    row = (
        TemporaryCredential.objects.select_related("account", "role")
        .filter(access_key_id=access_key_id, source_arn=source_arn, kind=TemporaryCredential.ASSUMED_ROLE)
        .first()
    )
    if row is None or row.expired:
        return None
    role = row.role
    principal = role_session_principal(
        account_id=row.account_id,
        role_id=role.pk,
        role_name=role.name,
        role_path=role.path,
        role_unique_id=role.unique_id,
        session_name=row.session_name,
        source_arn=row.source_arn,
        session_policies=tuple(row.session_policies),
        credential_id=row.pk,
        authz_generation=row.account.authz_generation,
    )
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

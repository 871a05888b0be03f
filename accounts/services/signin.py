"""Console sign-in and sign-out, as AWS's sign-in service runs them (audited as ConsoleLogin).

Two stages when the identity has MFA: the password, then a code. Between them the session
holds only the pending identity (never a password) and is not signed in.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login, logout
from django.utils import timezone

from ..models import Identity
from . import throttle
from .base import record_event

GENERIC_FAILURE = "Your authentication information is incorrect. Please try again."
HARD_EXPIRED = (
    "Your password has expired, and only an administrator can reset it. Contact your administrator."
)
TEMPORARY_EXPIRED = "Your temporary password has expired. Ask your administrator to reset it."
MFA_FAILURE = "Your authentication information is incorrect. Please try again."
SIGNIN_ACTION = "signin:ConsoleLogin"

PENDING_KEY = "signin_mfa_pending"
PENDING_MAX_AGE = 5 * 60
AUTH_AT_KEY = "signin_auth_at"
MFA_AT_KEY = "signin_mfa_at"


def record_failure(*, login_to: str, user_name: str, reason: str, identity=None) -> None:
    """Audit a refused sign-in; ``login_to`` and ``user_name`` are what the caller typed."""
    record_event(
        actor=identity,
        account_id=identity.account.account_id if identity else "",
        action=SIGNIN_ACTION,
        target=login_to,
        result="Failure",
        error_message=reason,
        detail={"user_name": user_name[:128]},
    )


def refuse_reason(identity: Identity) -> str | None:
    """Why a correct password still may not sign in (hard expiry, stale temporary password)."""
    if identity.is_root:
        return None
    rules = identity.account.password_rules()
    if rules.hard_expiry and identity.password_expired(rules):
        return HARD_EXPIRED
    if identity.password_reset_required and identity.password_changed_at:
        limit = timedelta(days=settings.TEMPORARY_PASSWORD_DAYS)
        if timezone.now() - identity.password_changed_at > limit:
            return TEMPORARY_EXPIRED
    return None


def needs_mfa(identity: Identity) -> bool:
    return identity.mfa_devices.exists()


def begin_mfa(request, identity: Identity, next_url: str) -> None:
    """The password was right and MFA is on: remember who, rotate the key, sign nobody in."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"id": identity.pk, "at": time.time(), "next": next_url}


def pending_identity(request) -> tuple[Identity, str] | None:
    """The identity waiting for its MFA code (and where to go after), if still fresh."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_MAX_AGE:
        request.session.pop(PENDING_KEY, None)
        return None
    identity = Identity.objects.select_related("account").filter(pk=pending["id"]).first()
    if identity is None:
        return None
    return identity, pending["next"]


def complete_sign_in(request, identity: Identity, *, mfa: bool = False) -> None:
    """Start the console session: a fresh session key, the identity signed in, audited."""
    request.session.pop(PENDING_KEY, None)
    backend = getattr(identity, "backend", None) or (
        "accounts.backends.RootUserBackend" if identity.is_root else "accounts.backends.IAMUserBackend"
    )
    login(request, identity, backend=backend)
    # login() keeps the key when the session already held this user; always rotate.
    request.session.cycle_key()
    now = time.time()
    request.session[AUTH_AT_KEY] = now
    if mfa:
        request.session[MFA_AT_KEY] = now
    throttle.clear(throttle.identity_key_for(identity), request.META.get("REMOTE_ADDR"))
    record_event(
        actor=identity,
        action=SIGNIN_ACTION,
        target=identity.arn,
        result="Success",
        detail={"mfa_used": mfa, "password_reset_required": identity.password_reset_required},
    )


def reauthenticated(request) -> None:
    """The signed-in user confirmed its password again (before an MFA change)."""
    request.session.cycle_key()
    request.session[AUTH_AT_KEY] = time.time()


def recently_authenticated(request) -> bool:
    at = request.session.get(AUTH_AT_KEY)
    return at is not None and time.time() - at <= settings.REAUTH_MAX_AGE_SECONDS


def sign_out(request) -> None:
    """End the session on the server (flushes the session row)."""
    identity = request.user if request.user.is_authenticated else None
    logout(request)
    if identity is not None:
        record_event(actor=identity, action="signin:ConsoleLogout", target=identity.arn, result="Success")

"""Sign-in as AWS runs it, without the web: check a password or an MFA code for the root user
or an IAM user, with the throttle and the audit trail; refuse what AWS refuses.

The console's session handling (Django's login, the pending MFA step, re-authentication
times) is the view layer's (``accounts.views.session``); these functions take and return
plain values and the signed-in ``Identity`` (Django's auth user).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from ..audit import record_event
from ..errors import IAMError, Throttled
from ..models import Identity
from . import mfa as mfa_services
from . import throttle
from .credentials import change_password as _change_password

GENERIC_FAILURE = "Your authentication information is incorrect. Please try again."
HARD_EXPIRED = (
    "Your password has expired, and only an administrator can reset it. Contact your administrator."
)
TEMPORARY_EXPIRED = "Your temporary password has expired. Ask your administrator to reset it."
MFA_FAILURE = "Your authentication information is incorrect. Please try again."
SIGNIN_ACTION = "signin:ConsoleLogin"


class SignInRefused(IAMError):
    """A sign-in step failed: ``status`` 401 (wrong credentials) or 403 (refused anyway)."""

    code = "SignInRefused"

    def __init__(self, message: str, *, status: int = 401):
        super().__init__(message)
        self.status = status


def record_failure(*, login_to: str, user_name: str, reason: str, identity=None) -> None:
    """Audit a refused sign-in; ``login_to`` and ``user_name`` are what the caller typed."""
    record_event(
        actor=identity,
        account_id=identity.account_id if identity else "",
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


def _check_throttle(key: str, source_ip, *, login_to: str, user_name: str, identity=None) -> None:
    try:
        throttle.check(key, source_ip)
    except Throttled:
        record_failure(login_to=login_to, user_name=user_name, reason="Throttled", identity=identity)
        raise


def sign_in_root(*, email: str, password: str, source_ip: str | None) -> Identity:
    """The root user's password step; returns the identity, raises Throttled or SignInRefused."""
    key = throttle.typed_identity_key(root_email=email)
    _check_throttle(key, source_ip, login_to="root", user_name=email)
    identity = authenticate(None, root_email=email, password=password)
    if identity is None:
        throttle.record_failure(key, source_ip, "password")
        record_failure(login_to="root", user_name=email, reason="Failed authentication")
        raise SignInRefused(GENERIC_FAILURE)
    return identity


def sign_in_iam_user(*, account: str, user_name: str, password: str, source_ip: str | None) -> Identity:
    """An IAM user's password step (account ID or alias, user name, password)."""
    from ..backends import resolve_account

    key = throttle.typed_identity_key(
        account=resolve_account(account), account_text=account, user_name=user_name
    )
    _check_throttle(key, source_ip, login_to=account, user_name=user_name)
    identity = authenticate(None, account=account, user_name=user_name, password=password)
    if identity is None:
        throttle.record_failure(key, source_ip, "password")
        record_failure(login_to=account, user_name=user_name, reason="Failed authentication")
        raise SignInRefused(GENERIC_FAILURE)
    reason = refuse_reason(identity)
    if reason:
        record_failure(login_to=account, user_name=user_name, reason=reason, identity=identity)
        raise SignInRefused(reason, status=403)
    return identity


def verify_mfa(identity: Identity, *, code: str, source_ip: str | None) -> None:
    """The MFA step: a code of any of the identity's devices, once; raises Throttled or
    SignInRefused."""
    key = throttle.identity_key_for(identity)
    _check_throttle(key, source_ip, login_to=identity.account_id, user_name=key, identity=identity)
    if mfa_services.verify_code(identity, code) is None:
        throttle.record_failure(key, source_ip, "mfa", account_id=identity.account_id)
        record_failure(login_to=identity.account_id, user_name=key, reason="Failed MFA", identity=identity)
        raise SignInRefused(MFA_FAILURE)


def reauthenticate(identity: Identity, *, password: str, code: str | None, source_ip: str | None) -> None:
    """Confirm the signed-in identity's password (and an MFA code when it has a device)."""
    key = throttle.identity_key_for(identity)
    throttle.check(key, source_ip)
    ok = identity.check_password(password)
    if ok and code is not None:
        ok = mfa_services.verify_code(identity, code) is not None
    if not ok:
        throttle.record_failure(key, source_ip, "reauth", account_id=identity.account_id)
        raise SignInRefused(GENERIC_FAILURE)


def signed_in(identity: Identity, *, source_ip: str | None, mfa: bool) -> None:
    """A sign-in completed: clear this identity's failures from this address, audit it."""
    throttle.clear(throttle.identity_key_for(identity), source_ip)
    record_event(
        actor=identity,
        action=SIGNIN_ACTION,
        target=identity.arn,
        result="Success",
        detail={"mfa_used": mfa, "password_reset_required": identity.password_reset_required},
    )


def signed_out(identity: Identity) -> None:
    record_event(actor=identity, action="signin:ConsoleLogout", target=identity.arn, result="Success")


def identity_by_id(identity_id) -> Identity | None:
    """The identity a session names (the pending MFA step), or None when it is gone."""
    if not isinstance(identity_id, int):
        return None
    return Identity.objects.select_related("account").filter(pk=identity_id).first()


def must_change_password(identity: Identity) -> tuple[bool, bool, object]:
    """(must change, expired, the account's rules) for the forced new-password page."""
    rules = identity.account.password_rules()
    expired = identity.password_expired(rules)
    return (not identity.is_root and (identity.password_reset_required or expired)), expired, rules


change_password = _change_password

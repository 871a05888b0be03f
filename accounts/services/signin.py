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
from ..backends import find_iam_user, find_root, resolve_account
from ..errors import IAMError, Throttled
from ..models import Identity
from . import account as account_services
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
REAUTH_ACTION = "signin:Reauthenticate"
SIGNUP_ACTION = "signup:CreateAccount"


class SignInRefused(IAMError):
    """A sign-in step failed: ``status`` 401 (wrong credentials) or 403 (refused anyway)."""

    code = "SignInRefused"

    def __init__(self, message: str, *, status: int = 401):
        super().__init__(message)
        self.status = status


# An unknown user name may be a password typed into the wrong field: it is stored cut to
# AWS's longest user name and marked, never as typed.
UNKNOWN_NAME_LIMIT = 64


def record_failure(
    *, login_to: str, user_name: str, reason: str, identity=None, account_id: str = ""
) -> None:
    """Audit a refused sign-in; ``login_to`` and ``user_name`` are what the caller typed.

    A failure of an existing identity is its account's event (the identity as actor); of an
    existing account's unknown user, that account's; otherwise nobody's."""
    if identity is not None:
        detail = {"user_name": identity.email if identity.is_root else identity.name}
    else:
        detail = {"user_name": user_name[:UNKNOWN_NAME_LIMIT], "user_name_unknown": True}
    record_event(
        actor=identity,
        account_id=identity.account_id if identity else account_id,
        action=SIGNIN_ACTION,
        target=login_to,
        result="Failure",
        error_message=reason,
        detail=detail,
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


def _reserve(key: str, source_ip, stage: str, **audit) -> throttle.Reservation:
    """Reserve the attempt before anything is checked; a refusal is audited."""
    try:
        return throttle.reserve(key, source_ip, stage)
    except Throttled:
        _audit_refusal(reason="Throttled", **audit)
        raise


def _audit_refusal(*, action: str = SIGNIN_ACTION, **audit) -> None:
    if action == SIGNIN_ACTION:
        record_failure(**audit)
    else:
        identity = audit["identity"]
        record_event(
            actor=identity,
            action=action,
            target=identity.arn,
            result="Failure",
            error_message=audit["reason"],
        )


def _refuse_password(reservation, **audit) -> SignInRefused:
    throttle.failed(reservation, account_id=audit.get("account_id", ""))
    record_failure(reason="Failed authentication", **audit)
    return SignInRefused(GENERIC_FAILURE)


def sign_in_root(*, email: str, password: str, source_ip: str | None) -> Identity:
    """The root user's password step; returns the identity, raises Throttled or SignInRefused."""
    known = find_root(email)
    audit = {"login_to": "root", "user_name": email, "identity": known}
    reservation = _reserve(throttle.typed_identity_key(root_email=email), source_ip, "password", **audit)
    identity = authenticate(None, root_email=email, password=password)
    if identity is None:
        raise _refuse_password(reservation, **audit)
    throttle.succeeded(reservation)
    return identity


def sign_in_iam_user(*, account: str, user_name: str, password: str, source_ip: str | None) -> Identity:
    """An IAM user's password step (account ID or alias, user name, password)."""
    found = resolve_account(account)
    known = find_iam_user(found, user_name)
    audit = {
        "login_to": account,
        "user_name": user_name,
        "identity": known,
        "account_id": found.account_id if found else "",
    }
    key = throttle.typed_identity_key(account=found, account_text=account, user_name=user_name)
    reservation = _reserve(key, source_ip, "password", **audit)
    identity = authenticate(None, account=account, user_name=user_name, password=password)
    if identity is None:
        raise _refuse_password(reservation, **audit)
    throttle.succeeded(reservation)
    reason = refuse_reason(identity)
    if reason:
        record_failure(login_to=account, user_name=user_name, reason=reason, identity=identity)
        raise SignInRefused(reason, status=403)
    return identity


def verify_mfa(identity: Identity, *, code: str, source_ip: str | None) -> None:
    """The MFA step: a code of any of the identity's devices, once; raises Throttled or
    SignInRefused."""
    audit = {"login_to": identity.account_id, "user_name": "", "identity": identity}
    reservation = _reserve(throttle.identity_key_for(identity), source_ip, "mfa", **audit)
    if mfa_services.verify_code(identity, code) is None:
        throttle.failed(reservation, account_id=identity.account_id)
        record_failure(reason="Failed MFA", **audit)
        raise SignInRefused(MFA_FAILURE)
    throttle.succeeded(reservation)


def reauthenticate(identity: Identity, *, password: str, code: str | None, source_ip: str | None) -> None:
    """Confirm the signed-in identity's password (and an MFA code when it has a device);
    throttled like sign-in, audited either way."""
    audit = {"action": REAUTH_ACTION, "identity": identity}
    reservation = _reserve(throttle.identity_key_for(identity), source_ip, "reauth", **audit)
    ok = identity.check_password(password)
    if ok and code is not None:
        ok = mfa_services.verify_code(identity, code) is not None
    if not ok:
        throttle.failed(reservation, account_id=identity.account_id)
        _audit_refusal(reason="Failed authentication", **audit)
        raise SignInRefused(GENERIC_FAILURE)
    throttle.succeeded(reservation)
    record_event(
        actor=identity,
        action=REAUTH_ACTION,
        target=identity.arn,
        result="Success",
        detail={"mfa_used": code is not None},
    )


def sign_up(*, email: str, password: str, account_name: str, source_ip: str | None) -> Identity:
    """Sign-up, throttled per source address (every attempt counts: it creates an account or
    tells that an email address has one); raises Throttled and what ``create_account`` raises."""
    try:
        throttle.reserve_signup(source_ip)
    except Throttled as exc:
        record_event(
            action=SIGNUP_ACTION,
            target="root",
            result=exc.code,
            error_message=exc.message,
            detail={"email": email[:UNKNOWN_NAME_LIMIT], "user_name_unknown": True},
        )
        raise
    return account_services.create_account(email=email, password=password, account_name=account_name)


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

"""Console sign-in and sign-out, as AWS's sign-in service runs them (audited as ConsoleLogin)."""

from django.contrib.auth import login, logout

from ..models import Identity
from .base import record_event

GENERIC_FAILURE = "Your authentication information is incorrect. Please try again."
HARD_EXPIRED = (
    "Your password has expired, and only an administrator can reset it. Contact your administrator."
)
SIGNIN_ACTION = "signin:ConsoleLogin"


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
    """Why a correct password still may not sign in (hard password expiry), or None."""
    if identity.is_root:
        return None
    rules = identity.account.password_rules()
    if rules.hard_expiry and identity.password_expired(rules):
        return HARD_EXPIRED
    return None


def complete_sign_in(request, identity: Identity) -> None:
    """Start the console session: a fresh session key, the identity signed in, audited."""
    backend = getattr(identity, "backend", None) or (
        "accounts.backends.RootUserBackend" if identity.is_root else "accounts.backends.IAMUserBackend"
    )
    login(request, identity, backend=backend)
    # login() keeps the key when the session already held this user; always rotate.
    request.session.cycle_key()
    record_event(
        actor=identity,
        action=SIGNIN_ACTION,
        target=identity.arn,
        result="Success",
        detail={"password_reset_required": identity.password_reset_required},
    )


def sign_out(request) -> None:
    """End the session on the server (flushes the session row)."""
    identity = request.user if request.user.is_authenticated else None
    logout(request)
    if identity is not None:
        record_event(actor=identity, action="signin:ConsoleLogout", target=identity.arn, result="Success")

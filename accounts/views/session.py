"""The console session: Django's login, the pending MFA step, re-authentication times.

The sign-in services check passwords and codes; this module is the web's half: what the
session remembers between the steps, and when its key rotates.
"""

import time

from django.conf import settings
from django.contrib.auth import login, logout

from .. import network
from ..principals import principal_for_identity
from ..services import signin, sts

SWITCHED_ROLE_KEY = "switched_role"
ROLE_HISTORY_KEY = "switch_role_history"
ROLE_HISTORY_SIZE = 5
PENDING_KEY = "signin_mfa_pending"
PENDING_MAX_AGE = 5 * 60
AUTH_AT_KEY = "signin_auth_at"
MFA_AT_KEY = "signin_mfa_at"


def client_ip(request) -> str | None:
    return network.client_ip(request)


def begin_mfa(request, identity, next_url: str) -> None:
    """The password was right and MFA is on: remember who, rotate the key, sign nobody in."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"id": identity.pk, "at": time.time(), "next": next_url}


def pending_identity(request):
    """(identity, next URL) of the sign-in waiting for its MFA code, if still fresh; else None."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_MAX_AGE:
        request.session.pop(PENDING_KEY, None)
        return None
    identity = signin.identity_by_id(pending["id"])
    if identity is None:
        return None
    return identity, pending["next"]


def complete_sign_in(request, identity, *, mfa: bool = False) -> None:
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
    signin.signed_in(identity, source_ip=client_ip(request), mfa=mfa)


def reauthenticated(request) -> None:
    """The signed-in user confirmed its password again (before an MFA change)."""
    request.session.cycle_key()
    request.session[AUTH_AT_KEY] = time.time()


def recently_authenticated(request) -> bool:
    at = request.session.get(AUTH_AT_KEY)
    return at is not None and time.time() - at <= settings.REAUTH_MAX_AGE_SECONDS


def user_principal(request):
    """The signed-in root or IAM user as a principal (never the role it switched to)."""
    return principal_for_identity(request.user)


def switched_role(request) -> dict | None:
    """The role session the console acts as ({access_key_id, account, role_name, display_name,
    color}), or None when it acts as the signed-in identity."""
    return request.session.get(SWITCHED_ROLE_KEY)


def begin_switched_role(request, entry: dict) -> None:
    """Act as a role session from now on, and put the role first in the recent roles."""
    request.session[SWITCHED_ROLE_KEY] = entry
    recent = [
        r
        for r in request.session.get(ROLE_HISTORY_KEY, [])
        if (r["account"], r["role_name"].lower()) != (entry["account"], entry["role_name"].lower())
    ]
    keep = {k: entry[k] for k in ("account", "role_name", "display_name", "color")}
    request.session[ROLE_HISTORY_KEY] = [keep, *recent][:ROLE_HISTORY_SIZE]


def end_switched_role(request) -> dict | None:
    return request.session.pop(SWITCHED_ROLE_KEY, None)


def recent_roles(request) -> list[dict]:
    return request.session.get(ROLE_HISTORY_KEY, [])


def sign_out(request) -> None:
    """End the session on the server (flushes the session row; a switched role ends with it)."""
    identity = request.user if request.user.is_authenticated else None
    switched = request.session.get(SWITCHED_ROLE_KEY)
    if identity is not None and switched:
        sts.end_session(identity, access_key_id=switched["access_key_id"])
    logout(request)
    if identity is not None:
        signin.signed_out(identity)

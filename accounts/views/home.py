"""Console Home: where AWS's console lands after sign-in, whatever the caller may do.

It needs no permission (AWS's Console Home decides nothing): recently visited services, every
service of the console by category, who is signed in, and the root user's MFA nudge."""

from django.shortcuts import render

from .. import consoles
from ..context_processors import service_categories
from ..errors import IAMError
from ..services import mfa as mfa_services

RECENT_COOKIE = "console_recent"  # service keys, most recent first (no query, as AWS's browser storage)
RECENT_LIMIT = 6


def console_home(request):
    principal = request.principal
    recent = [s for s in (consoles.get(k) for k in recent_keys(request)) if s]
    root_without_mfa = False
    if principal.is_root:
        try:
            root_without_mfa = not mfa_services.list_mfa_devices(principal).items
        except IAMError:
            root_without_mfa = False
    context = {
        "recent_services": recent,
        "categories": service_categories(),
        "root_without_mfa": root_without_mfa,
        "account_id": principal.account_id,
    }
    return render(request, "console/home.html", context)


def recent_keys(request) -> list[str]:
    keys = request.COOKIES.get(RECENT_COOKIE, "").split(".")[: RECENT_LIMIT * 2]
    return list(dict.fromkeys(k for k in keys if consoles.get(k)))[:RECENT_LIMIT]


def note_visit(request, response, namespace: str) -> None:
    """Put the service of ``namespace`` first in the browser's recently visited services."""
    if consoles.get(namespace) is None:
        return
    recent = recent_keys(request)
    if recent[:1] == [namespace]:
        return
    keys = [namespace, *[k for k in recent if k != namespace]][:RECENT_LIMIT]
    response.set_cookie(
        RECENT_COOKIE,
        ".".join(keys),
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )

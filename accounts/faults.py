"""Faults: a request that ends in a 500 is audited, and one that could not reach the database
(PostgreSQL restarting, too many connections, SQLite's write lock timed out) is answered 503,
"The service is restarting, try again", instead of a 500.

Django turns an exception into a 500 response in whichever middleware layer it happens (the
view, or the session middleware saving the session) and tells ``got_request_exception``. The
receiver here keeps the exception on the request; ``FaultMiddleware``, outside every layer that
uses the database, looks at the final response. The 503 page is rendered without the request's
context processors, which would query the database again.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from .audit import record_event

log = logging.getLogger("iamconsole.faults")

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "The service is restarting, try again"
# PostgreSQL's SQLSTATEs of a server that cannot serve now: class 08 (connection exception),
# too many connections, administrator or crash shutdown, starting up.
UNAVAILABLE_SQLSTATES = {"53300", "57P01", "57P02", "57P03"}
_FAULTS = "_iam_faults"


def _causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached or used for now (as opposed to a
    query's own error: a constraint, a bad statement)."""
    for error in _causes(exc):
        if isinstance(error, InterfaceError):
            return True  # the connection is already closed
        if not isinstance(error, OperationalError):
            continue
        cause = error.__cause__
        if type(cause).__module__.startswith("psycopg"):
            sqlstate = getattr(cause, "sqlstate", None)
            # No SQLSTATE: the client lost (or never had) its connection.
            return sqlstate is None or sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES
        text = str(error).lower()
        return "database is locked" in text or "unable to open database" in text
    return False


@receiver(got_request_exception, dispatch_uid="accounts.faults.remember")
def remember_fault(sender, request=None, **kwargs):
    exc = sys.exc_info()[1]
    if request is not None and exc is not None:
        faults = getattr(request, _FAULTS, None)
        if faults is None:
            faults = []
            setattr(request, _FAULTS, faults)
        faults.append(exc)


def unavailable_response() -> HttpResponse:
    body = render_to_string("console/unavailable.html", {"message": UNAVAILABLE_MESSAGE})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _audit_fault(request, exc: BaseException) -> None:
    """One audit row for a request that ended in a 500 (unless a service action recorded it)."""
    if getattr(exc, "iam_audited", False):
        return
    try:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        match = getattr(request, "resolver_match", None)
        record_event(
            actor=actor,
            action=f"console:{match.view_name if match else 'Request'}",
            target=request.path,
            result="ServiceFailure",
            error_message=f"{request.method} {request.path} failed ({type(exc).__name__})",
        )
    except Exception:
        log.exception("could not record the failed request %s %s", request.method, request.path)


class FaultMiddleware:
    """Outermost database-free layer: 503 for an unreachable database, audit for any 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        faults = getattr(request, _FAULTS, None)
        if not faults or response.status_code < 500:
            return console_page_for(request, response)
        if any(is_database_unavailable(exc) for exc in faults):
            log.warning("%s %s: the database is unavailable, answered 503", request.method, request.path)
            return unavailable_response()
        _audit_fault(request, faults[0])
        return console_page_for(request, response)


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def console_page_for(request, response):
    """The console's own 404 and 500 pages in every mode (with DEBUG on, Django answers an
    unknown URL with its list of URL patterns and an error with a traceback): an HTML 404
    that no view answered (no URL matched) and any HTML 500. API answers (XML, JSON) and the
    views' own 404 pages stay as they are."""
    if not _is_html(response):
        return response
    if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
        from django.shortcuts import render

        return render(
            request, "console/not_found.html", {"message": gettext("This page does not exist.")}, status=404
        )
    if response.status_code == 500:
        page = HttpResponse(render_to_string("console/server_error.html"), status=500)
        add_never_cache_headers(page)
        return page
    return response

"""Serve one S3 request: authenticate it (SigV4 — header, presigned URL, ``UNSIGNED-PAYLOAD``,
``aws-chunked`` streaming — or anonymous), hand it to its operation's handler, and answer
AWS's way: XML documents, ``<Error>`` bodies with S3's codes and statuses, ``x-amz-request-id``.

Nothing here reads models or the engine: handlers translate between HTTP and the services.
"""

from __future__ import annotations

import base64
import logging
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote

from django.db import DatabaseError
from django.http import HttpResponse

from accounts import context
from accounts.api import sigv4
from accounts.errors import ExpiredToken as IAMExpiredToken
from accounts.errors import IAMError, InvalidClientTokenId
from accounts.principals import anonymous_principal
from accounts.services import authentication

from ..errors import (
    ExpiredToken,
    InvalidAccessKeyId,
    InvalidRequest,
    InvalidToken,
    NotModified,
    S3Error,
    ServiceUnavailable,
)
from . import handlers
from .xml import error_document

log = logging.getLogger("iamconsole.s3")
DEFAULT_REGION = "us-east-1"


def new_request_id() -> str:
    """16 upper-case hex digits, as S3's request IDs are."""
    return secrets.token_hex(8).upper()


def _host_id() -> str:
    return base64.b64encode(secrets.token_bytes(48)).decode("ascii")


def _headers(request) -> list[tuple[str, str]]:
    out = []
    for key, value in request.META.items():
        if key.startswith("HTTP_"):
            out.append((key[5:].replace("_", "-").lower(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            out.append((key.replace("_", "-").lower(), value))
    return out


def raw_path(request) -> str:
    """The path as the client sent it (still percent-encoded), for the canonical request."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw:
        return raw.split("?", 1)[0]
    return quote(request.path_info.encode("utf-8"), safe="/~")


def error_response(request, code, message, status, request_id, fields=None, headers=None) -> HttpResponse:
    body = (
        b""
        if request.method == "HEAD"
        else error_document(code, message, fields or {}, request_id, _host_id())
    )
    response = HttpResponse(body, status=status, content_type="application/xml")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class Authenticated:
    """Who sent a request and how: the principal, the verified signature (None: anonymous or
    the open mode), the caller behind the key, the credential scope's Region."""

    __slots__ = ("principal", "verified", "caller", "region", "presigned")

    def __init__(self, principal, verified=None, caller=None, region=DEFAULT_REGION, presigned=False):
        self.principal = principal
        self.verified = verified
        self.caller = caller
        self.region = region
        self.presigned = presigned


def _security_token(signed: sigv4.SignedRequest, request) -> str | None:
    token = request.META.get("HTTP_X_AMZ_SECURITY_TOKEN")
    if token is None:
        token = (parse_qs(signed.query_string).get("X-Amz-Security-Token") or [None])[0]
    return token


MECHANISM_NOT_SUPPORTED = (
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
)


def authenticate(request, signed: sigv4.SignedRequest) -> Authenticated:
    query = parse_qs(signed.query_string)
    if "AWSAccessKeyId" in query and "Signature" in query and "X-Amz-Algorithm" not in query:
        raise InvalidRequest(MECHANISM_NOT_SUPPORTED)  # signature version 2, as S3's newer Regions answer
    try:
        credential = sigv4.credential_of(signed, service="s3")
    except sigv4.MissingAuthenticationError:
        return Authenticated(anonymous_principal())
    token = _security_token(signed, request)
    try:
        caller = authentication.caller_for_access_key(credential.access_key_id, token, service="s3")
    except IAMExpiredToken:
        raise ExpiredToken(**({"Token-0": token} if token else {})) from None
    except InvalidClientTokenId:
        if credential.access_key_id.startswith("ASIA") and token:
            raise InvalidToken(**{"Token-0": token}) from None
        raise InvalidAccessKeyId(AWSAccessKeyId=credential.access_key_id) from None
    presigned = "X-Amz-Signature=" in signed.query_string
    if caller.secret is None:  # the open mode: served unverified
        return Authenticated(caller.principal, None, caller, credential.region or DEFAULT_REGION, presigned)
    verified = sigv4.verify(signed, caller.secret, now=datetime.now(UTC), service="s3")
    return Authenticated(
        caller.principal, verified, caller, credential.region or DEFAULT_REGION, verified.presigned
    )


def _call_context(request, auth: Authenticated) -> context.CallContext:
    extra: dict = {}
    if auth.caller is not None:
        keys = {
            "s3:authType": "REST-QUERY-STRING" if auth.presigned else "REST-HEADER",
            "s3:signatureversion": "AWS4-HMAC-SHA256",
        }
        if auth.verified is not None and auth.presigned:
            age = datetime.now(UTC) - auth.verified.signed_at
            keys["s3:signatureAge"] = str(max(0, int(age.total_seconds() * 1000)))
        extra["s3"] = keys
    mfa_at = auth.caller.mfa_authenticated_at if auth.caller is not None else None
    return context.for_request(
        request, mfa_authenticated_at=mfa_at.timestamp() if mfa_at is not None else None, extra=extra
    )


OBJECT_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'"
)
KEY_USE_INTERVAL = 60.0  # seconds between two AccessKeyLastUsed writes for one key (per process)
_noted: dict[tuple[str, str], float] = {}


def note_key_use(caller, region: str) -> None:
    """AccessKeyLastUsed, written at most once a minute per key from each server process: the
    date AWS shows is approximate too, and a read (GetObject) then writes nothing."""
    mark = (caller.access_key_id, region)
    now = time.monotonic()
    if now - _noted.get(mark, -KEY_USE_INTERVAL) < KEY_USE_INTERVAL:
        return
    if len(_noted) > 10_000:
        _noted.clear()
    _noted[mark] = now
    authentication.note_key_use(caller, service="s3", region=region)


def serve(request, route) -> HttpResponse:
    """Answer one S3 request; every failure is S3's error XML (a 5xx only for a fault)."""
    request_id = new_request_id()
    started = time.perf_counter()
    operation = "?"
    try:
        signed = sigv4.SignedRequest(
            method=request.method,
            path=raw_path(request),
            query_string=request.META.get("QUERY_STRING", ""),
            headers=_headers(request),
            body=None,
            s3=True,
        )
        auth = authenticate(request, signed)
        call = handlers.Call(request, route, auth, request_id)
        operation, handler = handlers.operation_for(call)
        token = context.activate(_call_context(request, auth))
        try:
            response = handler(call)
        finally:
            context.deactivate(token)
        if auth.caller is not None:
            note_key_use(auth.caller, auth.region)
    except sigv4.SigV4Error as exc:
        response = error_response(request, exc.code, exc.message, exc.status, request_id, exc.extra)
    except S3Error as exc:
        headers = {}
        region = getattr(exc, "region", None)
        if region:
            headers["x-amz-bucket-region"] = region
        response = error_response(request, exc.code, exc.message, exc.status, request_id, exc.fields, headers)
    except NotModified as exc:
        response = HttpResponse(status=304)
        response["ETag"] = exc.etag
    except IAMError as exc:  # the gate's AccessDenied, and any other AWS error of a service
        headers = {}
        region = getattr(exc, "region", None)
        if region:
            headers["x-amz-bucket-region"] = region
        status = exc.status if exc.status < 500 else 500
        response = error_response(request, exc.code, exc.message, status, request_id, headers=headers)
    except DatabaseError:
        log.exception("S3 request %s could not reach the database", request_id)
        error = ServiceUnavailable()
        response = error_response(request, error.code, error.message, error.status, request_id)
        response["Retry-After"] = "1"
    except Exception:
        log.exception("S3 request %s failed", request_id)
        error = S3Error()
        response = error_response(request, error.code, error.message, 500, request_id)
    if response.status_code < 500:
        # S3's 4xx answers are the API's normal outcomes, not the server's problems: Django
        # would log each as a warning ("Forbidden: /bucket/key")
        response._has_been_logged = True
    # S3 serves its objects from the console's own origin: an uploaded HTML page must not run
    # scripts there (it could act with a signed-in user's console session), so S3's answers
    # render in a sandbox of their own, scripts off.
    response["Content-Security-Policy"] = OBJECT_CSP
    response["x-amz-request-id"] = request_id
    response["x-amz-id-2"] = _host_id()
    response["Server"] = "AmazonS3"
    log.debug("s3 %s %s %.1f ms", operation, response.status_code, (time.perf_counter() - started) * 1000)
    return response

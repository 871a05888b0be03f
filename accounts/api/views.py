"""The AWS API endpoint: ``/`` of the console's own server speaks AWS's Query protocol for IAM
and STS, so that ``aws --endpoint-url http://127.0.0.1:8000 iam list-users`` and boto3 work.

A request is authenticated with SigV4 (the service comes from the credential scope), parsed
with botocore's model of the operation, handed to the ``(service, Action)`` handler (a thin
translation over the service functions), and answered in AWS's XML, errors included, with a
``RequestId``. Nothing here reads models or the engine.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse

from .. import context
from ..errors import IAMError, InvalidClientTokenId
from ..services import authentication
from . import iam, protocol, registry, sigv4, sts
from .adapt import encode_policy_documents

log = logging.getLogger("iamconsole.api")

registry.register("iam", iam.HANDLERS)
registry.register("sts", sts.HANDLERS)
GLOBAL_REGION = "us-east-1"
STS_ONLY_WITH_SESSION_TOKEN = {"AssumeRole", "GetCallerIdentity", "GetSessionToken"}
# AWS's common error for a request without an Action (its documented description)
MISSING_ACTION = "The request is missing an action or a required parameter."
# AccessKeyLastUsed is written when a key's service or region changes, else at most once a
# minute per key and server process: AWS reports the date to the minute, and a write per
# request was the dearest part of a read (SQLite has one writer for every worker).
LAST_USED_EVERY_SECONDS = 60.0
_last_noted: dict[str, tuple[str, str, float]] = {}


@dataclass(frozen=True)
class RequestInfo:
    service: str
    region: str
    action: str
    request_id: str


def is_api_request(request) -> bool:
    """Whether a request to ``/`` is for the API rather than a browser opening the console: any
    POST (the console posts nowhere to ``/``), a signed request, or an ``Action`` query."""
    if request.method != "GET" or request.META.get("HTTP_AUTHORIZATION", "").startswith("AWS4-"):
        return True
    query = request.META.get("QUERY_STRING", "")
    return "X-Amz-Algorithm=" in query or "Action=" in query


def _headers(request) -> list[tuple[str, str]]:
    out = []
    for key, value in request.META.items():
        if key.startswith("HTTP_"):
            out.append((key[5:].replace("_", "-").lower(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            out.append((key.replace("_", "-").lower(), value))
    return out


def _raw_path(request) -> str:
    return request.META.get("RAW_URI", "").split("?", 1)[0] or quote(request.path, safe="/~")


def _error(service: str, code: str, message: str, status: int, request_id: str, *, sender: bool = True):
    body = protocol.serialize_error(service, code, message, request_id=request_id, sender=sender)
    response = HttpResponse(body, status=status, content_type="text/xml")
    response["x-amzn-RequestId"] = request_id
    return response


def _form(text: str, where: str) -> dict[str, list[str]]:
    """A form-encoded string's parameters; a percent-escape that is not UTF-8 is refused rather
    than read as U+FFFD (which would change a name without saying so)."""
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=protocol.MAX_PARAMS, errors="strict")
    except UnicodeDecodeError:
        raise protocol.ProtocolError("MalformedQueryString", f"The {where} is not valid UTF-8.") from None
    except ValueError:  # more fields than max_num_fields
        message = f"The {where} has more than {protocol.MAX_PARAMS} parameters."
        raise protocol.ProtocolError("MalformedQueryString", message) from None


def _params(request, body: bytes) -> dict[str, list[str]]:
    params = _form(request.META.get("QUERY_STRING", ""), "query string")
    if request.method == "POST" and body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise protocol.ProtocolError(
                "MalformedQueryString", "The request body is not valid UTF-8."
            ) from None
        for key, values in _form(text, "request body").items():
            params.setdefault(key, []).extend(values)
    return params


def _service_of(credential) -> str:
    """The service a request is for: its SigV4 credential scope says (IAM when unknown)."""
    return credential.service if credential.service in registry.services() else "iam"


def aws_endpoint(request):
    """Serve one AWS API request; every failure is AWS's error XML with a 4xx (5xx: a fault)."""
    request_id = str(uuid.uuid4())
    service = "iam"
    started = time.perf_counter()
    try:
        try:
            body = request.body
        except RequestDataTooBig:
            raise protocol.ProtocolError("RequestEntityTooLarge", "Request body is too large.", 413) from None
        signed = sigv4.SignedRequest(
            method=request.method,
            path=_raw_path(request),
            query_string=request.META.get("QUERY_STRING", ""),
            headers=_headers(request),
            body=body,
        )
        params = _params(request, body)
        try:
            credential = sigv4.credential_of(signed)
        except sigv4.SigV4Error as exc:
            service = "sts" if params.get("Version", [""])[0] == "2011-06-15" else "iam"
            raise exc
        service = _service_of(credential)
        caller = authentication.caller_for_access_key(
            credential.access_key_id, _security_token(signed, request), service=service
        )
        if caller.secret is not None:
            sigv4.verify(signed, caller.secret, now=datetime.now(UTC))
        action = (params.pop("Action", [""]) or [""])[0]
        if not action:
            raise protocol.ProtocolError("MissingAction", MISSING_ACTION)
        params.pop("Version", None)
        _check_session_limits(caller, service, action)
        op = protocol.operation(service, action)
        handler = registry.handler_for(service, action)
        if handler is None:
            raise protocol.ProtocolError(
                "InvalidAction", f"The action {action} is not supported by this IAM emulator yet."
            )
        parsed = protocol.parse_params(op, params)
        info = RequestInfo(service, credential.region or GLOBAL_REGION, action, request_id)
        token = context.activate(_call_context(request, caller))
        try:
            result = handler(caller.principal, parsed, info)
        finally:
            context.deactivate(token)
        _note_key_use(caller, service, info.region)
        if service == "iam":
            encode_policy_documents(result, op.output_shape)
        response = HttpResponse(
            protocol.serialize_result(op, result, request_id=request_id), content_type="text/xml"
        )
        response["x-amzn-RequestId"] = request_id
        log.debug("%s:%s %.1f ms", service, action, (time.perf_counter() - started) * 1000)
        return response
    except sigv4.SigV4Error as exc:
        return _error(service, exc.code, exc.message, exc.status, request_id)
    except protocol.ProtocolError as exc:
        return _error(service, exc.code, exc.message, exc.status, request_id, sender=exc.sender)
    except IAMError as exc:
        status = exc.status if exc.status < 500 else 500
        return _error(service, exc.code, exc.message, status, request_id, sender=status < 500)
    except Exception:
        log.exception("API request %s failed", request_id)
        message = "The request processing has failed because of an unknown error."
        return _error(service, "ServiceFailure", message, 500, request_id, sender=False)


def _note_key_use(caller, service: str, region: str) -> None:
    if caller.kind != "long-term":
        return
    now = time.monotonic()
    last = _last_noted.get(caller.access_key_id)
    if last is not None and last[:2] == (service, region) and now - last[2] < LAST_USED_EVERY_SECONDS:
        return
    authentication.note_key_use(caller, service=service, region=region)
    if len(_last_noted) >= 10_000:
        _last_noted.clear()
    _last_noted[caller.access_key_id] = (service, region, now)


def _security_token(signed, request) -> str | None:
    token = request.META.get("HTTP_X_AMZ_SECURITY_TOKEN")
    if token is None:
        query = parse_qs(signed.query_string)
        token = (query.get("X-Amz-Security-Token") or [None])[0]
    return token


def _check_session_limits(caller, service: str, action: str) -> None:
    """AWS's rules for GetSessionToken credentials: no IAM call without MFA, and of STS only
    AssumeRole and GetCallerIdentity (GetSessionToken itself answers its own refusal)."""
    if caller.kind != "session-token":
        return
    if service == "iam" and caller.mfa_authenticated_at is None:
        raise InvalidClientTokenId(authentication.INVALID_TOKEN["iam"])
    if service == "sts" and action not in STS_ONLY_WITH_SESSION_TOKEN:
        raise InvalidClientTokenId(authentication.INVALID_TOKEN["sts"])


def _call_context(request, caller) -> context.CallContext:
    mfa_at = caller.mfa_authenticated_at
    return context.for_request(
        request, mfa_authenticated_at=mfa_at.timestamp() if mfa_at is not None else None
    )

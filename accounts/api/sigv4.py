"""AWS Signature Version 4 verification, pure Python (no Django).

Authenticates requests signed by boto3, the AWS CLI and the other AWS SDKs: the Query
protocol of IAM and STS (form-encoded POST bodies) and, with ``SignedRequest.s3``, S3's REST
requests (path-style and virtual-host), including ``aws-chunked`` uploads (signed chunks, and the
trailing-checksum variants boto3 sends over HTTPS).

The caller works in three steps::

    credential = credential_of(request)        # the scope only: no secret needed
    secret = lookup(credential.access_key_id)   # unknown key: the caller answers
                                                # InvalidClientTokenId (INVALID_CLIENT_TOKEN_ID)
    verified = verify(request, secret, now=datetime.now(UTC))

Every refusal is a :class:`SigV4Error` carrying AWS's error code, message and HTTP status;
nothing else is raised for bad input. Written from AWS's documentation of the algorithm:

* IAM User Guide, "Create a signed AWS API request" and "Elements of an AWS API request
  signature" (canonical request, string to sign, signing key; URI normalization and double
  encoding for every service but S3);
* Amazon S3 API Reference, "Authenticating Requests: Using the Authorization Header",
  "Authenticating Requests: Using Query Parameters" and "Signature Calculations for the
  Authorization Header: Transferring Payload in Multiple Chunks (Chunked Upload)" and "Signature
  calculations for trailing headers (chunked uploads)";
* the error codes and messages of AWS's Query-protocol services (IAM, STS) and of S3, as AWS
  documents them and as AWS answers them (quoted in public issue threads).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote_to_bytes

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "EXPIRED_TOKEN",
    "INVALID_CLIENT_TOKEN_ID",
    "MISSING_AUTHENTICATION_TOKEN",
    "S3_INVALID_ACCESS_KEY_ID",
    "S3_SIGNATURE_DOES_NOT_MATCH",
    "SIGNATURE_DOES_NOT_MATCH",
    "STREAMING_PAYLOAD",
    "STREAMING_PAYLOAD_TRAILER",
    "STREAMING_UNSIGNED_PAYLOAD_TRAILER",
    "UNSIGNED_PAYLOAD",
    "ChunkedPayloadReader",
    "Credential",
    "MissingAuthenticationError",
    "SigV4Error",
    "SignedRequest",
    "VerifiedRequest",
    "canonical_request",
    "credential_of",
    "signing_key",
    "string_to_sign",
    "verify",
]

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_PAYLOAD_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_PAYLOAD_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

#: The payload values S3 accepts in ``x-amz-content-sha256`` besides a hex SHA-256.
S3_PAYLOAD_VALUES = frozenset(
    {
        UNSIGNED_PAYLOAD,
        STREAMING_UNSIGNED_PAYLOAD_TRAILER,
        STREAMING_PAYLOAD,
        STREAMING_PAYLOAD_TRAILER,
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
    }
)

MAX_SKEW = timedelta(minutes=15)
MAX_EXPIRES = 604800  # seconds: a week, the longest a presigned URL may live
MIN_CHUNK_SIZE = 8192  # every chunk of an aws-chunked body but the last is at least 8 KiB

# Messages, as AWS words them.
MISSING_AUTHENTICATION_TOKEN = "Request is missing Authentication Token"
SIGNATURE_DOES_NOT_MATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
S3_SIGNATURE_DOES_NOT_MATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
#: For the caller, whose job it is to answer an unknown access key (IAM/STS: InvalidClientTokenId, 403).
INVALID_CLIENT_TOKEN_ID = "The security token included in the request is invalid."
#: For the caller: an expired session token (IAM/STS: ExpiredToken).
EXPIRED_TOKEN = "The security token included in the request is expired"
#: For the caller: S3's unknown access key (InvalidAccessKeyId, 403).
S3_INVALID_ACCESS_KEY_ID = "The AWS Access Key Id you provided does not exist in our records."

_HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
_BOTH_MECHANISMS = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
_ISO_HELP = "See http://en.wikipedia.org/wiki/ISO_8601"
_S3_HEADER_MALFORMED = "The authorization header is malformed; "
_S3_QUERY_CREDENTIAL = "Error parsing the X-Amz-Credential parameter; "
_S3_CREDENTIAL_SHAPE = (
    'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
)
_S3_ONE_MECHANISM = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
    "parameter or the Authorization header should be specified"
)
_S3_MECHANISM_NOT_SUPPORTED = (
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
)
_S3_QUERY_PARAMETERS = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
_S3_BAD_DATE = "AWS authentication requires a valid Date or x-amz-date header"
_S3_BAD_QUERY_DATE = "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
_EXPIRES_NOT_A_NUMBER = "X-Amz-Expires should be a number"
_EXPIRES_NEGATIVE = "X-Amz-Expires must be non-negative"
_EXPIRES_TOO_LARGE = (
    "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
    "less than 604800 seconds"
)
_S3_BAD_PAYLOAD_HASH = (
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or "
    "a valid sha256 value."
)
_S3_MISSING_PAYLOAD_HASH = "Missing required header for this request: x-amz-content-sha256"
_S3_PAYLOAD_MISMATCH = "The provided 'x-amz-content-sha256' header does not match what was computed."
_S3_HEADERS_NOT_SIGNED = "There were headers present in the request which were not signed"
_S3_TOO_SKEWED = "The difference between the request time and the current time is too large."
_INCOMPLETE_BODY = "You did not provide the number of bytes specified by the Content-Length HTTP header."
_QUERY_PARAMETERS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-SignedHeaders",
    "X-Amz-Date",
)
_PRESIGN_MARKERS = frozenset(_QUERY_PARAMETERS)


class SigV4Error(Exception):
    """A refusal, with AWS's error code, message and HTTP status.

    ``extra`` holds the further elements AWS puts in such an error response (S3's
    ``StringToSign``, ``ServerTime``…; for IAM/STS a signature mismatch carries the
    ``CanonicalRequest`` and ``StringToSign`` AWS appends to the message).
    """

    def __init__(self, code: str, message: str, status: int = 403, extra: dict[str, str] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra: dict[str, str] = dict(extra or {})

    def __repr__(self) -> str:
        return f"SigV4Error({self.code!r}, {self.message!r}, {self.status!r})"


class MissingAuthenticationError(SigV4Error):
    """The request carries no SigV4 authentication at all (no Authorization header, no X-Amz-* query).

    IAM and STS answer MissingAuthenticationToken; S3 may serve such an anonymous request when
    a bucket policy allows it, hence a class of its own (its code there is AccessDenied).
    """


@dataclass(frozen=True)
class SignedRequest:
    """A request as received. Header values are ``str`` as the server decoded them."""

    method: str
    path: str  # raw path as received, still percent-encoded (e.g. "/my%20bucket/a%2Fb")
    query_string: str  # raw query string as received (without "?")
    headers: list[tuple[str, str]]  # (name, value) as received, any case, repeated names allowed
    body: bytes | None = None  # the body when small and in memory (Query protocol); None when streamed
    s3: bool = False  # S3 canonicalization rules (no path normalization, single URI encoding)


@dataclass(frozen=True)
class Credential:
    """The credential scope: access key ID / date / region / service (/ aws4_request)."""

    access_key_id: str
    date: str
    region: str
    service: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{TERMINATOR}"


@dataclass(frozen=True)
class VerifiedRequest:
    credential: Credential
    signed_at: datetime  # X-Amz-Date / Date, timezone-aware UTC
    presigned: bool
    payload_hash: str  # hex sha256, or "UNSIGNED-PAYLOAD" / "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    signature: str
    signing_key: bytes  # so that a streaming chunk reader can go on verifying
    security_token: str | None  # X-Amz-Security-Token (header or query), not checked here

    @property
    def amz_date(self) -> str:
        return _iso_basic(self.signed_at)


# --------------------------------------------------------------------------------------------
# Encoding


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _uri_encode(data: bytes, *, keep_slash: bool = False) -> str:
    """AWS's UriEncode: every byte but A-Z a-z 0-9 - . _ ~ (and "/" when kept) as %XY, upper-case hex."""
    return quote(data, safe="/" if keep_slash else "")


def _iso_basic(moment: datetime) -> str:
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"
    )


def _iso_extended(moment: datetime) -> str:
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    )


def _spaced_hex(text: str) -> str:
    return " ".join(f"{b:02x}" for b in _utf8(text))


_ISO_BASIC = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z")
_DIGITS = re.compile(r"[0-9]+")
_SCOPE_DATE = re.compile(r"[0-9]{8}")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def _parse_iso_basic(value: str) -> datetime | None:
    match = _ISO_BASIC.fullmatch(value)
    if match is None:
        return None
    try:
        return datetime(*(int(part) for part in match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def _parse_date_header(value: str) -> datetime | None:
    """The Date header: ISO 8601 basic format, or an HTTP date (RFC 7231)."""
    moment = _parse_iso_basic(value)
    if moment is not None:
        return moment
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except Exception:  # the e-mail date parser raises several kinds on garbage
        return None


# --------------------------------------------------------------------------------------------
# Canonical request (AWS's "Create a canonical request")


def _normalized_path(path: str) -> str:
    """RFC 3986 normalization of the raw path: no empty, "." or ".." segments; the trailing slash kept."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    if not segments:
        return "/"
    trailing = path.endswith(("/", "/.", "/..")) and path.rstrip("/") != ""
    return "/" + "/".join(segments) + ("/" if trailing else "")


def _canonical_uri(path: str, s3: bool) -> str:
    if s3:
        # S3: the path once URI-encoded, as the client sent it; no normalization ("a//b" is a key).
        # Each segment is decoded and encoded again, so that equivalent spellings ("~", "%7E")
        # give the canonical one; "%2F" inside a segment stays "%2F".
        if not path:
            return "/"
        return "/".join(_uri_encode(unquote_to_bytes(_utf8(segment))) for segment in path.split("/"))
    # Every other service: normalize, then encode the (already encoded) path once more.
    return _uri_encode(_utf8(_normalized_path(path)), keep_slash=True)


def _query_pairs(query_string: str) -> list[tuple[bytes, bytes]]:
    """The query's (name, value) pairs, percent-decoded ("+" is a plus sign, as RFC 3986 has it)."""
    pairs = []
    for piece in query_string.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((unquote_to_bytes(_utf8(name)), unquote_to_bytes(_utf8(value))))
    return pairs


def _canonical_query(pairs: list[tuple[bytes, bytes]], presigned: bool) -> str:
    encoded = sorted(
        (_uri_encode(name), _uri_encode(value))
        for name, value in pairs
        if not (presigned and name == b"X-Amz-Signature")
    )
    return "&".join(f"{name}={value}" for name, value in encoded)


def _header_map(headers: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in headers:
        found.setdefault(name.lower(), []).append(value)
    return found


def _canonical_value(values: list[str]) -> str:
    # Trim each value and collapse its runs of white space; repeated headers joined with commas.
    return ",".join(" ".join(value.split()) for value in values)


def _canonical_request(
    request: SignedRequest,
    headers: dict[str, list[str]],
    pairs: list[tuple[bytes, bytes]],
    signed_headers: Sequence[str],
    payload_hash: str,
    presigned: bool,
) -> str:
    canonical_headers = "".join(
        f"{name}:{_canonical_value(headers.get(name, []))}\n" for name in signed_headers
    )
    return "\n".join(
        (
            request.method,
            _canonical_uri(request.path, request.s3),
            _canonical_query(pairs, presigned),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        )
    )


def canonical_request(
    request: SignedRequest, signed_headers: Sequence[str], payload_hash: str, *, presigned: bool = False
) -> str:
    """The canonical request of ``request`` for the given signed header names (lower-case)."""
    return _canonical_request(
        request,
        _header_map(request.headers),
        _query_pairs(request.query_string),
        [name.lower() for name in signed_headers],
        payload_hash,
        presigned,
    )


def string_to_sign(canonical: str, amz_date: str, scope: str) -> str:
    digest = hashlib.sha256(_utf8(canonical)).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


_KEY_CACHE: OrderedDict[tuple[bytes, str, str, str], bytes] = OrderedDict()
_KEY_CACHE_SIZE = 1024
_KEY_CACHE_LOCK = threading.Lock()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """HMAC chain "AWS4"+secret → date → region → service → "aws4_request", cached (LRU).

    The cache is keyed by the secret's SHA-256, never the secret itself.
    """
    cache_key = (hashlib.sha256(_utf8(secret)).digest(), date, region, service)
    with _KEY_CACHE_LOCK:
        key = _KEY_CACHE.get(cache_key)
        if key is not None:
            _KEY_CACHE.move_to_end(cache_key)
            return key
    key = _utf8("AWS4" + secret)
    for part in (date, region, service, TERMINATOR):
        key = hmac.digest(key, _utf8(part), "sha256")
    with _KEY_CACHE_LOCK:
        _KEY_CACHE[cache_key] = key
        if len(_KEY_CACHE) > _KEY_CACHE_SIZE:
            _KEY_CACHE.popitem(last=False)
    return key


def _sign(key: bytes, text: str) -> str:
    return hmac.digest(key, _utf8(text), "sha256").hex()


# --------------------------------------------------------------------------------------------
# Parsing the authentication (header or query)


@dataclass(frozen=True, slots=True)
class _Auth:
    presigned: bool
    credential: Credential
    signed_headers: list[str]
    signature: str
    amz_date: str  # the request time as the string to sign has it
    signed_at: datetime
    date_raw: str  # as received (S3's RequestTime)
    expires: int | None
    security_token: str | None
    headers: dict[str, list[str]]
    pairs: list[tuple[bytes, bytes]]


def _incomplete(message: str) -> SigV4Error:
    return SigV4Error("IncompleteSignature", message, 400)


def _s3_malformed(message: str, presigned: bool, **extra: str) -> SigV4Error:
    if presigned:
        return SigV4Error("AuthorizationQueryParametersError", message, 400, extra)
    return SigV4Error("AuthorizationHeaderMalformed", message, 400, extra)


def _split_algorithm(header: str) -> tuple[str, str]:
    """(the algorithm, the rest) of an Authorization header: they are split by white space."""
    words = header.split(None, 1)
    if not words:
        return "", ""
    return words[0], words[1] if len(words) > 1 else ""


def _auth_params(header: str, s3: bool) -> tuple[str, dict[str, str]]:
    """Split ``ALGORITHM Credential=…, SignedHeaders=…, Signature=…`` (commas or spaces after the algorithm)."""
    algorithm, rest = _split_algorithm(header)
    if "," in algorithm:
        algorithm, _, more = algorithm.partition(",")
        rest = more + " " + rest
    params: dict[str, str] = {}
    for piece in rest.split(","):
        piece = piece.strip()
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        if not sep:
            if s3:
                raise _s3_malformed(
                    _S3_HEADER_MALFORMED + f'the authorization component "{piece}" is malformed.', False
                )
            raise _incomplete(
                f"'{piece}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )
        params.setdefault(name.strip(), value.strip())
    return algorithm, params


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _parse(request: SignedRequest) -> _Auth:
    headers = _header_map(request.headers)
    pairs = _query_pairs(request.query_string)
    authorization = [value for value in headers.get("authorization", ()) if value.strip()]
    query: dict[str, str] = {}
    for name, value in pairs:
        if name.startswith(b"X-Amz-"):
            query.setdefault(name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
    if authorization:
        if "X-Amz-Algorithm" in query:
            if request.s3:
                raise SigV4Error("InvalidArgument", _S3_ONE_MECHANISM, 400)
            raise SigV4Error("SignatureDoesNotMatch", _BOTH_MECHANISMS, 403)
        return _parse_header(request, headers, pairs, ", ".join(authorization))
    if _PRESIGN_MARKERS.intersection(query):
        return _parse_query(request, headers, pairs, query)
    if request.s3:
        raise MissingAuthenticationError("AccessDenied", "Access Denied", 403)
    raise MissingAuthenticationError("MissingAuthenticationToken", MISSING_AUTHENTICATION_TOKEN, 403)


_LAST_PARSE = threading.local()


def _parse_once(request: SignedRequest, *, keep: bool) -> _Auth:
    """``_parse(request)``, reusing the parse of ``credential_of`` when ``verify`` follows it.

    Each thread remembers the last request ``credential_of`` parsed (by identity: the same
    SignedRequest object, which is immutable; a weak reference, which keeps no body alive) until
    ``verify`` takes it.
    """
    last = getattr(_LAST_PARSE, "entry", None)
    auth = last[1] if last is not None and last[0]() is request else _parse(request)
    _LAST_PARSE.entry = (weakref.ref(request), auth) if keep else None
    return auth


def _request_time(headers: dict[str, list[str]]) -> tuple[str | None, datetime | None, str]:
    """(the raw value, its time, the time as the string to sign has it) of X-Amz-Date, else of Date."""
    raw = _first(headers, "x-amz-date")
    if raw is not None:
        value = raw.strip()
        return raw, _parse_iso_basic(value), value
    raw = _first(headers, "date")
    if raw is not None:
        moment = _parse_date_header(raw.strip())
        return raw, moment, _iso_basic(moment) if moment is not None else ""
    return None, None, ""


def _parse_header(
    request: SignedRequest, headers: dict[str, list[str]], pairs: list[tuple[bytes, bytes]], header: str
) -> _Auth:
    s3 = request.s3
    if s3:
        algorithm = _split_algorithm(header)[0].partition(",")[0]
        if algorithm != ALGORITHM:
            if algorithm == "AWS" or algorithm.startswith("AWS4-"):
                raise SigV4Error("InvalidRequest", _S3_MECHANISM_NOT_SUPPORTED, 400)
            raise SigV4Error(
                "InvalidArgument",
                "Unsupported Authorization Type",
                400,
                {"ArgumentName": "Authorization", "ArgumentValue": header},
            )
    algorithm, params = _auth_params(header, s3)
    credential_raw = params.get("Credential", "")
    signature = params.get("Signature", "")
    signed_raw = params.get("SignedHeaders")
    date_raw, signed_at, amz_date = _request_time(headers)
    if s3:
        if not credential_raw or not signature or signed_raw is None:
            raise _s3_malformed(
                _S3_HEADER_MALFORMED
                + "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
                False,
            )
        if signed_at is None:
            raise SigV4Error("AccessDenied", _S3_BAD_DATE, 403)
    else:
        missing = "".join(
            f"Authorization header requires '{name}' parameter. "
            for name, present in (
                ("Credential", bool(credential_raw)),
                ("Signature", bool(signature)),
                ("SignedHeaders", signed_raw is not None),
            )
            if not present
        )
        if date_raw is None:
            missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        if missing:
            raise _incomplete(missing + "Authorization=" + header)
        if signed_at is None:
            raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{date_raw}'. {_ISO_HELP}")
    signed_headers = [name.strip().lower() for name in (signed_raw or "").split(";")]
    _check_host_signed(signed_headers, s3)
    if not s3 and algorithm != ALGORITHM:
        raise _incomplete(f"Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). ")
    assert signed_at is not None and date_raw is not None  # narrowed above
    credential = _credential(credential_raw, amz_date, s3, presigned=False)
    return _Auth(
        presigned=False,
        credential=credential,
        signed_headers=signed_headers,
        signature=signature,
        amz_date=amz_date,
        signed_at=signed_at,
        date_raw=date_raw,
        expires=None,
        security_token=_first(headers, "x-amz-security-token"),
        headers=headers,
        pairs=pairs,
    )


def _parse_query(
    request: SignedRequest,
    headers: dict[str, list[str]],
    pairs: list[tuple[bytes, bytes]],
    query: dict[str, str],
) -> _Auth:
    s3 = request.s3
    if s3:
        if "X-Amz-Algorithm" in query and query["X-Amz-Algorithm"] != ALGORITHM:
            raise _s3_malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', True)
        if any(not query.get(name) for name in (*_QUERY_PARAMETERS, "X-Amz-Expires")):
            raise _s3_malformed(_S3_QUERY_PARAMETERS, True)
    else:
        missing = "".join(
            f"AWS query-string parameters must include '{name}'. "
            for name in _QUERY_PARAMETERS
            if not query.get(name)
        )
        if missing:
            raise _incomplete(missing + "Re-examine the query-string parameters.")
    date_raw = query["X-Amz-Date"]
    signed_at = _parse_iso_basic(date_raw)
    if signed_at is None:
        if s3:
            raise _s3_malformed(_S3_BAD_QUERY_DATE, True)
        raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{date_raw}'. {_ISO_HELP}")
    expires = _expires(query.get("X-Amz-Expires"), s3)
    signed_headers = [name.strip().lower() for name in query["X-Amz-SignedHeaders"].split(";")]
    _check_host_signed(signed_headers, s3)
    algorithm = query["X-Amz-Algorithm"]
    if not s3 and algorithm != ALGORITHM:
        raise _incomplete(f"Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). ")
    credential = _credential(query["X-Amz-Credential"], date_raw, s3, presigned=True)
    token = query.get("X-Amz-Security-Token")
    if token is None:
        token = _first(headers, "x-amz-security-token")
    return _Auth(
        presigned=True,
        credential=credential,
        signed_headers=signed_headers,
        signature=query["X-Amz-Signature"],
        amz_date=date_raw,
        signed_at=signed_at,
        date_raw=date_raw,
        expires=expires,
        security_token=token,
        headers=headers,
        pairs=pairs,
    )


def _expires(raw: str | None, s3: bool) -> int | None:
    if raw is None:
        return None

    def refuse(message: str) -> SigV4Error:
        return _s3_malformed(message, True) if s3 else _incomplete(message)

    text = raw.strip()
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not _DIGITS.fullmatch(digits) or len(digits) > 18:
        raise refuse(_EXPIRES_NOT_A_NUMBER)
    if negative and int(digits) != 0:
        raise refuse(_EXPIRES_NEGATIVE)
    value = int(digits)
    if value > MAX_EXPIRES:
        raise refuse(_EXPIRES_TOO_LARGE)
    return value


def _check_host_signed(signed_headers: list[str], s3: bool) -> None:
    if "host" in signed_headers:
        return
    if s3:
        raise SigV4Error("AccessDenied", _S3_HEADERS_NOT_SIGNED, 403, {"HeadersNotSigned": "host"})
    raise SigV4Error("SignatureDoesNotMatch", _HOST_NOT_SIGNED, 403)


def _credential(raw: str, amz_date: str, s3: bool, *, presigned: bool) -> Credential:
    parts = raw.rstrip("/").split("/") if raw.rstrip("/") else [raw]
    if s3:
        prefix = _S3_QUERY_CREDENTIAL if presigned else _S3_HEADER_MALFORMED
        if len(parts) != 5:
            raise _s3_malformed(prefix + _S3_CREDENTIAL_SHAPE, presigned)
        key_id, date, region, service, terminator = parts
        if not _SCOPE_DATE.fullmatch(date):
            raise _s3_malformed(
                prefix + f'incorrect date format "{date}". This date in the credential must be in the '
                'format "yyyyMMdd".',
                presigned,
            )
        if terminator != TERMINATOR:
            raise _s3_malformed(
                prefix + f'incorrect terminal "{terminator}". This endpoint uses "aws4_request".', presigned
            )
        if date != amz_date[:8]:
            if presigned:
                raise _s3_malformed(
                    f'Invalid credential date "{date}". This date is not the same as X-Amz-Date: '
                    f'"{amz_date[:8]}".',
                    True,
                )
            raise _s3_malformed(
                _S3_HEADER_MALFORMED + "Invalid credential date. Date is not the same as X-Amz-Date.", False
            )
        return Credential(key_id, date, region, service)
    if len(parts) != 5:
        raise _incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            f"got '{raw}'"
        )
    key_id, date, region, service, terminator = parts
    problems = []
    if terminator != TERMINATOR:
        problems.append(
            f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )
    if date != amz_date[:8]:
        problems.append(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{date}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    if problems:
        raise SigV4Error("SignatureDoesNotMatch", " ".join(problems), 403)
    return Credential(key_id, date, region, service)


def _check_scope(auth: _Auth, s3: bool, service: str | None, region: str | None) -> None:
    """The scope's region and service against what the caller expects (None: not checked)."""
    credential = auth.credential
    if s3:
        prefix = _S3_QUERY_CREDENTIAL if auth.presigned else _S3_HEADER_MALFORMED
        if region is not None and credential.region != region:
            raise _s3_malformed(
                prefix + f"the region '{credential.region}' is wrong; expecting '{region}'",
                auth.presigned,
                Region=region,
            )
        if service is not None and credential.service != service:
            raise _s3_malformed(
                prefix + f'incorrect service "{credential.service}". This endpoint belongs to "{service}".',
                auth.presigned,
            )
        return
    problems = []
    if region is not None and credential.region != region:
        problems.append(f"Credential should be scoped to a valid region, not '{credential.region}'.")
    if service is not None and credential.service != service:
        problems.append(f"Credential should be scoped to correct service: '{service}'.")
    if problems:
        raise SigV4Error("SignatureDoesNotMatch", " ".join(problems), 403)


def _check_time(auth: _Auth, s3: bool, now: datetime) -> None:
    ahead = auth.signed_at - now  # > 0: signed in the future
    if auth.presigned:
        if ahead > MAX_SKEW:
            if s3:
                raise SigV4Error("AccessDenied", "Request is not valid yet", 403)
            raise _not_yet_current(auth, now)
        if auth.expires is None:  # IAM/STS without X-Amz-Expires: the 15 minutes of a signature
            if -ahead > MAX_SKEW:
                raise _expired(auth, now)
            return
        if auth.expires == 0 or -ahead > timedelta(seconds=auth.expires):
            if s3:
                raise SigV4Error(
                    "AccessDenied",
                    "Request has expired",
                    403,
                    {
                        "X-Amz-Expires": str(auth.expires),
                        "Expires": _iso_extended(auth.signed_at + timedelta(seconds=auth.expires)),
                        "ServerTime": _iso_extended(now),
                    },
                )
            raise SigV4Error("RequestExpired", "Request has expired.", 400)
        return
    if abs(ahead) <= MAX_SKEW:
        return
    if s3:
        raise SigV4Error(
            "RequestTimeTooSkewed",
            _S3_TOO_SKEWED,
            403,
            {
                "RequestTime": auth.date_raw,
                "ServerTime": _iso_extended(now),
                "MaxAllowedSkewMilliseconds": "900000",
            },
        )
    raise _not_yet_current(auth, now) if ahead > timedelta(0) else _expired(auth, now)


def _expired(auth: _Auth, now: datetime) -> SigV4Error:
    return SigV4Error(
        "SignatureDoesNotMatch",
        f"Signature expired: {auth.amz_date} is now earlier than {_iso_basic(now - MAX_SKEW)} "
        f"({_iso_basic(now)} - 15 min.)",
        403,
    )


def _not_yet_current(auth: _Auth, now: datetime) -> SigV4Error:
    return SigV4Error(
        "SignatureDoesNotMatch",
        f"Signature not yet current: {auth.amz_date} is still later than {_iso_basic(now + MAX_SKEW)} "
        f"({_iso_basic(now)} + 15 min.)",
        403,
    )


def _payload_hash(request: SignedRequest, auth: _Auth) -> str:
    declared = _first(auth.headers, "x-amz-content-sha256")
    if request.s3:
        if declared is None and auth.presigned:
            for name, value in auth.pairs:
                if name == b"X-Amz-Content-Sha256":
                    declared = value.decode("utf-8", "replace")
                    break
            else:
                return UNSIGNED_PAYLOAD
        if declared is None:
            raise SigV4Error("InvalidRequest", _S3_MISSING_PAYLOAD_HASH, 400)
        if declared not in S3_PAYLOAD_VALUES and not _HEX64.fullmatch(declared):
            raise SigV4Error(
                "InvalidArgument",
                _S3_BAD_PAYLOAD_HASH,
                400,
                {"ArgumentName": "x-amz-content-sha256", "ArgumentValue": declared},
            )
        return declared
    if declared is not None:
        return declared
    return hashlib.sha256(request.body or b"").hexdigest()


def _check_s3_headers_signed(auth: _Auth) -> None:
    unsigned = sorted(
        name for name in auth.headers if name.startswith("x-amz-") and name not in auth.signed_headers
    )
    if unsigned:
        raise SigV4Error(
            "AccessDenied", _S3_HEADERS_NOT_SIGNED, 403, {"HeadersNotSigned": ", ".join(unsigned)}
        )


def _utc(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


# --------------------------------------------------------------------------------------------
# The API


def credential_of(
    request: SignedRequest, *, service: str | None = None, region: str | None = None
) -> Credential:
    """The credential scope of a signed request: no secret needed, so that the caller can look it up.

    Raises :class:`SigV4Error` when the authentication is missing or malformed. ``service`` and
    ``region``, when given, are checked against the scope with AWS's messages.
    """
    _LAST_PARSE.entry = None
    auth = _parse_once(request, keep=True)
    _check_scope(auth, request.s3, service, region)
    return auth.credential


def verify(
    request: SignedRequest,
    secret: str,
    *,
    now: datetime,
    service: str | None = None,
    region: str | None = None,
) -> VerifiedRequest:
    """Verify the signature of ``request`` with the secret access key of its credential.

    ``now`` is the server's time (a naive datetime is taken as UTC). Raises :class:`SigV4Error`.
    For S3 with ``body=None`` a hex ``x-amz-content-sha256`` is the caller's to check against the
    streamed body (``VerifiedRequest.payload_hash``); a ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD`` body
    is read through :class:`ChunkedPayloadReader`.
    """
    s3 = request.s3
    auth = _parse_once(request, keep=False)
    _check_scope(auth, s3, service, region)
    now = _utc(now)
    _check_time(auth, s3, now)
    payload_hash = _payload_hash(request, auth)
    if s3:
        _check_s3_headers_signed(auth)
    canonical = _canonical_request(
        request, auth.headers, auth.pairs, auth.signed_headers, payload_hash, auth.presigned
    )
    credential = auth.credential
    to_sign = string_to_sign(canonical, auth.amz_date, credential.scope)
    key = signing_key(secret, credential.date, credential.region, credential.service)
    expected = _sign(key, to_sign)
    if not hmac.compare_digest(expected.encode("ascii"), _utf8(auth.signature)):
        if s3:
            raise SigV4Error(
                "SignatureDoesNotMatch",
                S3_SIGNATURE_DOES_NOT_MATCH,
                403,
                {
                    "AWSAccessKeyId": credential.access_key_id,
                    "StringToSign": to_sign,
                    "SignatureProvided": auth.signature,
                    "StringToSignBytes": _spaced_hex(to_sign),
                    "CanonicalRequest": canonical,
                    "CanonicalRequestBytes": _spaced_hex(canonical),
                },
            )
        raise SigV4Error(
            "SignatureDoesNotMatch",
            SIGNATURE_DOES_NOT_MATCH,
            403,
            {"CanonicalRequest": canonical, "StringToSign": to_sign},
        )
    if request.body is not None and _HEX64.fullmatch(payload_hash):
        computed = hashlib.sha256(request.body).hexdigest()
        if computed != payload_hash.lower():
            if s3:
                raise SigV4Error(
                    "XAmzContentSHA256Mismatch",
                    _S3_PAYLOAD_MISMATCH,
                    400,
                    {"ClientComputedContentSHA256": payload_hash, "S3ComputedContentSHA256": computed},
                )
            raise SigV4Error("SignatureDoesNotMatch", SIGNATURE_DOES_NOT_MATCH, 403)
    return VerifiedRequest(
        credential=credential,
        signed_at=auth.signed_at,
        presigned=auth.presigned,
        payload_hash=payload_hash,
        signature=auth.signature,
        signing_key=key,
        security_token=auth.security_token,
    )


# --------------------------------------------------------------------------------------------
# aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD and the -TRAILER variants)

_CHUNKED_PAYLOADS = frozenset(
    {STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER}
)
_SIGNED_CHUNK_HEADER = re.compile(rb"([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})\r\n")
_UNSIGNED_CHUNK_HEADER = re.compile(rb"([0-9a-fA-F]{1,16})\r\n")
_TRAILER_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*?)[ \t]*\r\n")
_MIN_SIGNED_HEADER = len(b"0;chunk-signature=") + 64 + 2
_MAX_SIGNED_HEADER = _MIN_SIGNED_HEADER + 15
_MAX_TRAILER_LINE = 4096
_MAX_TRAILERS = 16


class ChunkedPayloadReader:
    """Decode and verify an ``aws-chunked`` body, chunk by chunk, from a file-like object.

    For ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD`` each chunk is ``hex-size;chunk-signature=<64 hex>
    \\r\\n<data>\\r\\n``, the last one of size 0; chunk *n*'s signature signs its data and chunk
    *n-1*'s signature, the first one chaining from the seed signature of the request. A chunk's
    data is given out only once its signature has been verified, so at most one chunk is held in
    memory (``max_chunk_size``). The raw stream is never read past the end of the body.

    The ``-TRAILER`` variants end with trailing headers (``x-amz-checksum-*``) after the empty
    chunk: signed by ``x-amz-trailer-signature`` (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER), or
    with unsigned chunks ``hex-size\\r\\n<data>\\r\\n`` (STREAMING-UNSIGNED-PAYLOAD-TRAILER, what
    boto3 sends over HTTPS). They are in :attr:`trailers` once the body is read; checking a
    checksum they carry is the caller's job.

    Read it with :meth:`read` / :meth:`readinto` or iterate over it (verified decoded chunks).
    Raises :class:`SigV4Error`: SignatureDoesNotMatch for a bad chunk or trailer signature,
    IncompleteBody when the body ends early or its decoded length is not ``decoded_length``
    (``x-amz-decoded-content-length``), InvalidChunkSizeError for a small chunk before the last,
    InvalidRequest for a body that is not aws-chunked. A consumer keeps what it read only when it
    reached the end (:attr:`finished`) without an exception.
    """

    def __init__(
        self,
        raw_stream: Any,
        verified: VerifiedRequest,
        *,
        decoded_length: int | None,
        max_chunk_size: int = 16 * 1024 * 1024,
    ):
        if verified.payload_hash not in _CHUNKED_PAYLOADS:
            raise ValueError(f"not an aws-chunked request: {verified.payload_hash}")
        self._raw = raw_stream
        self._signed = verified.payload_hash != STREAMING_UNSIGNED_PAYLOAD_TRAILER
        self._has_trailer = verified.payload_hash != STREAMING_PAYLOAD
        self._key = verified.signing_key
        self._scope = f"{verified.amz_date}\n{verified.credential.scope}\n"
        self._previous = verified.signature
        self._decoded_length = decoded_length
        self._max_chunk_size = max_chunk_size
        self._buffer = memoryview(b"")
        self._decoded = 0
        self._chunks = 0
        self._last_size: int | None = None
        self._done = False
        self.trailers: dict[str, str] = {}
        self.closed = False

    # file-like API

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = [bytes(self._buffer)]
            self._buffer = memoryview(b"")
            while self._fill():
                parts.append(bytes(self._buffer))
                self._buffer = memoryview(b"")
            return b"".join(parts)
        if not self._buffer and not self._fill():
            return b""
        taken = bytes(self._buffer[:size])
        self._buffer = self._buffer[size:]
        return taken

    def readinto(self, target: Any) -> int:
        if not self._buffer and not self._fill():
            return 0
        view = memoryview(target).cast("B")
        count = min(len(view), len(self._buffer))
        view[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def __iter__(self) -> Iterator[bytes]:
        if self._buffer:
            yield bytes(self._buffer)
            self._buffer = memoryview(b"")
        while self._fill():
            chunk = bytes(self._buffer)
            self._buffer = memoryview(b"")
            yield chunk

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> ChunkedPayloadReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def finished(self) -> bool:
        """True once the whole body (the empty chunk, the trailers) has been read and verified."""
        return self._done

    # decoding

    def _read_exact(self, count: int) -> bytes:
        parts = []
        remaining = count
        while remaining > 0:
            piece = self._raw.read(remaining)
            if not piece:
                raise SigV4Error("IncompleteBody", _INCOMPLETE_BODY, 400)
            parts.append(piece)
            remaining -= len(piece)
        return b"".join(parts)

    def _read_line(self, first: int, limit: int, what: str) -> bytes:
        """A CRLF-ended line of at least ``first`` bytes, read without reading past it."""
        line = self._read_exact(first)
        while not line.endswith(b"\r\n"):
            if len(line) >= limit or b"\r\n" in line:
                raise self._malformed(what)
            line += self._read_exact(1)
        return line

    def _malformed(self, detail: str) -> SigV4Error:
        return SigV4Error("InvalidRequest", f"Invalid aws-chunked body: {detail}", 400)

    def _check_signature(self, kind: str, digest: str, signature: str) -> None:
        to_sign = f"AWS4-HMAC-SHA256-{kind}\n{self._scope}{self._previous}\n{digest}"
        if not hmac.compare_digest(_sign(self._key, to_sign), signature):
            raise SigV4Error(
                "SignatureDoesNotMatch",
                S3_SIGNATURE_DOES_NOT_MATCH,
                403,
                {"StringToSign": to_sign, "SignatureProvided": signature},
            )
        self._previous = signature

    def _next_header(self) -> tuple[int, str]:
        what = f"chunk {self._chunks + 1} has no valid header"
        if self._signed:
            header = _SIGNED_CHUNK_HEADER.fullmatch(
                self._read_line(_MIN_SIGNED_HEADER, _MAX_SIGNED_HEADER, what)
            )
            if header is None:
                raise self._malformed(what)
            return int(header.group(1), 16), header.group(2).decode("ascii")
        header = _UNSIGNED_CHUNK_HEADER.fullmatch(self._read_line(3, 18, what))
        if header is None:
            raise self._malformed(what)
        return int(header.group(1), 16), ""

    def _fill(self) -> bool:
        """Read and verify the next chunk into the buffer; False at the end of the body."""
        if self._done:
            return False
        size, signature = self._next_header()
        self._chunks += 1
        if size > 0 and self._last_size is not None and self._last_size < MIN_CHUNK_SIZE:
            raise SigV4Error(
                "InvalidChunkSizeError",
                "Only the last chunk is allowed to have a size less than 8192 bytes",
                403,
                {"Chunk": str(self._chunks - 1), "BadChunkSize": str(self._last_size)},
            )
        if size > self._max_chunk_size:
            raise self._malformed(f"chunk {self._chunks} is larger than {self._max_chunk_size} bytes")
        if self._decoded_length is not None and self._decoded + size > self._decoded_length:
            raise self._malformed("the decoded body is longer than x-amz-decoded-content-length")
        data = self._read_exact(size)
        # (the empty chunk of a -TRAILER body: its trailers follow)
        if (size > 0 or not self._has_trailer) and self._read_exact(2) != b"\r\n":
            raise self._malformed(f"chunk {self._chunks} does not end with CRLF")
        if self._signed:
            self._check_signature(
                "PAYLOAD", EMPTY_SHA256 + "\n" + hashlib.sha256(data).hexdigest(), signature
            )
        if size > 0:
            self._decoded += size
            self._last_size = size
            self._buffer = memoryview(data)
            return True
        if self._has_trailer:
            self._read_trailers()
        if self._decoded_length is not None and self._decoded != self._decoded_length:
            raise SigV4Error("IncompleteBody", _INCOMPLETE_BODY, 400)
        self._done = True
        return False

    def _trailer_line(self) -> bytes:
        return self._read_line(2, _MAX_TRAILER_LINE, "a trailing header is too long")

    def _read_trailers(self) -> None:
        """The trailing headers after the empty chunk, up to the blank line that ends the body.

        Signed: ``name:value\\r\\n``… then ``x-amz-trailer-signature:<64 hex>\\r\\n``, which signs
        the trailers (``name:value\\n`` each) and the empty chunk's signature; a blank line may
        come before the trailers (the empty chunk's CRLF) and after the signature.
        """
        lines: list[tuple[str, str]] = []
        line = self._trailer_line()
        if self._signed and line == b"\r\n":
            line = self._trailer_line()
        while line != b"\r\n":
            match = _TRAILER_LINE.fullmatch(line)
            if match is None or len(lines) >= _MAX_TRAILERS:
                raise self._malformed("invalid trailing headers")
            name, value = match.group(1).decode("ascii").lower(), match.group(2).decode("latin-1")
            if name == "x-amz-trailer-signature" and self._signed:
                canonical = "".join(f"{n}:{v}\n" for n, v in lines)
                self._check_signature("TRAILER", hashlib.sha256(_utf8(canonical)).hexdigest(), value)
                self.trailers = dict(lines)
                final = self._raw.read(2)  # the blank line that ends the body, when there is one
                if final == b"\r":
                    final += self._raw.read(1)
                if final not in (b"", b"\r\n"):
                    raise self._malformed("data after the trailer signature")
                return
            lines.append((name, value))
            line = self._trailer_line()
        if self._signed:
            raise SigV4Error("SignatureDoesNotMatch", S3_SIGNATURE_DOES_NOT_MATCH, 403)  # unsigned trailers
        self.trailers = dict(lines)

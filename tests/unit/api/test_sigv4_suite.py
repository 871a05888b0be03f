"""AWS's published SigV4 test suite (tests/unit/api/sigv4_suite, see its README).

For every case: the canonical request, the string to sign, the signature and the Authorization
header are reproduced; ``verify`` accepts the signed request (.sreq) with the suite's secret and
refuses it with one byte changed in its method, path, query, a signed header, body or signature.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac

import pytest

from accounts.api.sigv4 import (
    Credential,
    SignedRequest,
    SigV4Error,
    canonical_request,
    credential_of,
    signing_key,
    string_to_sign,
    verify,
)
from tests.unit.api.helpers import SUITE_SCOPE, SUITE_SECRET, SUITE_TIME, parse_http, suite_cases, suite_file

CASES = suite_cases()
IDS = [case.name for case in CASES]
# AWS's suite ships this .sreq with get-vanilla's signature (see the suite's README).
ERRATUM = "get-vanilla-with-session-token"


def _authz_parts(authz: str) -> dict[str, str]:
    algorithm, _, rest = authz.strip().partition(" ")
    assert algorithm == "AWS4-HMAC-SHA256"
    return dict(piece.strip().split("=", 1) for piece in rest.split(","))


def _unsigned(case) -> SignedRequest:
    """The .sreq without its Authorization header: the request as it was signed."""
    request = parse_http(suite_file(case, "sreq"))
    headers = [(n, v) for n, v in request.headers if n.lower() != "authorization"]
    return dataclasses.replace(request, headers=headers)


def _signed(case) -> SignedRequest:
    if case.name == ERRATUM:
        request = _unsigned(case)
        return dataclasses.replace(
            request, headers=[*request.headers, ("Authorization", suite_file(case, "authz"))]
        )
    return parse_http(suite_file(case, "sreq"))


def test_the_suite_is_vendored_whole():
    assert len(CASES) == 34
    for case in CASES:
        for ext in ("req", "creq", "sts", "authz", "sreq"):
            assert (case / f"{case.name}.{ext}").is_file()
    assert {"get-vanilla", "get-utf8", "get-space", "get-slashes", "post-x-www-form-urlencoded"} <= set(IDS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_canonical_request(case):
    request = _unsigned(case)
    signed_headers = _authz_parts(suite_file(case, "authz"))["SignedHeaders"].split(";")
    payload = hashlib.sha256(request.body or b"").hexdigest()
    assert canonical_request(request, signed_headers, payload) == suite_file(case, "creq")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_string_to_sign(case):
    assert string_to_sign(suite_file(case, "creq"), "20150830T123600Z", SUITE_SCOPE) == suite_file(
        case, "sts"
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_signature_and_authorization_header(case):
    key = signing_key(SUITE_SECRET, "20150830", "us-east-1", "service")
    expected = hmac.new(key, suite_file(case, "sts").encode(), hashlib.sha256).hexdigest()
    authz = suite_file(case, "authz")
    assert _authz_parts(authz)["Signature"] == expected
    signed_headers = _authz_parts(authz)["SignedHeaders"]
    assert authz == (
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{SUITE_SCOPE}, SignedHeaders={signed_headers}, Signature={expected}"
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verify_accepts_the_signed_request(case):
    request = _signed(case)
    assert credential_of(request) == Credential("AKIDEXAMPLE", "20150830", "us-east-1", "service")
    verified = verify(request, SUITE_SECRET, now=SUITE_TIME)
    assert verified.credential.access_key_id == "AKIDEXAMPLE"
    assert verified.signed_at == SUITE_TIME
    assert not verified.presigned
    assert verified.payload_hash == hashlib.sha256(request.body or b"").hexdigest()
    assert verified.signature == _authz_parts(suite_file(case, "authz"))["Signature"]
    assert verified.signing_key == signing_key(SUITE_SECRET, "20150830", "us-east-1", "service")


def test_the_published_erratum_is_refused():
    request = parse_http(suite_file(next(c for c in CASES if c.name == ERRATUM), "sreq"))
    with pytest.raises(SigV4Error) as caught:
        verify(request, SUITE_SECRET, now=SUITE_TIME)
    assert caught.value.code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verify_refuses_a_wrong_secret(case):
    with pytest.raises(SigV4Error) as caught:
        verify(_signed(case), SUITE_SECRET[:-1] + "X", now=SUITE_TIME)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.status == 403


def _bump(text: str) -> str:
    """``text`` with its last character replaced by a different one."""
    last = text[-1]
    if last.isdigit():
        new = "0" if last != "0" else "1"
    elif last.isalpha() and last.isascii():
        new = "a" if last.lower() != "a" else "b"
    else:
        new = "x"
    return text[:-1] + new


def _one_byte_changes(request: SignedRequest):
    """(what, request) for a one-character change of each signed part of ``request``."""
    yield "method", dataclasses.replace(request, method=_bump(request.method))
    yield "path", dataclasses.replace(request, path=_bump(request.path))
    if request.query_string:
        yield "query", dataclasses.replace(request, query_string=_bump(request.query_string))
    authz = next(v for n, v in request.headers if n.lower() == "authorization")
    signed = _authz_parts(authz)["SignedHeaders"].split(";")
    for index, (name, value) in enumerate(request.headers):
        lower = name.lower()
        if lower in signed or lower == "authorization":
            headers = list(request.headers)
            value = value.strip()
            # x-amz-date: change the seconds, so that the date stays valid and within the skew
            changed = _bump(value[:-1]) + value[-1] if lower == "x-amz-date" else _bump(value)
            headers[index] = (name, changed)
            yield f"header {lower}", dataclasses.replace(request, headers=headers)
    if request.body:
        yield "body", dataclasses.replace(request, body=request.body[:-1] + b"#")


CHANGES = [
    pytest.param(case, what, changed, id=f"{case.name}-{what}")
    for case in CASES
    for what, changed in _one_byte_changes(_signed(case))
]


@pytest.mark.parametrize(("case", "what", "changed"), CHANGES)
def test_verify_refuses_one_byte_changed(case, what, changed):
    with pytest.raises(SigV4Error) as caught:
        verify(changed, SUITE_SECRET, now=SUITE_TIME)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message.startswith("The request signature we calculated does not match")


def test_s3_paths_are_not_normalized():
    case = next(c for c in CASES if c.name == "get-slashes")
    request = dataclasses.replace(_unsigned(case), s3=True)
    creq = canonical_request(request, ["host", "x-amz-date"], "UNSIGNED-PAYLOAD")
    assert creq.split("\n")[1] == "//example//"
    dotted = dataclasses.replace(request, path="/example/../a/./b")
    assert canonical_request(dotted, ["host"], "UNSIGNED-PAYLOAD").split("\n")[1] == "/example/../a/./b"

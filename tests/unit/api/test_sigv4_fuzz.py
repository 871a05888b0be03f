"""Property tests (hypothesis): bad input only ever raises SigV4Error, and botocore round-trips.

Random requests range from pure noise to nearly-valid ones (real algorithm, credential shapes,
dates, X-Amz-* query parameters, payload hashes), so that every parsing step is reached; valid
requests with one character changed; random aws-chunked bodies. Whatever comes in,
``credential_of``, ``verify`` and ``ChunkedPayloadReader`` raise nothing but SigV4Error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import hypothesis.strategies as st
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, assume, given, settings

from accounts.api.sigv4 import (
    STREAMING_PAYLOAD,
    ChunkedPayloadReader,
    Credential,
    SignedRequest,
    SigV4Error,
    VerifiedRequest,
    canonical_request,
    credential_of,
    signing_key,
    string_to_sign,
    verify,
)
from tests.unit.api.helpers import ACCESS_KEY, SECRET_KEY, from_botocore

NOW = datetime(2013, 5, 24, 0, 5, tzinfo=UTC)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Noise, and pieces of real requests: most draws are well-formed, so that every step is reached.
noise = st.text(max_size=40)
digits = st.text(alphabet="0123456789", min_size=0, max_size=10)


def mostly(valid, *others):
    """Three draws in four from ``valid``, the rest from ``others`` or noise."""
    return st.one_of(valid, valid, valid, *(others or (noise,)))


good_dates = st.sampled_from(["20130524T000000Z", "20130524T000400Z", "20130524T001000Z", "20130524T235959Z"])
dates = mostly(
    good_dates,
    noise,
    st.sampled_from(["20131324T000000Z", "00000101T000000Z", "99991231T235959Z", "0", "20130525T000000Z"]),
    st.sampled_from(
        [
            "Fri, 24 May 2013 00:00:00 GMT",
            "Mon, 01 Jan 0001 00:00:00 +1400",
            "Fri, 31 Dec 9999 23:59:59 -1400",
        ]
    ),
    st.builds(lambda d, t: f"{d}T{t}Z", digits, digits),
)
scope_parts = [
    st.sampled_from([ACCESS_KEY, "ASIAIOSFODNN7EXAMPLE", ""]),
    st.sampled_from(["20130524", "20130525", "2013052", ""]),
    st.sampled_from(["us-east-1", "eu-west-1", ""]),
    st.sampled_from(["iam", "sts", "s3", ""]),
    st.sampled_from(["aws4_request", "aws5_request", ""]),
]
credentials = mostly(
    st.builds(lambda *parts: "/".join(parts), *scope_parts),
    noise,
    st.builds("/".join, st.lists(st.one_of(noise, *scope_parts), max_size=7)),
)
signed_header_lists = mostly(
    st.sampled_from(
        ["host;x-amz-date", "content-type;host;x-amz-date", "host;x-amz-content-sha256;x-amz-date", "Host"]
    ),
    noise,
    st.builds(
        ";".join,
        st.lists(st.one_of(noise, st.sampled_from(["host", "x-amz-date", "date", "x-amz-meta-anything"]))),
    ),
)
signatures = mostly(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64), noise)
algorithms = mostly(
    st.just("AWS4-HMAC-SHA256"), noise, st.sampled_from(["AWS4-HMAC-SHA512", "AWS", "Basic", "", "AWS4-"])
)
payloads = mostly(
    st.sampled_from(
        ["UNSIGNED-PAYLOAD", STREAMING_PAYLOAD, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "e3b0" * 16]
    ),
    noise,
)
expires = mostly(
    st.sampled_from(["60", "900", "604800"]),
    noise,
    digits,
    st.sampled_from(["-1", "604801", "0", "-0", "1e3"]),
)


# Each fuzzed request starts well-formed (header or query form, IAM/STS or S3, signed for real
# or not) and then has up to three of its parts replaced by a draw of that part's strategy.
ALTERNATIVES = {
    "algorithm": algorithms,
    "credential": credentials,
    "signed_headers": signed_header_lists,
    "signature": signatures,
    "date": dates,
    "date_header": dates,
    "expires": expires,
    "payload": payloads,
    "host": noise,
    "separator": st.sampled_from([", ", ",", " , ", " ", ",,", ""]),
    "path": st.one_of(noise, st.sampled_from(["/", "//a/../b/./c/", "/%E1%88%B4", "/a%2Fb", "/%zz", ""])),
    "extra_query": st.one_of(
        noise, st.sampled_from(["Action=ListUsers", "a=b", "%zz=%", "=", "&", "X-Amz-Algorithm=x"])
    ),
    "extra_header": st.tuples(
        st.one_of(noise, st.sampled_from(["Authorization", "X-Amz-Date", "x-amz-meta-a", "Host", "Date"])),
        noise,
    ),
    "method": st.one_of(st.sampled_from(["GET", "POST", "PUT"]), noise),
    "body": st.one_of(st.none(), st.binary(max_size=40)),
    "drop": st.sampled_from(
        ["credential", "signed_headers", "signature", "date", "host", "algorithm", "expires"]
    ),
}


@st.composite
def requests(draw):
    s3 = draw(st.booleans())
    presigned = draw(st.booleans())
    service = "s3" if s3 else draw(st.sampled_from(["iam", "sts"]))
    parts = {
        "algorithm": "AWS4-HMAC-SHA256",
        "credential": f"{ACCESS_KEY}/20130524/us-east-1/{service}/aws4_request",
        "signed_headers": "host;x-amz-content-sha256;x-amz-date"
        if s3 and not presigned
        else "host;x-amz-date",
        "signature": "0" * 64,
        "date": "20130524T000000Z",
        "date_header": None,
        "expires": "900",
        "payload": "UNSIGNED-PAYLOAD",
        "host": "example.amazonaws.com",
        "separator": ", ",
        "path": "/bucket/key" if s3 else "/",
        "extra_query": None,
        "extra_header": None,
        "method": "PUT" if s3 else "POST",
        "body": b"Action=ListUsers&Version=2010-05-08",
        "drop": None,
    }
    for name in draw(st.sets(st.sampled_from(sorted(ALTERNATIVES)), max_size=3)):
        parts[name] = draw(ALTERNATIVES[name])
    dropped = parts["drop"]
    headers = [("Host", parts["host"])] if dropped != "host" else []
    if not presigned and dropped != "date":
        headers.append(("X-Amz-Date", parts["date"]))
    if parts["date_header"] is not None:
        headers.append(("Date", parts["date_header"]))
    if s3 and not presigned:
        headers.append(("x-amz-content-sha256", parts["payload"]))
    if parts["extra_header"] is not None:
        headers.append(parts["extra_header"])
    query = []
    if presigned:
        names = {
            "algorithm": "X-Amz-Algorithm",
            "credential": "X-Amz-Credential",
            "date": "X-Amz-Date",
            "expires": "X-Amz-Expires",
            "signed_headers": "X-Amz-SignedHeaders",
        }
        query = [f"{names[k]}={quote(parts[k], safe='')}" for k in names if k != dropped]
    if parts["extra_query"] is not None:
        query.append(parts["extra_query"])
    request = SignedRequest(parts["method"], parts["path"], "&".join(query), headers, parts["body"], s3)
    signature = parts["signature"]
    if draw(st.booleans()):  # signed for real, whatever the parts are now
        payload = parts["payload"] if s3 else hashlib.sha256(parts["body"] or b"").hexdigest()
        creq = canonical_request(request, parts["signed_headers"].split(";"), payload, presigned=presigned)
        scope = f"20130524/us-east-1/{service}/aws4_request"
        key = signing_key(SECRET_KEY, "20130524", "us-east-1", service)
        to_sign = string_to_sign(creq, parts["date"], scope).encode("utf-8", "surrogatepass")
        signature = hmac.new(key, to_sign, hashlib.sha256).hexdigest()
    if presigned:
        if dropped != "signature":
            query.append(f"X-Amz-Signature={signature}")
        return dataclasses.replace(request, query_string="&".join(query))
    fields = [
        f"Credential={parts['credential']}" if dropped != "credential" else "",
        f"SignedHeaders={parts['signed_headers']}" if dropped != "signed_headers" else "",
        f"Signature={signature}" if dropped != "signature" else "",
    ]
    authorization = parts["algorithm"] + " " + parts["separator"].join(f for f in fields if f)
    return dataclasses.replace(request, headers=[*headers, ("Authorization", authorization)])


def _only_sigv4_errors(request: SignedRequest, now: datetime = NOW) -> None:
    for call in (
        lambda: credential_of(request),
        lambda: credential_of(request, service="iam", region="us-east-1"),
        lambda: verify(request, SECRET_KEY, now=now),
        lambda: verify(request, SECRET_KEY, now=now, service="s3", region="eu-west-1"),
    ):
        try:
            call()
        except SigV4Error as error:
            assert error.code and error.message and error.status in (400, 403)
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in error.extra.items())


@FUZZ
@given(requests())
def test_random_requests_raise_only_sigv4_errors(request):
    _only_sigv4_errors(request)


@FUZZ
@given(
    method=noise,
    path=noise,
    query_string=noise,
    headers=st.lists(st.tuples(noise, noise), max_size=6),
    body=st.one_of(st.none(), st.binary(max_size=20)),
    s3=st.booleans(),
)
def test_noise_raises_only_sigv4_errors(method, path, query_string, headers, body, s3):
    _only_sigv4_errors(SignedRequest(method, path, query_string, headers, body, s3))


@FUZZ
@given(now=st.datetimes(timezones=st.just(UTC)) | st.datetimes())
def test_any_now(now):
    _only_sigv4_errors(_signed_iam(), now)
    _only_sigv4_errors(_signed_s3(), now)


def _signed_iam() -> SignedRequest:
    request = AWSRequest(
        method="POST",
        url="https://iam.amazonaws.com/",
        data="Action=ListUsers&Version=2010-05-08",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "iam", "us-east-1").add_auth(request)
    return from_botocore(request)


def _signed_s3() -> SignedRequest:
    request = AWSRequest(method="PUT", url="http://s3.amazonaws.com/bucket/a%20key", data=b"data")
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(request)
    return from_botocore(request, s3=True)


SIGNED = [_signed_iam(), _signed_s3()]


@FUZZ
@given(which=st.sampled_from([0, 1]), data=st.data())
def test_one_character_changed(which, data):
    """A valid request with one character of its path, query or a header changed (or added)."""
    request = SIGNED[which]
    field = data.draw(st.sampled_from(["path", "query_string", "header name", "header value"]))
    char = data.draw(st.characters())
    if field.startswith("header"):
        index = data.draw(st.integers(0, len(request.headers) - 1))
        name, value = request.headers[index]
        text = name if field == "header name" else value
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + char + text[at + 1 :]
        headers = list(request.headers)
        headers[index] = (text, value) if field == "header name" else (name, text)
        changed = dataclasses.replace(request, headers=headers)
    else:
        text = getattr(request, field)
        at = data.draw(st.integers(0, len(text)))
        changed = dataclasses.replace(request, **{field: text[:at] + char + text[at + 1 :]})
    _only_sigv4_errors(changed, datetime.now(UTC))


chunked_bodies = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.one_of(
            st.sampled_from(
                [b"0", b"10", b"2000", b";chunk-signature=", b"\r\n", b"0" * 64, b"x-amz-checksum-crc32:"]
            ),
            st.sampled_from([b"x-amz-trailer-signature:", b"AAAA==", b"a" * 16, b"\r\n\r\n"]),
            st.binary(max_size=20),
        ),
        max_size=12,
    ).map(b"".join),
)


@FUZZ
@given(
    chunked_bodies,
    st.one_of(st.none(), st.integers(0, 1000)),
    st.integers(1, 50),
    st.sampled_from(
        [
            STREAMING_PAYLOAD,
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        ]
    ),
)
def test_random_chunked_bodies_raise_only_sigv4_errors(raw, decoded_length, step, payload_hash):
    verified = VerifiedRequest(
        credential=Credential(ACCESS_KEY, "20130524", "us-east-1", "s3"),
        signed_at=datetime(2013, 5, 24, tzinfo=UTC),
        presigned=False,
        payload_hash=payload_hash,
        signature="4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        signing_key=signing_key(SECRET_KEY, "20130524", "us-east-1", "s3"),
        security_token=None,
    )
    reader = ChunkedPayloadReader(
        io.BytesIO(raw), verified, decoded_length=decoded_length, max_chunk_size=200
    )
    try:
        while reader.read(step):
            pass
    except SigV4Error as error:
        assert error.code in {
            "IncompleteBody",
            "InvalidRequest",
            "SignatureDoesNotMatch",
            "InvalidChunkSizeError",
        }


# --------------------------------------------------------------------------------------------
# Round trips with botocore


keys = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30)


@FUZZ
@given(key=keys, query_value=keys, virtual=st.booleans(), method=st.sampled_from(["GET", "PUT", "DELETE"]))
def test_s3_any_key_round_trips(key, query_value, virtual, method):
    path = "/" + quote(key, safe="/~")
    url = f"http://bucket.s3.amazonaws.com{path}" if virtual else f"http://s3.amazonaws.com/bucket{path}"
    request = AWSRequest(
        method=method, url=f"{url}?prefix={quote(query_value, safe='')}&list-type=2", data=b"x"
    )
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(request)
    signed = from_botocore(request, s3=True)
    verify(signed, SECRET_KEY, now=datetime.now(UTC))
    assume(signed.path != signed.path + "x")
    with pytest.raises(SigV4Error):
        verify(dataclasses.replace(signed, path=signed.path + "x"), SECRET_KEY, now=datetime.now(UTC))


@FUZZ
@given(user=keys, path_prefix=keys)
def test_iam_any_parameters_round_trip(user, path_prefix):
    body = f"Action=CreateUser&UserName={quote(user, safe='')}&Path={quote(path_prefix, safe='')}&Version=2010-05-08"
    request = AWSRequest(
        method="POST",
        url="https://iam.amazonaws.com/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "iam", "us-east-1").add_auth(request)
    signed = from_botocore(request)
    verify(signed, SECRET_KEY, now=datetime.now(UTC))
    with pytest.raises(SigV4Error):
        verify(dataclasses.replace(signed, body=signed.body + b"&x=1"), SECRET_KEY, now=datetime.now(UTC))


@FUZZ
@given(st.lists(st.tuples(keys, keys), max_size=6), st.randoms())
def test_the_canonical_query_ignores_the_order(pairs, random):
    pieces = [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs]
    shuffled = list(pieces)
    random.shuffle(shuffled)
    one = SignedRequest("GET", "/", "&".join(pieces), [("Host", "h")])
    two = dataclasses.replace(one, query_string="&".join(shuffled))
    assert canonical_request(one, ["host"], "UNSIGNED-PAYLOAD") == canonical_request(
        two, ["host"], "UNSIGNED-PAYLOAD"
    )


@FUZZ
@given(st.text(max_size=30), st.booleans())
def test_the_canonical_uri_is_ascii_and_stable(path, s3):
    request = SignedRequest("GET", path, "", [("Host", "h")], s3=s3)
    uri = canonical_request(request, ["host"], "UNSIGNED-PAYLOAD").split("\n")[1]
    assert uri.isascii() and uri.startswith("/") or (s3 and not path.startswith("/"))
    if not s3:
        # Normalizing twice changes nothing more than the double encoding does.
        assert "/./" not in uri and "//" not in uri


def test_after_skew_a_now_far_away_is_refused():
    request = SIGNED[0]
    for now in (
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, tzinfo=UTC),
        datetime.now(UTC) + timedelta(days=1),
    ):
        with pytest.raises(SigV4Error):
            verify(request, SECRET_KEY, now=now)

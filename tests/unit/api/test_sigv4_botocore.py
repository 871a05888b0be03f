"""Interop: requests signed by botocore itself verify, and any tampering is refused.

Two sources of signed requests: botocore's signers on an ``AWSRequest`` (``SigV4Auth``,
``SigV4QueryAuth``, ``S3SigV4Auth``, ``S3SigV4QueryAuth``), and real boto3 clients whose
requests are captured just before they would be sent (``before-send``), as a server would see
them: IAM and STS form POSTs, S3 GET/PUT with odd keys, path-style and virtual-host, and
presigned URLs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import boto3
import botocore.config
import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials

from accounts.api.sigv4 import (
    UNSIGNED_PAYLOAD,
    Credential,
    SignedRequest,
    SigV4Error,
    credential_of,
    verify,
)
from tests.unit.api.helpers import ACCESS_KEY, SECRET_KEY, from_botocore, sha256_hex

CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)
SESSION_TOKEN = "FwoGZXIvYXdzEDMaDPWKaVEQA+D5xrr7/CLEAXcx9p1NGpYqnz4/E/Co7SDSgOfSLz6gSlnOJ9Ce6Iw=="
TEMPORARY = Credentials("ASIAIOSFODNN7EXAMPLE", SECRET_KEY, SESSION_TOKEN)
ENDPOINT = "http://localhost:8000"
ODD_KEYS = [
    "plain.txt",
    "with space.txt",
    "ünïcødé/日本語.txt",
    "a+b=c.txt",
    "100%.txt",
    "double//slash",
    "dir/./dot/../dotdot",
    "tilde~and*star'(paren)!",
    "query?and#hash&amp",
    " leading and trailing ",
    "%2F-looks-encoded",
]


def _now() -> datetime:
    return datetime.now(UTC)


def _form_post(service: str, body: str, *, host: str) -> AWSRequest:
    return AWSRequest(
        method="POST",
        url=f"https://{host}/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )


# --------------------------------------------------------------------------------------------
# botocore's signers on an AWSRequest


@pytest.mark.parametrize(
    ("service", "host", "body"),
    [
        ("iam", "iam.amazonaws.com", "Action=ListUsers&Version=2010-05-08"),
        (
            "iam",
            "iam.amazonaws.com",
            "Action=CreateUser&UserName=bob%2Bsmith&Path=%2Fdivision%2F&Version=2010-05-08",
        ),
        ("sts", "sts.amazonaws.com", "Action=GetCallerIdentity&Version=2011-06-15"),
        (
            "sts",
            "sts.eu-west-1.amazonaws.com",
            "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s&Version=2011-06-15",
        ),
    ],
)
@pytest.mark.parametrize("credentials", [CREDENTIALS, TEMPORARY], ids=["long-term", "session"])
def test_sigv4auth_form_posts(service, host, body, credentials):
    region = "eu-west-1" if ".eu-west-1." in host else "us-east-1"
    request = _form_post(service, body, host=host)
    SigV4Auth(credentials, service, region).add_auth(request)
    signed = from_botocore(request)
    assert credential_of(signed) == Credential(credentials.access_key, signed_day(signed), region, service)
    verified = verify(signed, SECRET_KEY, now=_now(), service=service, region=region)
    assert verified.payload_hash == sha256_hex(body.encode())
    assert verified.security_token == credentials.token
    assert not verified.presigned


def signed_day(request: SignedRequest) -> str:
    return next(v for n, v in request.headers if n.lower() == "x-amz-date")[:8]


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_sigv4queryauth_presigned(service):
    request = AWSRequest(
        method="GET", url=f"https://{service}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
    )
    SigV4QueryAuth(TEMPORARY, service, "us-east-1", expires=300).add_auth(request)
    signed = from_botocore(request)
    verified = verify(signed, SECRET_KEY, now=_now())
    assert verified.presigned
    assert verified.security_token == SESSION_TOKEN
    assert verified.credential.service == service


def test_sigv4queryauth_presigned_post_moves_the_form_to_the_query():
    request = AWSRequest(
        method="POST",
        url="https://sts.amazonaws.com/",
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4QueryAuth(CREDENTIALS, "sts", "us-east-1", expires=60).add_auth(request)
    signed = from_botocore(request)
    assert "Action=GetCallerIdentity" in signed.query_string
    assert verify(signed, SECRET_KEY, now=_now()).presigned


def _s3_request(
    method: str, key: str, *, bucket: str = "my-bucket", virtual: bool = False, data=b"", query=""
):
    path = "/" + quote(key, safe="/~")
    url = f"http://{bucket}.s3.amazonaws.com{path}" if virtual else f"http://s3.amazonaws.com/{bucket}{path}"
    if query:
        url += "?" + query
    return AWSRequest(method=method, url=url, data=data, headers={})


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("virtual", [False, True], ids=["path-style", "virtual-host"])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_s3sigv4auth_odd_keys(key, virtual, method):
    data = b"hello, world\n" if method == "PUT" else b""
    request = _s3_request(method, key, virtual=virtual, data=data)
    S3SigV4Auth(CREDENTIALS, "s3", "us-east-1").add_auth(request)
    signed = from_botocore(request, s3=True)
    verified = verify(signed, SECRET_KEY, now=_now(), service="s3", region="us-east-1")
    assert verified.payload_hash == sha256_hex(data)


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_s3sigv4queryauth_odd_keys(key, method):
    request = _s3_request(method, key, query="versionId=3%2F4&x-id=GetObject")
    S3SigV4QueryAuth(TEMPORARY, "s3", "us-east-1", expires=3600).add_auth(request)
    signed = from_botocore(request, s3=True, body=None)
    verified = verify(signed, SECRET_KEY, now=_now())
    assert verified.presigned
    assert verified.payload_hash == UNSIGNED_PAYLOAD
    assert verified.security_token == SESSION_TOKEN


def test_s3_unsigned_payload_with_streamed_body():
    # botocore signs S3 payloads over HTTP; over HTTPS it may leave them unsigned.
    request = AWSRequest(method="PUT", url="https://s3.amazonaws.com/my-bucket/big.bin", data=b"x" * 10)
    request.context["client_config"] = botocore.config.Config(s3={"payload_signing_enabled": False})
    S3SigV4Auth(CREDENTIALS, "s3", "us-east-1").add_auth(request)
    signed = from_botocore(request, s3=True, body=None)
    assert verify(signed, SECRET_KEY, now=_now()).payload_hash == UNSIGNED_PAYLOAD


# --------------------------------------------------------------------------------------------
# Tampering: every signed part


def _tampered(signed: SignedRequest):
    def header(name: str, value: str) -> SignedRequest:
        headers = [(n, value if n.lower() == name else v) for n, v in signed.headers]
        return dataclasses.replace(signed, headers=headers)

    def get(name: str) -> str:
        return next(v for n, v in signed.headers if n.lower() == name)

    authorization = get("authorization")
    yield "method", dataclasses.replace(signed, method="PUT" if signed.method != "PUT" else "POST")
    yield "path", dataclasses.replace(signed, path=signed.path + "x")
    yield (
        "query",
        dataclasses.replace(
            signed, query_string=(signed.query_string + "&" if signed.query_string else "") + "extra=1"
        ),
    )
    yield "host", header("host", "evil.example.com")
    signed_at = get("x-amz-date")
    other_second = "58Z" if signed_at.endswith("59Z") else "59Z"  # a different second, always
    yield "x-amz-date", header("x-amz-date", signed_at[:-3] + other_second)
    yield "region", header("authorization", authorization.replace("/us-east-1/", "/us-west-2/"))
    yield (
        "service",
        header("authorization", authorization.replace(f"/{credential_of(signed).service}/", "/ec2/")),
    )
    yield (
        "signature",
        header("authorization", authorization[:-1] + ("0" if authorization[-1] != "0" else "1")),
    )
    if signed.body:
        yield "body", dataclasses.replace(signed, body=signed.body + b"&")


def _iam_signed() -> SignedRequest:
    request = _form_post("iam", "Action=ListUsers&Version=2010-05-08", host="iam.amazonaws.com")
    SigV4Auth(CREDENTIALS, "iam", "us-east-1").add_auth(request)
    return from_botocore(request)


def _sts_signed() -> SignedRequest:
    request = _form_post("sts", "Action=GetCallerIdentity&Version=2011-06-15", host="sts.amazonaws.com")
    SigV4Auth(TEMPORARY, "sts", "us-east-1").add_auth(request)
    return from_botocore(request)


def _s3_signed() -> SignedRequest:
    request = _s3_request("PUT", "odd key+ü.txt", data=b"payload")
    S3SigV4Auth(CREDENTIALS, "s3", "us-east-1").add_auth(request)
    return from_botocore(request, s3=True)


@pytest.mark.parametrize("make", [_iam_signed, _sts_signed, _s3_signed], ids=["iam", "sts", "s3"])
def test_tampering_is_refused(make):
    signed = make()
    verify(signed, SECRET_KEY, now=_now())
    seen = set()
    for what, changed in _tampered(signed):
        seen.add(what)
        with pytest.raises(SigV4Error) as caught:
            verify(changed, SECRET_KEY, now=_now())
        if what == "body" and signed.s3:
            # S3: the body no longer matches the signed x-amz-content-sha256.
            assert caught.value.code == "XAmzContentSHA256Mismatch", what
        else:
            assert caught.value.code == "SignatureDoesNotMatch", what
            assert caught.value.status == 403
    assert {"method", "path", "query", "host", "region", "service", "body"} <= seen


def test_presigned_tampering_is_refused():
    request = _s3_request("GET", "photo.jpg")
    S3SigV4QueryAuth(CREDENTIALS, "s3", "us-east-1", expires=600).add_auth(request)
    signed = from_botocore(request, s3=True, body=None)
    verify(signed, SECRET_KEY, now=_now())
    query = signed.query_string
    for changed_query in (
        query.replace("X-Amz-Expires=600", "X-Amz-Expires=601"),
        query.replace("%2Fus-east-1%2F", "%2Fus-west-2%2F"),
        query.replace("%2Fs3%2F", "%2Fs4%2F"),
        query + "&response-content-type=text%2Fhtml",
    ):
        assert changed_query != query
        with pytest.raises(SigV4Error) as caught:
            verify(dataclasses.replace(signed, query_string=changed_query), SECRET_KEY, now=_now())
        assert caught.value.code == "SignatureDoesNotMatch"
    with pytest.raises(SigV4Error) as caught:
        verify(dataclasses.replace(signed, path="/my-bucket/photo.jpeg"), SECRET_KEY, now=_now())
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.extra["CanonicalRequest"].split("\n")[1] == "/my-bucket/photo.jpeg"


# --------------------------------------------------------------------------------------------
# Real boto3 clients, captured before sending


class _Capture:
    def __init__(self):
        self.requests = []

    def __call__(self, request, **kwargs):
        self.requests.append(request)

        class _Raw:
            def stream(self, *args, **kw):
                yield b""

        return AWSResponse(request.url, 599, {}, _Raw())


@functools.cache
def _cached_client(service: str, token: str | None, style: str | None, signature_version: str | None):
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=token,
        region_name="us-east-1",
    )
    config = botocore.config.Config(
        retries={"max_attempts": 1, "mode": "standard"},
        s3={"addressing_style": style} if style else None,
        signature_version=signature_version,
    )
    client = session.client(service, endpoint_url=ENDPOINT, config=config)
    capture = _Capture()
    client.meta.events.register("before-send", capture)
    return client, capture


def _client(service: str, *, token: str | None = None, style: str | None = None, signature_version=None):
    """A boto3 client whose requests are captured instead of sent (made once per configuration)."""
    client, capture = _cached_client(service, token, style, signature_version)
    capture.requests.clear()
    return client, capture


def _captured(capture: _Capture, *, s3: bool = False) -> SignedRequest:
    prepared = capture.requests[-1]
    parts = urlsplit(prepared.url)
    headers = [(n, v.decode() if isinstance(v, bytes) else v) for n, v in prepared.headers.items()]
    headers.append(("Host", parts.netloc))
    body = prepared.body
    if body is None:
        data = b""
    elif hasattr(body, "read"):
        data = body.read()
    else:
        data = body if isinstance(body, bytes) else body.encode()
    return SignedRequest(prepared.method, parts.path, parts.query, headers, data, s3=s3)


def _call(client, operation: str, **params):
    with contextlib.suppress(botocore.exceptions.ClientError):  # our fake 599 answer
        getattr(client, operation)(**params)


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("list_users", {}),
        ("create_user", {"UserName": "bob+smith=x@example.com", "Path": "/division/team/"}),
        (
            "put_user_policy",
            {"UserName": "bob", "PolicyName": "p", "PolicyDocument": '{"Version": "2012-10-17"}'},
        ),
        ("list_access_keys", {"UserName": "ünïcødé"}),
    ],
)
def test_boto3_iam_client(operation, params):
    client, capture = _client("iam")
    _call(client, operation, **params)
    signed = _captured(capture)
    assert signed.method == "POST"
    verified = verify(signed, SECRET_KEY, now=_now(), service="iam", region="us-east-1")
    assert verified.credential.access_key_id == ACCESS_KEY


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("get_caller_identity", {}),
        ("assume_role", {"RoleArn": "arn:aws:iam::123456789012:role/demo", "RoleSessionName": "session"}),
        ("get_session_token", {"DurationSeconds": 900}),
    ],
)
def test_boto3_sts_client(operation, params):
    client, capture = _client("sts", token=SESSION_TOKEN)
    _call(client, operation, **params)
    signed = _captured(capture)
    verified = verify(signed, SECRET_KEY, now=_now(), service="sts")
    assert verified.security_token == SESSION_TOKEN


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("style", ["path", "virtual"])
def test_boto3_s3_client_put_and_get(key, style):
    client, capture = _client("s3", style=style)
    _call(
        client, "put_object", Bucket="my-bucket", Key=key, Body=b"hello, world\n", Metadata={"colour": "blue"}
    )
    _call(client, "get_object", Bucket="my-bucket", Key=key, Range="bytes=0-4")
    _call(client, "list_objects_v2", Bucket="my-bucket", Prefix=key, Delimiter="/")
    requests = list(capture.requests)
    assert [r.method for r in requests] == ["PUT", "GET", "GET"]
    host = "my-bucket.localhost:8000" if style == "virtual" else "localhost:8000"
    for prepared in requests:
        assert urlsplit(prepared.url).netloc == host
        capture.requests[:] = [prepared]
        verify(_captured(capture, s3=True), SECRET_KEY, now=_now(), service="s3", region="us-east-1")


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("operation", ["get_object", "put_object"])
def test_boto3_s3_presigned_urls(key, operation):
    client, _ = _client("s3", style="path", signature_version="s3v4")
    url = client.generate_presigned_url(operation, Params={"Bucket": "my-bucket", "Key": key}, ExpiresIn=900)
    parts = urlsplit(url)
    signed = SignedRequest(
        "GET" if operation == "get_object" else "PUT",
        parts.path,
        parts.query,
        [("Host", parts.netloc)],
        s3=True,
    )
    verified = verify(signed, SECRET_KEY, now=_now())
    assert verified.presigned
    with pytest.raises(SigV4Error) as caught:
        verify(signed, SECRET_KEY, now=_now() + timedelta(seconds=1000))
    assert (caught.value.code, caught.value.message) == ("AccessDenied", "Request has expired")


def test_boto3_sts_presigned_get_caller_identity():
    client, _ = _client("sts")
    url = client.generate_presigned_url("get_caller_identity", ExpiresIn=60)
    parts = urlsplit(url)
    # boto3 presigns a Query-protocol operation for its own method, POST (with an empty body).
    signed = SignedRequest("POST", parts.path, parts.query, [("Host", parts.netloc)], b"")
    verified = verify(signed, SECRET_KEY, now=_now())
    assert verified.presigned and verified.credential.service == "sts"
    with pytest.raises(SigV4Error) as caught:
        verify(signed, SECRET_KEY, now=_now() + timedelta(seconds=120))
    assert (caught.value.code, caught.value.message, caught.value.status) == (
        "RequestExpired",
        "Request has expired.",
        400,
    )


def test_boto3_s3_streamed_body_is_the_callers_to_hash():
    client, capture = _client("s3", style="path")
    _call(client, "put_object", Bucket="b", Key="k", Body=io.BytesIO(b"x" * 1000))
    signed = dataclasses.replace(_captured(capture, s3=True), body=None)
    verified = verify(signed, SECRET_KEY, now=_now())
    assert verified.payload_hash == sha256_hex(b"x" * 1000)

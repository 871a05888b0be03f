"""Refusals: each AWS error code and message, clock skew and presigned expiry (``now`` given).

IAM/STS (Query protocol) and S3 answer differently; both are covered. Requests are signed by
botocore at a chosen time (time-machine), or built by hand where botocore would not produce them.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from accounts.api import sigv4
from accounts.api.sigv4 import (
    EXPIRED_TOKEN,
    INVALID_CLIENT_TOKEN_ID,
    MISSING_AUTHENTICATION_TOKEN,
    S3_SIGNATURE_DOES_NOT_MATCH,
    SIGNATURE_DOES_NOT_MATCH,
    MissingAuthenticationError,
    SignedRequest,
    SigV4Error,
    canonical_request,
    credential_of,
    signing_key,
    string_to_sign,
    verify,
)
from tests.unit.api.helpers import ACCESS_KEY, SECRET_KEY, from_botocore, sha256_hex

T0 = datetime(2013, 5, 24, 0, 0, 0, tzinfo=UTC)
CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)
FORM = "Action=ListUsers&Version=2010-05-08"


def iam_request(at: datetime = T0, *, service: str = "iam") -> SignedRequest:
    request = AWSRequest(
        method="POST",
        url=f"https://{service}.amazonaws.com/",
        data=FORM,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    with time_machine.travel(at, tick=False):
        SigV4Auth(CREDENTIALS, service, "us-east-1").add_auth(request)
    return from_botocore(request)


def iam_presigned(at: datetime = T0, expires: int | None = 300) -> SignedRequest:
    request = AWSRequest(
        method="GET", url="https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
    )
    with time_machine.travel(at, tick=False):
        SigV4QueryAuth(CREDENTIALS, "sts", "us-east-1", expires=expires or 300).add_auth(request)
    signed = from_botocore(request)
    if expires is None:  # as a client that leaves X-Amz-Expires out would sign it
        query = "&".join(
            p
            for p in signed.query_string.split("&")
            if not p.startswith(("X-Amz-Expires=", "X-Amz-Signature="))
        )
        signed = dataclasses.replace(signed, query_string=query)
        creq = canonical_request(signed, ["host"], sha256_hex(b""), presigned=True)
        key = signing_key(SECRET_KEY, "20130524", "us-east-1", "sts")
        sts = string_to_sign(creq, _iso(at), "20130524/us-east-1/sts/aws4_request")
        signature = sigv4._sign(key, sts)
        signed = dataclasses.replace(signed, query_string=query + "&X-Amz-Signature=" + signature)
    return signed


def s3_request(at: datetime = T0, *, data: bytes = b"hello") -> SignedRequest:
    request = AWSRequest(method="PUT", url="http://s3.amazonaws.com/examplebucket/key.txt", data=data)
    with time_machine.travel(at, tick=False):
        S3SigV4Auth(CREDENTIALS, "s3", "us-east-1").add_auth(request)
    return from_botocore(request, s3=True)


def s3_presigned(at: datetime = T0, expires: int = 86400) -> SignedRequest:
    request = AWSRequest(method="GET", url="https://examplebucket.s3.amazonaws.com/test.txt")
    with time_machine.travel(at, tick=False):
        S3SigV4QueryAuth(CREDENTIALS, "s3", "us-east-1", expires=expires).add_auth(request)
    return from_botocore(request, s3=True, body=None)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def refusal(request: SignedRequest, now: datetime = T0, **kwargs) -> SigV4Error:
    with pytest.raises(SigV4Error) as caught:
        verify(request, SECRET_KEY, now=now, **kwargs)
    return caught.value


def with_header(request: SignedRequest, name: str, value: str | None) -> SignedRequest:
    headers = [(n, v) for n, v in request.headers if n.lower() != name.lower()]
    if value is not None:
        headers.append((name, value))
    return dataclasses.replace(request, headers=headers)


def header(request: SignedRequest, name: str) -> str:
    return next(v for n, v in request.headers if n.lower() == name.lower())


def with_query(request: SignedRequest, name: str, value: str | None) -> SignedRequest:
    pieces = [p for p in request.query_string.split("&") if p.partition("=")[0] != name]
    if value is not None:
        pieces.append(f"{name}={value}")
    return dataclasses.replace(request, query_string="&".join(pieces))


# --------------------------------------------------------------------------------------------
# Constants for the caller


def test_message_constants():
    assert INVALID_CLIENT_TOKEN_ID == "The security token included in the request is invalid."
    assert EXPIRED_TOKEN == "The security token included in the request is expired"
    assert MISSING_AUTHENTICATION_TOKEN == "Request is missing Authentication Token"
    assert SIGNATURE_DOES_NOT_MATCH == (
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
        "Access Key and signing method. Consult the service documentation for details."
    )


def test_error_attributes():
    error = SigV4Error("Code", "Message", 400, {"A": "b"})
    assert (error.code, error.message, error.status, error.extra) == ("Code", "Message", 400, {"A": "b"})
    assert str(error) == "Code: Message"
    assert isinstance(MissingAuthenticationError("x", "y"), SigV4Error)


# --------------------------------------------------------------------------------------------
# IAM / STS: the header form


def test_a_valid_request_verifies():
    verified = verify(iam_request(), SECRET_KEY, now=T0, service="iam", region="us-east-1")
    assert verified.signed_at == T0
    assert verified.signed_at.tzinfo is UTC


def test_a_naive_now_is_utc():
    verify(iam_request(), SECRET_KEY, now=T0.replace(tzinfo=None))


def test_missing_authentication():
    bare = SignedRequest("POST", "/", "", [("Host", "iam.amazonaws.com")], FORM.encode())
    for call in (lambda: credential_of(bare), lambda: verify(bare, SECRET_KEY, now=T0)):
        with pytest.raises(MissingAuthenticationError) as caught:
            call()
        assert (caught.value.code, caught.value.message, caught.value.status) == (
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
            403,
        )
    blank = with_header(bare, "Authorization", "   ")
    with pytest.raises(MissingAuthenticationError):
        credential_of(blank)


def test_incomplete_signature_lists_what_is_missing():
    request = with_header(iam_request(), "Authorization", "Basic dXNlcjpwYXNzd29yZA==")
    error = refusal(request)
    assert (error.code, error.status) == ("IncompleteSignature", 400)
    assert error.message == (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization=Basic dXNlcjpwYXNzd29yZA=="
    )
    undated = with_header(request, "X-Amz-Date", None)
    assert refusal(undated).message == (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=Basic dXNlcjpwYXNzd29yZA=="
    )


def test_incomplete_signature_one_part_missing():
    request = iam_request()
    authorization = header(request, "Authorization")
    without_signature = authorization.rsplit(", Signature=", 1)[0]
    error = refusal(with_header(request, "Authorization", without_signature))
    assert error.code == "IncompleteSignature"
    assert (
        error.message
        == f"Authorization header requires 'Signature' parameter. Authorization={without_signature}"
    )
    undated = with_header(request, "X-Amz-Date", None)
    assert refusal(undated).message == (
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        f"Authorization={authorization}"
    )


def test_a_bare_token_after_the_scheme():
    error = refusal(with_header(iam_request(), "Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9"))
    assert error.message == (
        "'eyJhbGciOiJIUzI1NiJ9' not a valid key=value pair (missing equal-sign) in Authorization header: "
        "'Bearer eyJhbGciOiJIUzI1NiJ9'."
    )
    error = refusal(with_header(iam_request(), "Authorization", "eyJhbGciOiJIUzI1NiJ9"))
    assert error.message.endswith("parameter. Authorization=eyJhbGciOiJIUzI1NiJ9")


def test_a_parameter_without_equal_sign():
    broken = "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders"
    error = refusal(with_header(iam_request(), "Authorization", broken))
    assert error.code == "IncompleteSignature"
    assert error.message == (
        "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: "
        "'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'."
    )


def test_commas_or_spaces_between_the_parts():
    request = iam_request()
    authorization = header(request, "Authorization")
    for variant in (
        authorization.replace(", ", ","),
        authorization.replace("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256,"),
    ):
        verify(with_header(request, "Authorization", variant), SECRET_KEY, now=T0)


def test_a_date_not_in_basic_format():
    error = refusal(with_header(iam_request(), "X-Amz-Date", "2013-05-24T00:00:00Z"))
    assert error.code == "IncompleteSignature"
    assert error.message == (
        "Date must be in ISO-8601 'basic format'. Got '2013-05-24T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"
    )
    assert refusal(with_header(iam_request(), "X-Amz-Date", "20131324T000000Z")).code == "IncompleteSignature"


def test_host_must_be_signed():
    request = iam_request()
    authorization = header(request, "Authorization").replace(
        "content-type;host;x-amz-date", "content-type;x-amz-date"
    )
    error = refusal(with_header(request, "Authorization", authorization))
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert error.message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


def test_an_unsupported_algorithm():
    request = iam_request()
    authorization = header(request, "Authorization").replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")
    error = refusal(with_header(request, "Authorization", authorization))
    assert error.code == "IncompleteSignature"
    assert (
        error.message == "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "
    )


def test_a_credential_of_four_elements():
    request = iam_request()
    authorization = header(request, "Authorization").replace("/iam/aws4_request", "/iam")
    error = refusal(with_header(request, "Authorization", authorization))
    assert error.code == "IncompleteSignature"
    assert error.message == (
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
        f"got '{ACCESS_KEY}/20130524/us-east-1/iam'"
    )


def test_scope_terminator_and_date():
    request = iam_request()
    authorization = header(request, "Authorization").replace(
        "/20130524/us-east-1/iam/aws4_request", "/20130525/us-east-1/iam/aws5_request"
    )
    error = refusal(with_header(request, "Authorization", authorization))
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert error.message == (
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
        "'20130525' != '20130524', from '20130524T000000Z'."
    )


def test_scope_service_and_region_checked_when_given():
    request = iam_request()
    assert credential_of(request, service="iam", region="us-east-1").service == "iam"
    with pytest.raises(SigV4Error) as caught:
        credential_of(request, service="sts", region="eu-west-1")
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message == (
        "Credential should be scoped to a valid region, not 'us-east-1'. "
        "Credential should be scoped to correct service: 'sts'."
    )
    assert refusal(request, service="sts").message == "Credential should be scoped to correct service: 'sts'."


def test_signature_does_not_match():
    request = iam_request()
    with pytest.raises(SigV4Error) as caught:
        verify(request, SECRET_KEY + "x", now=T0)
    error = caught.value
    assert (error.code, error.message, error.status) == (
        "SignatureDoesNotMatch",
        SIGNATURE_DOES_NOT_MATCH,
        403,
    )
    assert error.extra["CanonicalRequest"].startswith(
        "POST\n/\n\ncontent-type:application/x-www-form-urlencoded"
    )
    assert error.extra["StringToSign"].startswith(
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/iam/aws4_request\n"
    )


def test_both_header_and_query_authentication():
    request = dataclasses.replace(iam_request(), query_string="X-Amz-Algorithm=AWS4-HMAC-SHA256")
    error = refusal(request)
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert (
        error.message
        == "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
    )


def _sign_by_hand(
    request: SignedRequest, signed_headers: list[str], amz_date: str, scope_date: str
) -> SignedRequest:
    creq = canonical_request(request, signed_headers, sha256_hex(request.body or b""))
    key = signing_key(SECRET_KEY, scope_date, "us-east-1", "iam")
    signature = sigv4._sign(key, string_to_sign(creq, amz_date, f"{scope_date}/us-east-1/iam/aws4_request"))
    return with_header(
        request,
        "Authorization",
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope_date}/us-east-1/iam/aws4_request, "
        f"SignedHeaders={';'.join(signed_headers)}, Signature={signature}",
    )


@pytest.mark.parametrize("date", ["Fri, 24 May 2013 00:00:00 GMT", "20130524T000000Z"])
def test_the_date_header_instead_of_x_amz_date(date):
    unsigned = SignedRequest("POST", "/", "", [("Host", "iam.amazonaws.com"), ("Date", date)], FORM.encode())
    signed = _sign_by_hand(unsigned, ["date", "host"], "20130524T000000Z", "20130524")
    assert verify(signed, SECRET_KEY, now=T0).signed_at == T0
    # X-Amz-Date, when there, is the request time.
    later = with_header(signed, "X-Amz-Date", "20130524T000001Z")
    assert refusal(later).code == "SignatureDoesNotMatch"


# --------------------------------------------------------------------------------------------
# IAM / STS: clock skew


def test_signature_expired():
    error = refusal(iam_request(T0), now=datetime(2013, 5, 24, 0, 30, tzinfo=UTC))
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert (
        error.message
        == "Signature expired: 20130524T000000Z is now earlier than 20130524T001500Z (20130524T003000Z - 15 min.)"
    )


def test_signature_not_yet_current():
    error = refusal(
        iam_request(datetime(2013, 5, 24, 0, 46, tzinfo=UTC)), now=datetime(2013, 5, 24, 0, 30, tzinfo=UTC)
    )
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert error.message == (
        "Signature not yet current: 20130524T004600Z is still later than 20130524T004500Z (20130524T003000Z + 15 min.)"
    )


@pytest.mark.parametrize("offset", [timedelta(minutes=-15), timedelta(0), timedelta(minutes=15)])
def test_fifteen_minutes_either_way_are_accepted(offset):
    verify(iam_request(T0), SECRET_KEY, now=T0 + offset)


@pytest.mark.parametrize("offset", [timedelta(minutes=-15, seconds=-1), timedelta(minutes=15, seconds=1)])
def test_a_second_more_is_refused(offset):
    assert refusal(iam_request(T0), now=T0 + offset).message.startswith("Signature ")


# --------------------------------------------------------------------------------------------
# IAM / STS: presigned


def test_presigned_within_its_expiry():
    verified = verify(iam_presigned(T0, 300), SECRET_KEY, now=T0 + timedelta(seconds=300))
    assert verified.presigned and verified.signed_at == T0


def test_presigned_past_its_expiry():
    error = refusal(iam_presigned(T0, 300), now=T0 + timedelta(seconds=301))
    assert (error.code, error.message, error.status) == ("RequestExpired", "Request has expired.", 400)


def test_presigned_without_expires_lives_fifteen_minutes():
    request = iam_presigned(T0, None)
    assert "X-Amz-Expires" not in request.query_string
    verify(request, SECRET_KEY, now=T0 + timedelta(minutes=15))
    error = refusal(request, now=T0 + timedelta(minutes=16))
    assert (
        error.message
        == "Signature expired: 20130524T000000Z is now earlier than 20130524T000100Z (20130524T001600Z - 15 min.)"
    )


def test_presigned_in_the_future():
    error = refusal(iam_presigned(T0 + timedelta(minutes=20), 300), now=T0)
    assert (
        error.message
        == "Signature not yet current: 20130524T002000Z is still later than 20130524T001500Z (20130524T000000Z + 15 min.)"
    )


def test_presigned_missing_parameters():
    request = with_query(with_query(iam_presigned(), "X-Amz-Signature", None), "X-Amz-Date", None)
    error = refusal(request)
    assert (error.code, error.status) == ("IncompleteSignature", 400)
    assert error.message == (
        "AWS query-string parameters must include 'X-Amz-Signature'. "
        "AWS query-string parameters must include 'X-Amz-Date'. "
        "Re-examine the query-string parameters."
    )
    lone = SignedRequest(
        "GET", "/", "X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fsts%2Faws4_request", [("Host", "h")]
    )
    assert refusal(lone).message.startswith("AWS query-string parameters must include 'X-Amz-Algorithm'. ")


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("soon", "X-Amz-Expires should be a number"),
        ("-5", "X-Amz-Expires must be non-negative"),
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
        ),
    ],
)
def test_presigned_bad_expires(expires, message):
    error = refusal(with_query(iam_presigned(), "X-Amz-Expires", expires))
    assert (error.code, error.message) == ("IncompleteSignature", message)


def test_presigned_tampered_is_refused():
    request = iam_presigned()
    changed = dataclasses.replace(
        request, query_string=request.query_string.replace("GetCallerIdentity", "GetSessionToken")
    )
    assert refusal(changed).code == "SignatureDoesNotMatch"


def test_presigned_security_token_from_the_query():
    request = AWSRequest(
        method="GET", url="https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
    )
    with time_machine.travel(T0, tick=False):
        SigV4QueryAuth(
            Credentials(ACCESS_KEY, SECRET_KEY, "TOKEN/+="), "sts", "us-east-1", expires=60
        ).add_auth(request)
    assert verify(from_botocore(request), SECRET_KEY, now=T0).security_token == "TOKEN/+="


# --------------------------------------------------------------------------------------------
# S3


def test_s3_missing_authentication_is_access_denied():
    bare = SignedRequest("GET", "/examplebucket/key.txt", "", [("Host", "s3.amazonaws.com")], s3=True)
    with pytest.raises(MissingAuthenticationError) as caught:
        credential_of(bare)
    assert (caught.value.code, caught.value.message, caught.value.status) == (
        "AccessDenied",
        "Access Denied",
        403,
    )


def test_s3_request_time_too_skewed():
    error = refusal(s3_request(T0), now=T0 + timedelta(minutes=16))
    assert (error.code, error.status) == ("RequestTimeTooSkewed", 403)
    assert error.message == "The difference between the request time and the current time is too large."
    assert error.extra == {
        "RequestTime": "20130524T000000Z",
        "ServerTime": "2013-05-24T00:16:00Z",
        "MaxAllowedSkewMilliseconds": "900000",
    }
    assert refusal(s3_request(T0), now=T0 - timedelta(minutes=16)).code == "RequestTimeTooSkewed"
    verify(s3_request(T0), SECRET_KEY, now=T0 + timedelta(minutes=15))


def test_s3_presigned_expired():
    request = s3_presigned(T0, 86400)
    verify(request, SECRET_KEY, now=T0 + timedelta(seconds=86400))
    error = refusal(request, now=T0 + timedelta(seconds=86401))
    assert (error.code, error.message, error.status) == ("AccessDenied", "Request has expired", 403)
    assert error.extra == {
        "X-Amz-Expires": "86400",
        "Expires": "2013-05-25T00:00:00Z",
        "ServerTime": "2013-05-25T00:00:01Z",
    }


def test_s3_presigned_a_week_at_most():
    verify(s3_presigned(T0, 604800), SECRET_KEY, now=T0 + timedelta(days=7))
    error = refusal(with_query(s3_presigned(T0), "X-Amz-Expires", "604801"))
    assert (error.code, error.status) == ("AuthorizationQueryParametersError", 400)
    assert error.message == (
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than "
        "604800 seconds"
    )
    assert (
        refusal(with_query(s3_presigned(T0), "X-Amz-Expires", "-1")).message
        == "X-Amz-Expires must be non-negative"
    )
    assert (
        refusal(with_query(s3_presigned(T0), "X-Amz-Expires", "1e3")).message
        == "X-Amz-Expires should be a number"
    )
    assert refusal(with_query(s3_presigned(T0), "X-Amz-Expires", "0")).message == "Request has expired"


def test_s3_presigned_not_yet_valid():
    error = refusal(s3_presigned(T0 + timedelta(minutes=16)), now=T0)
    assert (error.code, error.message, error.status) == ("AccessDenied", "Request is not valid yet", 403)


def test_s3_presigned_missing_parameters():
    error = refusal(with_query(s3_presigned(), "X-Amz-Expires", None))
    assert (error.code, error.status) == ("AuthorizationQueryParametersError", 400)
    assert error.message == (
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
        "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
    )
    error = refusal(with_query(s3_presigned(), "X-Amz-Algorithm", "AWS4-HMAC-SHA1"))
    assert error.message == 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'
    error = refusal(with_query(s3_presigned(), "X-Amz-Date", "2013-05-24"))
    assert error.message == "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""


def test_s3_presigned_credential_errors():
    request = s3_presigned()
    query = request.query_string

    def credential(value):
        return refusal(
            dataclasses.replace(
                request, query_string=query.replace("%2F20130524%2Fus-east-1%2Fs3%2Faws4_request", value)
            )
        )

    assert credential("%2F20130524%2Fus-east-1%2Fs3").message == (
        "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "
        '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
    )
    assert credential("%2F20130525%2Fus-east-1%2Fs3%2Faws4_request").message == (
        'Invalid credential date "20130525". This date is not the same as X-Amz-Date: "20130524".'
    )
    assert credential("%2F20130524%2Fus-east-1%2Fs3%2Faws4_reque").message == (
        'Error parsing the X-Amz-Credential parameter; incorrect terminal "aws4_reque". This endpoint uses "aws4_request".'
    )
    error = refusal(request, region="eu-west-1")
    assert (error.code, error.extra) == ("AuthorizationQueryParametersError", {"Region": "eu-west-1"})
    assert (
        error.message
        == "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'"
    )


def test_s3_header_credential_errors():
    request = s3_request()
    authorization = header(request, "Authorization")

    def refused(value):
        return refusal(with_header(request, "Authorization", value))

    error = refused(authorization.replace("/20130524/us-east-1/s3/aws4_request", "/20130524/us-east-1/s3"))
    assert (error.code, error.status) == ("AuthorizationHeaderMalformed", 400)
    assert error.message == (
        "The authorization header is malformed; the Credential is mal-formed; expecting "
        '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
    )
    error = refused(authorization.replace("/20130524/", "/20130523/"))
    assert (
        error.message
        == "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date."
    )
    error = refused(authorization.replace("/20130524/", "/2013052/"))
    assert error.message == (
        'The authorization header is malformed; incorrect date format "2013052". This date in the credential must be '
        'in the format "yyyyMMdd".'
    )
    error = refused(authorization.split(", Signature=")[0])
    assert error.message == (
        "The authorization header is malformed; the authorization header requires three components: Credential, "
        "SignedHeaders, and Signature."
    )
    error = refusal(request, service="s3", region="us-west-2")
    assert (
        error.message
        == "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'us-west-2'"
    )
    assert refusal(request, service="iam").message == (
        'The authorization header is malformed; incorrect service "s3". This endpoint belongs to "iam".'
    )


def test_s3_unsupported_mechanisms():
    request = s3_request()
    error = refusal(
        with_header(request, "Authorization", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=")
    )
    assert (error.code, error.status) == ("InvalidRequest", 400)
    assert (
        error.message
        == "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
    )
    error = refusal(with_header(request, "Authorization", "Bearer abc"))
    assert (error.code, error.message) == ("InvalidArgument", "Unsupported Authorization Type")
    error = refusal(dataclasses.replace(request, query_string="X-Amz-Algorithm=AWS4-HMAC-SHA256"))
    assert (error.code, error.status) == ("InvalidArgument", 400)
    assert error.message.startswith(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter"
    )


def test_s3_date_required():
    error = refusal(with_header(s3_request(), "X-Amz-Date", None))
    assert (error.code, error.message, error.status) == (
        "AccessDenied",
        "AWS authentication requires a valid Date or x-amz-date header",
        403,
    )


def test_s3_payload_hash_header():
    request = s3_request()
    error = refusal(with_header(request, "X-Amz-Content-SHA256", None))
    assert (error.code, error.message, error.status) == (
        "InvalidRequest",
        "Missing required header for this request: x-amz-content-sha256",
        400,
    )
    error = refusal(with_header(request, "X-Amz-Content-SHA256", "sha256-please"))
    assert (error.code, error.status) == ("InvalidArgument", 400)
    assert error.message.startswith(
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER,"
    )


def test_s3_body_must_match_its_hash():
    request = s3_request(data=b"hello")
    error = refusal(dataclasses.replace(request, body=b"HELLO"))
    assert (error.code, error.status) == ("XAmzContentSHA256Mismatch", 400)
    assert error.message == "The provided 'x-amz-content-sha256' header does not match what was computed."
    assert error.extra == {
        "ClientComputedContentSHA256": sha256_hex(b"hello"),
        "S3ComputedContentSHA256": sha256_hex(b"HELLO"),
    }


def test_s3_every_x_amz_header_must_be_signed():
    request = with_header(s3_request(), "x-amz-meta-colour", "blue")
    error = refusal(request)
    assert (error.code, error.message, error.status) == (
        "AccessDenied",
        "There were headers present in the request which were not signed",
        403,
    )
    assert error.extra == {"HeadersNotSigned": "x-amz-meta-colour"}


def test_s3_signature_does_not_match():
    request = s3_request()
    with pytest.raises(SigV4Error) as caught:
        verify(request, "wrong", now=T0)
    error = caught.value
    assert (error.code, error.message, error.status) == (
        "SignatureDoesNotMatch",
        S3_SIGNATURE_DOES_NOT_MATCH,
        403,
    )
    assert error.extra["AWSAccessKeyId"] == ACCESS_KEY
    assert error.extra["SignatureProvided"] == header(request, "Authorization").rsplit("=", 1)[1]
    assert error.extra["StringToSign"].startswith("AWS4-HMAC-SHA256\n20130524T000000Z\n")
    assert error.extra["StringToSignBytes"].startswith("41 57 53 34")
    assert error.extra["CanonicalRequest"].startswith("PUT\n/examplebucket/key.txt\n")

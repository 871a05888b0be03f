"""Bad input through the API never crashes it and never half-writes.

Malformed bodies and query strings, unknown and missing actions, missing parameters, values of
the wrong type or outside the model's constraints, bodies over the limit, missing, malformed,
foreign and stale signatures, replayed expired presigned URLs, NUL bytes and lone surrogates:
each is a 4xx with AWS's error XML (its ``<Code>``, and a ``RequestId`` that the
``x-amzn-RequestId`` header repeats), never a 5xx, and the accounts tables keep their row counts
(the audit trail may grow: refusals are recorded). A hypothesis-fuzzed part sends random forms
and bytes, bounded to a few seconds.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.api import iam
from tests.api.conftest import Keys, RawResponse, http, make_client, send, table_counts

IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)


def form(action: str | None, version: str = IAM_VERSION, **params) -> str:
    fields = ({"Action": action} if action else {}) | {"Version": version} | params
    return urlencode(fields, quote_via=quote)


def assert_aws_error(response: RawResponse, status: int, code: str, message: str | None = None) -> dict:
    assert response.status == status, (response.status, response.body[:300])
    assert response.headers["Content-Type"].startswith("text/xml")
    error = response.error()
    assert error["Code"] == code, error
    assert error["Type"] == "Sender"
    assert error["RequestId"] and error["RequestId"] == response.headers["x-amzn-RequestId"]
    if message is not None:
        assert error["Message"] == message
    return error


@pytest.fixture
def api(root_caller, user_factory):
    """Sends as the account's root (signed) and checks that a refused request wrote nothing."""
    user_factory("nobody")

    class Api:
        endpoint = root_caller.endpoint
        keys = root_caller.keys
        session = root_caller.session

        def send(self, body, **kwargs) -> RawResponse:
            kwargs.setdefault("keys", self.keys)
            before = table_counts()
            response = send(self.endpoint, body, **kwargs)
            assert response.status < 500, response.body[:500]
            if response.status >= 400:
                assert table_counts() == before
            return response

    return Api()


# --- the request's form ---------------------------------------------------------------------------

BAD_FORMS = [
    # (what, body, status, code, message)
    (
        "no action",
        form(None),
        400,
        "MissingAction",
        "The request is missing an action or a required parameter.",
    ),
    ("empty body", "", 400, "MissingAction", None),
    ("empty action", "Action=&Version=2010-05-08", 400, "MissingAction", None),
    (
        "unknown action",
        form("Frobnicate"),
        400,
        "InvalidAction",
        "Could not find operation Frobnicate for version 2010-05-08",
    ),
    ("an STS action sent to IAM", form("AssumeRole"), 400, "InvalidAction", None),
    ("action of another case", form("listusers"), 400, "InvalidAction", None),
    ("a JSON body", '{"Action": "ListUsers", "Version": "2010-05-08"}', 400, "MissingAction", None),
    (
        "body not UTF-8",
        b"Action=ListUsers&Version=2010-05-08&PathPrefix=/\xff/",
        400,
        "MalformedQueryString",
        None,
    ),
    (
        "percent-escape not UTF-8",
        "Action=GetUser&Version=2010-05-08&UserName=kim%FF",
        400,
        "MalformedQueryString",
        "The request body is not valid UTF-8.",
    ),
    (
        "lone surrogate (CESU-8 escape)",
        "Action=CreateUser&Version=2010-05-08&UserName=a%ED%A0%80b",
        400,
        "MalformedQueryString",
        None,
    ),
    (
        "too many fields",
        "Action=ListUsers&Version=2010-05-08&" + "x=1&" * 10_001,
        400,
        "MalformedQueryString",
        None,
    ),
    (
        "missing parameter",
        form("GetGroup"),
        400,
        "ValidationError",
        "1 validation error detected: Value null at 'groupName' failed to satisfy constraint: Member must not be null",
    ),
    (
        "missing parameters",
        form("AttachUserPolicy"),
        400,
        "ValidationError",
        "2 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be "
        "null; Value null at 'policyArn' failed to satisfy constraint: Member must not be null",
    ),
    (
        "integer of the wrong type",
        form("ListUsers", MaxItems="abc"),
        400,
        "MalformedInput",
        "Invalid value 'abc' for parameter MaxItems: expected an integer",
    ),
    (
        "boolean of the wrong type",
        form("CreateLoginProfile", UserName="kim", Password="x", PasswordResetRequired="maybe"),
        400,
        "MalformedInput",
        None,
    ),
    ("huge integer", form("ListUsers", MaxItems="99999999999999999999"), 400, "MalformedInput", None),
    (
        "pattern",
        form("CreateUser", UserName="a b"),
        400,
        "ValidationError",
        "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    ),
    (
        "length",
        form("CreateUser", UserName="k" * 65),
        400,
        "ValidationError",
        f"1 validation error detected: Value '{'k' * 65}' at 'userName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64",
    ),
    (
        "range",
        form("ListUsers", MaxItems="0"),
        400,
        "ValidationError",
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    ),
    (
        "enum",
        form("ListPolicies", Scope="Everything"),
        400,
        "ValidationError",
        "1 validation error detected: Value 'Everything' at 'scope' failed to satisfy constraint: "
        "Member must satisfy enum value set: [All, AWS, Local]",
    ),
    (
        "nested member",
        form("CreateUser", UserName="kim", **{"Tags.member.1.Key": "team", "Tags.member.1.Value": "v" * 257}),
        400,
        "ValidationError",
        None,
    ),
    ("NUL in a name", form("CreateUser", UserName="kim\x00lee"), 400, "ValidationError", None),
    ("NUL in a path", form("CreateGroup", GroupName="ops", Path="/a\x00/"), 400, "ValidationError", None),
    (
        "NUL in a policy document",
        form(
            "CreatePolicy",
            PolicyName="p",
            PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get\u0000*","Resource":"*"}]}',
        ),
        400,
        "ValidationError",
        None,
    ),
    (
        "escaped NUL and lone surrogate in a policy",
        form(
            "CreatePolicy",
            PolicyName="p",
            PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get\\u0000*",'
            '"Resource":"arn:aws:s3:::\\ud800"}]}',
        ),
        400,
        "MalformedPolicyDocument",
        None,
    ),
    (
        "a trust policy with escapes",
        form(
            "CreateRole",
            RoleName="r",
            AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
            '"Principal":{"Service":"ec2.amazonaws.com\\u0000","AWS":"\\ud800"}}]}',
        ),
        400,
        "MalformedPolicyDocument",
        None,
    ),
    (
        "deep JSON",
        form("CreatePolicy", PolicyName="p", PolicyDocument="[" * 5000 + "]" * 5000),
        400,
        "MalformedPolicyDocument",
        None,
    ),
    (
        "list index too large",
        form(
            "SimulateCustomPolicy",
            **{"PolicyInputList.member.99999999": "{}", "ActionNames.member.1": "iam:x"},
        ),
        400,
        "MalformedInput",
        None,
    ),
]


def test_bad_forms_are_awss_errors_and_write_nothing(api):
    # one test for the table (a live-server test's database costs more than a request)
    failures = []
    for what, body, status, code, message in BAD_FORMS:
        try:
            assert_aws_error(api.send(body), status, code, message)
        except AssertionError as exc:
            failures.append(f"{what}: {exc}")
    assert not failures, "\n".join(failures)


def test_a_body_over_the_limit_is_refused(api):
    body = form("CreateUser", UserName="big", Path="/" + "a" * 3_000_000 + "/")
    assert_aws_error(api.send(body), 413, "RequestEntityTooLarge")


def test_sts_errors_speak_sts(api):
    response = api.send(form("AssumeRole", version=STS_VERSION), service="sts")
    error = assert_aws_error(response, 400, "ValidationError")
    assert error["Message"].startswith("2 validation errors detected: Value null at 'roleArn'")
    assert b'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"' in response.body


def test_query_string_parameters_are_read_like_the_bodys(api):
    response = api.send(b"", method="GET", query=form("GetUser", UserName="nobody"))
    assert response.status == 200 and b"<UserName>nobody</UserName>" in response.body
    assert_aws_error(
        api.send(b"", method="GET", query="Action=GetUser&Version=2010-05-08&UserName=%FF"),
        400,
        "MalformedQueryString",
    )


# --- signatures -----------------------------------------------------------------------------------


def test_an_unsigned_request_is_refused(api):
    response = api.send(form("ListUsers"), keys=None)
    assert_aws_error(response, 403, "MissingAuthenticationToken", "Request is missing Authentication Token")


def test_a_tampered_signature_is_refused(api):
    def flip(headers):
        headers["Authorization"] = headers["Authorization"][:-4] + "0000"

    assert_aws_error(
        api.send(form("ListUsers"), tamper=flip), 403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH
    )


def test_a_tampered_body_is_refused(api):
    # signed for one body, sent with another: the server hashes what it got
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST",
        url=api.endpoint + "/",
        data=form("GetUser", UserName="nobody"),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(api.keys.access_key_id, api.keys.secret_access_key), "iam", "us-east-1").add_auth(
        request
    )
    prepared = request.prepare()
    before = table_counts()
    response = http(
        "POST", prepared.url, form("DeleteUser", UserName="nobody").encode(), dict(prepared.headers)
    )
    assert_aws_error(response, 403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH)
    assert table_counts() == before


def test_a_signature_made_with_another_secret_is_refused(api):
    stolen_id = Keys(api.keys.access_key_id, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    response = api.send(form("CreateUser", UserName="intruder"), keys=stolen_id)
    assert_aws_error(response, 403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH)


MALFORMED_AUTHORIZATION = [
    ("AWS4-HMAC-SHA256", "Authorization header requires 'Credential' parameter."),
    (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE",
        "Authorization header requires 'Signature' parameter.",
    ),
    (
        "AWS4-HMAC-SHA256 Credential=x/y, SignedHeaders=host, Signature=00",
        "Credential must have exactly 5 slash-delimited elements",
    ),
    (
        "AWS4-HMAC-SHA512 Credential=a/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'",
    ),
    ("Bearer abc", "'abc' not a valid key=value pair (missing equal-sign) in Authorization header"),
]


def test_malformed_authorization_headers_are_refused(api):
    for authorization, message in MALFORMED_AUTHORIZATION:

        def replace(headers, value=authorization):
            headers["Authorization"] = value

        error = assert_aws_error(api.send(form("ListUsers"), tamper=replace), 400, "IncompleteSignature")
        assert error["Message"].startswith(message), (authorization, error)


@pytest.mark.parametrize("minutes", [-16, 16])
def test_a_clock_skewed_by_more_than_15_minutes_is_refused(api, minutes):
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=minutes), tick=True):
        # signed on the skewed clock; the server (same process) must not be skewed too
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest(
            method="POST",
            url=api.endpoint + "/",
            data=form("CreateUser", UserName="late"),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        SigV4Auth(
            Credentials(api.keys.access_key_id, api.keys.secret_access_key), "iam", "us-east-1"
        ).add_auth(request)
        prepared = request.prepare()
    before = table_counts()
    response = http("POST", prepared.url, prepared.body, dict(prepared.headers.items()))
    error = assert_aws_error(response, 403, "SignatureDoesNotMatch")
    expected = "Signature expired: " if minutes < 0 else "Signature not yet current: "
    assert error["Message"].startswith(expected)
    assert error["Message"].endswith("15 min.)")
    assert table_counts() == before


# botocore presigns a Query-protocol operation for its model's method, POST (with an empty body)


def test_a_replayed_expired_presigned_url_is_refused(api):
    iam_client = make_client(api.session, "iam", api.endpoint, api.keys)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        url = iam_client.generate_presigned_url("get_user", Params={"UserName": "nobody"}, ExpiresIn=60)
        assert "X-Amz-Signature=" in urlsplit(url).query
        first = http("POST", url)
        assert first.status == 200 and b"<UserName>nobody</UserName>" in first.body
        # within its validity the URL may be replayed, as AWS allows
        assert http("POST", url).status == 200
        clock.shift(61)
        before = table_counts()
        response = http("POST", url)
        assert table_counts() == before
    assert_aws_error(response, 400, "RequestExpired", "Request has expired.")


def test_a_presigned_url_with_a_changed_parameter_is_refused(api):
    iam_client = make_client(api.session, "iam", api.endpoint, api.keys)
    url = iam_client.generate_presigned_url("get_user", Params={"UserName": "nobody"}, ExpiresIn=60)
    assert http("POST", url).status == 200
    assert_aws_error(
        http("POST", url.replace("UserName=nobody", "UserName=admin")), 403, "SignatureDoesNotMatch"
    )


# --- fuzzed -------------------------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "\x00", "kim\x00", "a" * 300, "-1", "99999999999999999999", "true", "null", "[]", "{", "/", "*"]
    ),
    st.just("{" * 200),
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "UserName",
            "GroupName",
            "RoleName",
            "PolicyArn",
            "PolicyName",
            "PolicyDocument",
            "Path",
            "PathPrefix",
            "MaxItems",
            "Marker",
            "NewUserName",
            "Tags.member.1.Key",
            "Tags.member.1.Value",
            "ActionNames.member.1",
            "PolicyInputList.member.1",
            "AccessKeyId",
            "Status",
            "SerialNumber",
        ]
    ),
    st.text(min_size=1, max_size=20),
)
# Reads and harmless writes (nothing they can create is left half-made); every action is a candidate.
ACTIONS = st.sampled_from(sorted(iam.HANDLERS))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(action=ACTIONS, fields=st.dictionaries(KEYS, HOSTILE, max_size=5))
def test_fuzzed_forms_never_fail_the_server(api, action, fields):
    body = urlencode(
        {"Action": action, "Version": IAM_VERSION, **fields}, quote_via=quote, errors="surrogatepass"
    )
    response = api.send(body)  # asserts < 500, and nothing written when refused
    if response.status >= 400:
        assert response.error()["RequestId"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(body=st.binary(max_size=200), signed=st.booleans())
def test_fuzzed_bytes_are_refused(api, body, signed):
    response = api.send(body, keys=api.keys if signed else None)
    assert 400 <= response.status < 500
    assert response.error()["Code"]

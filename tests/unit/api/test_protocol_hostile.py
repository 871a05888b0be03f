"""Hostile requests: ``parse_params`` answers a cheap ``ProtocolError`` (400) and never anything else.

Huge list indices, a flood of parameters, deep or long names, non-UTF-8 text (lone surrogates, as
``surrogateescape`` decoding leaves them), NUL bytes and random junk; and responses or error messages
carrying characters that XML cannot, which must still come out as XML that botocore reads.
"""

import time

import botocore.parsers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.api import protocol

FUZZ_SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def op(service, name):
    return protocol.operation(service, name)


def rejected(service, name, params):
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.parse_params(op(service, name), params)
    assert info.value.status == 400
    return info.value


def test_huge_list_index_is_rejected_without_allocating():
    op("iam", "CreateUser"), op("ec2", "DescribeInstances")  # models loaded before timing
    start = time.perf_counter()
    error = rejected("iam", "CreateUser", {"UserName": "a", "Tags.member.1000000000.Key": "k"})
    assert error.code == "MalformedInput"
    error = rejected("ec2", "DescribeInstances", {f"InstanceId.{10**9}": "i-1"})
    assert error.code == "InvalidParameterValue"
    assert time.perf_counter() - start < 0.5


def test_index_with_more_digits_than_any_number_is_rejected_too():
    params = {"UserName": "a", "Tags.member." + "9" * 400 + ".Key": "k"}
    assert rejected("iam", "CreateUser", params).code == "MalformedInput"


def test_index_zero_and_non_numeric_tokens_name_no_element():
    params = {"UserName": "a", "Tags.member.0.Key": "k", "Tags.member.x.Key": "k", "Tags.member.-1.Key": "k"}
    assert protocol.parse_params(op("iam", "CreateUser"), params) == {"UserName": "a"}


def test_large_sparse_indices_below_the_bound_are_fine():
    params = {"UserName": "a", "Tags.member.9999.Key": "k", "Tags.member.9999.Value": "v"}
    assert protocol.parse_params(op("iam", "CreateUser"), params)["Tags"] == [{"Key": "k", "Value": "v"}]


def test_a_flood_of_parameters_is_rejected_at_once():
    params = {f"Tags.member.{i}.Key": "k" for i in range(100_000)}
    start = time.perf_counter()
    error = rejected("iam", "CreateUser", params)
    assert time.perf_counter() - start < 0.1
    assert "Too many parameters" in error.message


def test_more_list_elements_than_any_list_may_hold():
    params = {"UserName": "a"}
    params.update({f"Tags.member.{i}.Key": "k" for i in range(1, 2002)})
    assert "Too many elements" in rejected("iam", "CreateUser", params).message


def test_deep_and_long_names():
    deep = "Tags" + ".m" * 100
    assert "deeper" in rejected("iam", "CreateUser", {"UserName": "a", deep: "x"}).message
    long_name = "Tags.member.1." + "K" * 100_000
    assert "longer" in rejected("iam", "CreateUser", {"UserName": "a", long_name: "x"}).message
    # names that no operation knows cost nothing, however long (IAM and STS ignore them)
    assert protocol.parse_params(op("sts", "GetCallerIdentity"), {"X" * 1_000_000: "y"}) == {}


def test_names_deeper_than_their_shape_leave_the_member_null():
    error = rejected(
        "iam",
        "CreateUser",
        {"UserName": "a", "Tags.member.1.Key" + ".x" * 20: "k", "Tags.member.1.Value": "v"},
    )
    assert error.message == (
        "1 validation error detected: Value null at 'tags.1.member.key' failed to satisfy constraint: "
        "Member must not be null"
    )


@pytest.mark.parametrize("bad", ["\x00", "a\x00b", "\udcff", "x\ud800y", "\x01", "\ufffe"])
def test_characters_xml_cannot_carry_fail_validation(bad):
    # a member with its own pattern
    error = rejected("iam", "CreateUser", {"UserName": bad})
    assert error.code == "ValidationError"
    assert "at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern" in (
        error.message
    )
    # a member without one: the implicit XML character class
    error = rejected("iam", "CreatePolicy", {"PolicyName": "p", "PolicyDocument": "{}", "Description": bad})
    assert error.message == (
        f"1 validation error detected: Value '{bad}' at 'description' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]*"
    )
    error = rejected("ec2", "CreateTags", {"ResourceId.1": "i-1", "Tag.1.Key": "k", "Tag.1.Value": bad})
    assert error.code == "InvalidParameterValue"


def test_error_bodies_carrying_bad_characters_are_still_xml():
    error = rejected("iam", "CreateUser", {"UserName": "a\x00\udcff<&>"})
    for service in ("iam", "ec2"):
        body = protocol.serialize_error(service, error.code, error.message, request_id="r\x00")
        parser = botocore.parsers.create_parser(protocol.service_model(service).protocol)
        parsed = parser.parse({"body": body, "headers": {}, "status_code": 400}, None)
        assert parsed["Error"]["Code"] == "ValidationError"
        assert "a\ufffd\ufffd<&>" in parsed["Error"]["Message"]


def test_unknown_action_with_bad_characters():
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.operation("iam", "List\x00Users\udcff" + "x" * 10_000)
    body = protocol.serialize_error("iam", info.value.code, info.value.message, request_id="r")
    parser = botocore.parsers.create_parser("query")
    assert (
        parser.parse({"body": body, "headers": {}, "status_code": 400}, None)["Error"]["Code"]
        == "InvalidAction"
    )


def test_bytes_and_odd_values_do_not_crash():
    assert rejected("iam", "CreateUser", {"UserName": b"\xff\xfe"}).code == "ValidationError"
    assert protocol.parse_params(op("iam", "CreateUser"), {"UserName": ["a", "b"]}) == {"UserName": "a"}
    assert rejected("iam", "CreateUser", {"UserName": []}).code == "ValidationError"  # empty: ''
    assert protocol.parse_params(op("iam", "ListUsers"), {"MaxItems": 5}) == {"MaxItems": 5}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("ListUsers", {"MaxItems": "9" * 5000}),
        ("ListUsers", {"MaxItems": "-" + "9" * 41}),
        ("ListUsers", {"MaxItems": "2147483648"}),
        ("UpdateAccountPasswordPolicy", {"MinimumPasswordLength": "1e999999"}),
        ("UploadSSHPublicKey", {"UserName": "a", "SSHPublicKeyBody": "\x00" * 10}),
    ],
)
def test_absurd_numbers(name, params):
    rejected("iam", name, params)


def test_absurd_timestamps_blobs_and_floats_are_type_errors():
    scalar = protocol._Scalar
    ctx = protocol._Ctx(ec2=False)
    shapes = protocol.service_model("iam").shape_for
    timestamp = scalar(shapes("dateType"))
    for text in (
        "9999-99-99T00:00:00Z",
        "2026-02-30",
        "999999999999",
        "2026-12-01T25:00:00Z",
        "x" * 10_000,
        "\udcff",
    ):
        with pytest.raises(protocol.ProtocolError) as info:
            timestamp.convert(text, "When", ctx)
        assert (info.value.code, info.value.message) == ("MalformedInput", "timestamp must follow ISO8601")
    blob = scalar(shapes("ReportContentType"))
    for text in ("not base64!", "YQ", "\udcff", "é"):
        with pytest.raises(protocol.ProtocolError):
            blob.convert(text, "Blob", ctx)
    double = scalar(protocol.service_model("ec2").shape_for("Double"))
    assert double.convert("Infinity", "D", ctx) == float("inf")
    assert double.convert("1e999999", "D", ctx) == float("inf")
    for text in ("inf", "1_0", " 1", "0x1p3", "nan"):
        with pytest.raises(protocol.ProtocolError):
            double.convert(text, "D", ctx)


SEGMENTS = st.sampled_from(
    [
        "UserName",
        "Tags",
        "member",
        "entry",
        "key",
        "value",
        "Key",
        "Value",
        "1",
        "2",
        "0",
        "01",
        "-1",
        "999999",
        "10000",
        "10001",
        "",
        "PolicyArns",
        "arn",
        "RoleArn",
        "DurationSeconds",
        "Filter",
        "Name",
        "InstanceId",
        "TagSpecification",
        "Tag",
        "NetworkInterface",
        "PrivateIpAddresses",
        "IamInstanceProfile",
        "\udcff",
        "\x00",
    ]
)
NAMES = st.lists(SEGMENTS, min_size=1, max_size=40).map(".".join)
VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["", "true", "false", "1", "-1", "900", "99999999999", "NaN", "\x00", "\udcff", "a" * 3000]
    ),
    st.lists(st.text(max_size=5), max_size=3),
)


@pytest.mark.parametrize(
    ("service", "name"),
    [
        ("iam", "CreateUser"),
        ("iam", "PutUserPolicy"),
        ("iam", "AcquireRole"),
        ("iam", "PutAccountProperties"),
        ("sts", "AssumeRole"),
        ("ec2", "RunInstances"),
        ("ec2", "DescribeInstances"),
        ("ec2", "CreateTags"),
    ],
)
@FUZZ_SETTINGS
@given(params=st.dictionaries(NAMES, VALUES, max_size=30))
def test_fuzz_only_protocol_errors(service, name, params):
    try:
        result = protocol.parse_params(op(service, name), params)
    except protocol.ProtocolError as error:
        assert error.status == 400
        assert error.code in {
            "ValidationError",
            "MalformedInput",
            "MissingParameter",
            "InvalidParameterValue",
            "UnknownParameter",
        }
        protocol.serialize_error(service, error.code, error.message, request_id="r")
    else:
        assert isinstance(result, dict)


@given(
    result=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.binary()),
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.dictionaries(st.text(max_size=10), children)
        ),
        max_leaves=20,
    )
)
@settings(max_examples=100, deadline=None, database=None)
def test_odd_results_never_make_invalid_xml(result):
    """A result of the wrong shape is written as best it can be, or refused with a Python error: never bad XML."""
    operation = op("iam", "ListUsers")
    try:
        body = protocol.serialize_result(operation, {"Users": result, "Marker": result}, request_id="r")
    except (TypeError, ValueError, OverflowError):
        return
    parser = botocore.parsers.create_parser("query")
    parser.parse({"body": body, "headers": {}, "status_code": 200}, operation.output_shape)

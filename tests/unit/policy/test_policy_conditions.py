"""Condition operators (UG reference_policies_elements_condition_operators), table-driven.

Each row: operator, key, policy value(s), request value (``ABSENT`` for no key), expected.
"""

import pytest

from accounts.policy.conditions import parse_date, parse_operator
from tests.unit.policy.helpers import condition_allows, decide, policy, stmt

ABSENT = object()

CASES = [
    # --- String
    ("StringEquals", "aws:username", "johndoe", "johndoe", True),
    ("StringEquals", "aws:username", "johndoe", "JohnDoe", False),
    ("StringEquals", "aws:username", ["a", "johndoe"], "johndoe", True),  # values are OR
    ("StringEquals", "aws:username", "johndoe", ABSENT, False),
    ("StringNotEquals", "aws:username", "johndoe", "lee", True),
    ("StringNotEquals", "aws:username", "johndoe", "johndoe", False),
    ("StringNotEquals", "aws:username", ["a", "b"], "b", False),
    ("StringNotEquals", "aws:username", "johndoe", ABSENT, True),  # negated + absent = true
    ("StringEqualsIgnoreCase", "aws:username", "johndoe", "JohnDoe", True),
    ("StringEqualsIgnoreCase", "aws:username", "johndoe", "john", False),
    ("StringEqualsIgnoreCase", "aws:username", "johndoe", ABSENT, False),
    ("StringNotEqualsIgnoreCase", "aws:username", "johndoe", "JOHNDOE", False),
    ("StringNotEqualsIgnoreCase", "aws:username", "johndoe", "lee", True),
    ("StringNotEqualsIgnoreCase", "aws:username", "johndoe", ABSENT, True),
    ("StringLike", "s3:prefix", "home/*", "home/kim/x", True),
    ("StringLike", "s3:prefix", "home/*", "Home/kim", False),  # case-sensitive
    ("StringLike", "s3:prefix", ["", "home/"], "", True),
    ("StringLike", "ec2:InstanceType", "t?.micro", "t3.micro", True),
    ("StringLike", "ec2:InstanceType", "t?.micro", "t3a.micro", False),
    ("StringLike", "ec2:InstanceType", "t*", ABSENT, False),
    ("StringNotLike", "ec2:InstanceType", "t*", "m5.large", True),
    ("StringNotLike", "ec2:InstanceType", "t*", "t3.micro", False),
    ("StringNotLike", "ec2:InstanceType", "t*", ABSENT, True),
    # --- Numeric
    ("NumericEquals", "s3:max-keys", "10", "10", True),
    ("NumericEquals", "s3:max-keys", "10", "10.0", True),
    ("NumericEquals", "s3:max-keys", 10, "11", False),
    ("NumericEquals", "s3:max-keys", "10", "ten", False),
    ("NumericNotEquals", "s3:max-keys", "10", "11", True),
    ("NumericNotEquals", "s3:max-keys", "10", "10", False),
    ("NumericNotEquals", "s3:max-keys", "10", ABSENT, True),
    ("NumericLessThan", "s3:max-keys", "10", "9", True),
    ("NumericLessThan", "s3:max-keys", "10", "10", False),
    ("NumericLessThanEquals", "s3:max-keys", "10", "10", True),
    ("NumericLessThanEquals", "s3:max-keys", "10", "10.5", False),
    ("NumericLessThanEquals", "s3:max-keys", "10", ABSENT, False),
    ("NumericGreaterThan", "s3:max-keys", "10", "10.01", True),
    ("NumericGreaterThan", "s3:max-keys", "10", "-3", False),
    ("NumericGreaterThanEquals", "s3:max-keys", "-1.5", "-1.5", True),
    ("NumericGreaterThanEquals", "s3:max-keys", "10", "2", False),
    ("NumericLessThan", "s3:max-keys", ["5", "100"], "50", True),  # OR over values
    # --- Date (ISO 8601 and epoch seconds)
    ("DateGreaterThan", "aws:CurrentTime", "2013-12-15T12:00:00Z", "2019-04-25T11:00:00Z", True),
    ("DateGreaterThan", "aws:CurrentTime", "2018-08-16T12:00:00Z", "2014-04-25T11:00:00Z", False),
    ("DateGreaterThan", "aws:TokenIssueTime", "2018-08-16T12:00:00Z", ABSENT, False),
    ("DateLessThan", "aws:CurrentTime", "2020-01-01", "2019-12-31T23:59:59Z", True),
    ("DateLessThan", "aws:CurrentTime", "2020-01-01", "2020-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", "2020-01-01", True),
    ("DateEquals", "aws:CurrentTime", "2020-01-01T02:00:00+02:00", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "aws:EpochTime", "1577836800", "2020-01-01T00:00:00Z", True),
    ("DateNotEquals", "aws:EpochTime", "1577836800", "1577836801", True),
    ("DateNotEquals", "aws:EpochTime", "1577836800", "1577836800", False),
    ("DateNotEquals", "aws:EpochTime", "1577836800", ABSENT, True),
    ("DateGreaterThanEquals", "aws:TokenIssueTime", "2020-01-01T00:00:01Z", "2020-01-01T00:00:01.000Z", True),
    ("DateGreaterThanEquals", "aws:TokenIssueTime", "2020-01-01T00:00:01Z", "not a date", False),
    ("DateLessThan", "aws:EpochTime", 1700000000, "1600000000", True),
    # --- Bool
    ("Bool", "aws:SecureTransport", "true", "true", True),
    ("Bool", "aws:SecureTransport", "true", True, True),
    ("Bool", "aws:SecureTransport", "false", True, False),
    ("Bool", "aws:SecureTransport", False, "false", True),
    ("Bool", "aws:SecureTransport", "true", "TRUE", True),
    ("Bool", "aws:MultiFactorAuthPresent", "false", ABSENT, False),
    # --- Binary (base64)
    ("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True),
    ("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", b"BinaryValueInBase64", True),
    ("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "b3RoZXI=", False),
    ("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", ABSENT, False),
    # --- IP addresses
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", "203.0.113.77", True),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", "203.0.114.1", False),
    ("IpAddress", "aws:SourceIp", "203.0.113.7", "203.0.113.7", True),  # no prefix = /32
    ("IpAddress", "aws:SourceIp", "203.0.113.7", "203.0.113.8", False),
    (
        "IpAddress",
        "aws:SourceIp",
        ["203.0.113.0/24", "2001:DB8:1234:5678::/64"],
        "2001:db8:1234:5678::1",
        True,
    ),
    ("IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", "203.0.113.0/25", True),  # a narrower range
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", "not-an-ip", False),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", ABSENT, False),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "203.0.113.1", False),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", ABSENT, True),
    # --- ARN
    (
        "ArnEquals",
        "aws:SourceArn",
        "arn:aws:sns:us-east-1:123456789012:topic",
        "arn:aws:sns:us-east-1:123456789012:topic",
        True,
    ),
    (
        "ArnEquals",
        "aws:SourceArn",
        "arn:aws:sns:*:123456789012:topic",
        "arn:aws:sns:eu-west-1:123456789012:topic",
        True,
    ),
    (
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:sns:*:123456789012:*",
        "arn:aws:sns:eu-west-1:123456789012:t",
        True,
    ),
    (
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:sns:*:123456789012:*",
        "arn:aws:sns:eu-west-1:999999999999:t",
        False,
    ),
    (
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        False,
    ),
    (
        "StringLike",  # the same pair matches as a string (the UG's point)
        "aws:SourceArn",
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        True,
    ),
    ("ArnLike", "aws:SourceArn", "arn:aws:sns:*:*:*", ABSENT, False),
    (
        "ArnNotEquals",
        "aws:SourceArn",
        "arn:aws:sns:*:123456789012:*",
        "arn:aws:sns:eu-west-1:999999999999:t",
        True,
    ),
    (
        "ArnNotLike",
        "aws:SourceArn",
        "arn:aws:sns:*:123456789012:*",
        "arn:aws:sns:eu-west-1:123456789012:t",
        False,
    ),
    ("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/OrgAdmin*", ABSENT, True),
    # --- Null
    ("Null", "aws:TokenIssueTime", "true", ABSENT, True),
    ("Null", "aws:TokenIssueTime", "true", "2020-01-01T00:00:00Z", False),
    ("Null", "aws:TokenIssueTime", "false", "2020-01-01T00:00:00Z", True),
    ("Null", "aws:TokenIssueTime", "false", ABSENT, False),
    ("Null", "aws:TokenIssueTime", True, ABSENT, True),
    ("Null", "aws:TagKeys", "true", [], True),  # an empty list is no value
    # --- ...IfExists
    ("StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], ABSENT, True),
    ("StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], "t2.micro", True),
    ("StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], "c5.large", False),
    ("StringNotEqualsIfExists", "s3:x-amz-server-side-encryption", "AES256", ABSENT, True),
    ("StringNotEqualsIfExists", "s3:x-amz-server-side-encryption", "AES256", "AES256", False),
    ("NumericLessThanIfExists", "s3:max-keys", "10", ABSENT, True),
    ("NumericLessThanIfExists", "s3:max-keys", "10", "20", False),
    ("DateLessThanIfExists", "aws:TokenIssueTime", "2020-01-01", ABSENT, True),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "true", ABSENT, True),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "true", "false", False),
    ("IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8", ABSENT, True),
    ("ArnLikeIfExists", "aws:SourceArn", "arn:aws:sns:*:*:*", ABSENT, True),
    ("BinaryEqualsIfExists", "custom:blob", "YQ==", ABSENT, True),
]


@pytest.mark.parametrize(("operator", "key", "values", "value", "expected"), CASES)
def test_condition_operator(operator, key, values, value, expected):
    context = {} if value is ABSENT else {key: value}
    assert condition_allows(operator, key, values, context) is expected


# ------------------------------------------------------------------- set operators

SET_CASES = [
    # the UG's DynamoDB example: ForAllValues = every request value is in the policy list
    ("ForAllValues:StringLike", ["PostDateTime", "Message", "Tags"], ["PostDateTime", "Message"], True),
    ("ForAllValues:StringLike", ["PostDateTime", "Message", "Tags"], ["PostDateTime", "UserName"], False),
    ("ForAllValues:StringLike", ["PostDateTime", "Message", "Tags"], ABSENT, True),  # absent: true
    ("ForAllValues:StringLike", ["PostDateTime", "Message", "Tags"], [], True),  # empty: true
    ("ForAllValues:StringLike", ["PostDateTime", "Message", "Tags"], "", True),  # empty string: true
    ("ForAllValues:StringEquals", ["a", "b"], "a", True),  # a single value is a set of one
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], ["UserName", "Message", "PostDateTime"], True),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], ["UserName"], False),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], ABSENT, False),  # absent: false
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], [], False),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], "", False),
    # the UG's multivalued examples with a negated operator (per request value)
    ("ForAllValues:StringNotLike", "key1*", ["key1:legal"], False),
    ("ForAllValues:StringNotLike", "key1*", ["key1:hr", "key1:personnel"], False),
    ("ForAllValues:StringNotLike", "key1*", ["key2:audit"], True),
    ("ForAllValues:StringNotLike", "key1*", ["key2:audit", "key1:hr"], False),
    ("ForAllValues:StringNotLike", "key1*", ABSENT, True),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "c"], True),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "b"], False),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ABSENT, False),
    ("ForAllValues:StringEqualsIgnoreCase", ["team", "env"], ["TEAM", "Env"], True),
    ("ForAnyValue:NumericGreaterThan", "10", ["1", "20"], True),
    ("ForAllValues:NumericGreaterThan", "10", ["1", "20"], False),
    ("ForAnyValue:IpAddress", "10.0.0.0/8", ["192.0.2.1", "10.1.2.3"], True),
    (
        "ForAllValues:ArnLike",
        "arn:aws:iam::*:role/*",
        ["arn:aws:iam::1:role/a", "arn:aws:iam::2:role/b"],
        True,
    ),
    ("ForAllValues:StringEqualsIfExists", ["a"], ABSENT, True),
    ("ForAnyValue:StringEqualsIfExists", ["a"], ABSENT, True),
]


@pytest.mark.parametrize(("operator", "values", "value", "expected"), SET_CASES)
def test_set_operators(operator, values, value, expected):
    context = {} if value is ABSENT else {"aws:TagKeys": value}
    assert condition_allows(operator, "aws:TagKeys", values, context) is expected


def test_multivalued_request_value_without_set_operator_matches_any_value():
    assert condition_allows("StringEquals", "aws:TagKeys", "a", {"aws:TagKeys": ["x", "a"]})
    assert not condition_allows("StringEquals", "aws:TagKeys", "a", {"aws:TagKeys": ["x", "y"]})
    assert not condition_allows("StringNotEquals", "aws:TagKeys", "a", {"aws:TagKeys": ["x", "a"]})
    assert condition_allows("StringNotEquals", "aws:TagKeys", "a", {"aws:TagKeys": ["x", "y"]})


# ------------------------------------------------------------------- combinations


def test_keys_in_one_block_and_blocks_are_anded():
    p = policy(
        stmt(
            Condition={
                "StringEquals": {"aws:username": "kim", "aws:PrincipalTag/team": "a"},
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            }
        )
    )
    ok = {"aws:username": "kim", "aws:PrincipalTag/team": "a", "aws:SourceIp": "10.1.1.1"}
    assert decide(p, "s3:GetObject", "*", ok).allowed
    for key, bad in (("aws:username", "lee"), ("aws:PrincipalTag/team", "b"), ("aws:SourceIp", "192.0.2.1")):
        assert not decide(p, "s3:GetObject", "*", {**ok, key: bad}).allowed


def test_condition_keys_are_case_insensitive_values_follow_the_operator():
    assert condition_allows("StringEquals", "AWS:SourceIP", "x", {"aws:SourceIp": "x"})
    assert condition_allows("StringEquals", "aws:sourceip", "x", {"AWS:SOURCEIP": "x"})
    assert not condition_allows("StringEquals", "aws:username", "johndoe", {"aws:username": "JohnDoe"})
    assert condition_allows("StringEqualsIgnoreCase", "aws:username", "johndoe", {"AWS:UserName": "JohnDoe"})


def test_empty_condition_block_has_no_effect():
    assert decide(policy(stmt(Condition={})), "s3:GetObject").allowed
    assert decide(policy(stmt(Condition={"StringEquals": {}})), "s3:GetObject").allowed


def test_deny_with_condition_applies_only_when_it_holds():
    # UG example: deny S3 unless SecureTransport
    p = policy(
        stmt(),
        stmt(
            effect="Deny",
            action="s3:*",
            resource=["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],
            Condition={"Bool": {"aws:SecureTransport": "false"}},
        ),
    )
    res = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k"
    assert decide(p, "s3:GetObject", res, {"aws:SecureTransport": "false"}).decision == "explicitDeny"
    assert decide(p, "s3:GetObject", res, {"aws:SecureTransport": True}).decision == "allowed"
    assert decide(p, "s3:GetObject", res, {}).decision == "allowed"  # absent: the Deny does not apply


def test_missing_context_values_are_reported():
    p = policy(
        stmt(
            Condition={
                "DateGreaterThan": {"aws:CurrentTime": "2018-08-16T12:00:00Z"},
                "StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"},
                "Null": {"aws:TokenIssueTime": "true"},
            }
        )
    )
    d = decide(p, "ec2:RunInstances", derive_time=False)
    assert not d.allowed
    assert d.missing_context_values == ["aws:CurrentTime"]
    d = decide(p, "ec2:RunInstances", "*", {"aws:CurrentTime": "2020-01-01T00:00:00Z"})
    assert d.allowed
    assert d.missing_context_values == ["ec2:InstanceType"]


def test_current_time_and_epoch_time_are_always_present():
    from datetime import UTC, datetime

    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    p = policy(stmt(Condition={"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}))
    assert decide(p, "s3:GetObject", now=when).allowed
    assert not decide(p, "s3:GetObject", now=datetime(2023, 5, 1, tzinfo=UTC)).allowed
    assert decide(p, "s3:GetObject").allowed  # the real clock
    p = policy(stmt(Condition={"DateLessThan": {"aws:EpochTime": "1714564801"}}))
    assert decide(p, "s3:GetObject", now=when).allowed
    assert not decide(p, "s3:GetObject", now=datetime(2024, 5, 1, 12, 0, 2, tzinfo=UTC)).allowed
    # a supplied value wins; without derivation the key is missing
    assert not decide(p, "s3:GetObject", "*", {"aws:EpochTime": "1800000000"}, now=when).allowed
    d = decide(p, "s3:GetObject", derive_time=False)
    assert d.missing_context_values == ["aws:EpochTime"]


def test_context_value_types():
    # numbers, booleans and lists as the gate passes them
    assert condition_allows("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": 5})
    assert condition_allows("StringEquals", "custom:n", "5", {"custom:n": 5})
    assert condition_allows(
        "Bool", "aws:MultiFactorAuthPresent", "true", {"aws:MultiFactorAuthPresent": True}
    )
    assert condition_allows("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], {"aws:TagKeys": ("a",)})
    assert condition_allows("DateLessThan", "aws:CurrentTime", "2030-01-01", {"aws:CurrentTime": 1700000000})


# --------------------------------------------------------------------- internals


def test_parse_operator():
    spec = parse_operator("ForAnyValue:StringNotLikeIfExists")
    assert (spec.base, spec.family, spec.negated, spec.set_mode, spec.if_exists) == (
        "StringNotLike",
        "like",
        True,
        1,
        True,
    )
    assert parse_operator("NullIfExists") is None
    assert parse_operator("StringEqualsIgnoreCaseIfExists").base == "StringEqualsIgnoreCase"
    assert parse_operator("stringequals") is None


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2020-01-01T00:00:00Z", 1577836800.0),
        ("2020-01-01", 1577836800.0),
        ("2020-01", 1577836800.0),
        ("2020", 2020.0),  # all digits: epoch seconds
        ("2020-01-01T01:00+01:00", 1577836800.0),
        ("2020-01-01T00:00:00.5Z", 1577836800.5),
        ("2020-01-01T00:00:00-0130", 1577842200.0),
        ("1577836800", 1577836800.0),
        ("2020-02-30", None),
        ("2020-01-01T25:00:00Z", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_date(text, epoch):
    assert parse_date(text) == epoch

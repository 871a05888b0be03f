"""Policy variables (UG reference_policies_variables)."""

import pytest

from accounts.policy.variables import LIT, VAR, parse_template
from tests.unit.policy.helpers import ACCOUNT, condition_allows, decide, policy, stmt

KIM = f"arn:aws:iam::{ACCOUNT}:user/kim"
LEE = f"arn:aws:iam::{ACCOUNT}:user/lee"


def own_keys(version="2012-10-17"):
    return policy(
        stmt(action="iam:*AccessKey*", resource=f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"),
        version=version,
    )


def test_username_variable_in_resource():
    p = own_keys()
    assert decide(p, "iam:CreateAccessKey", KIM, {"aws:username": "kim"}).allowed
    assert not decide(p, "iam:CreateAccessKey", LEE, {"aws:username": "kim"}).allowed


def test_username_is_derived_from_an_iam_user_arn():
    p = own_keys()
    assert decide(p, "iam:CreateAccessKey", KIM, principal=KIM).allowed
    assert not decide(p, "iam:CreateAccessKey", LEE, principal=KIM).allowed
    # derived keys can be switched off (the simulator without a caller)
    assert not decide(p, "iam:CreateAccessKey", KIM, principal=KIM, derive_keys=False).allowed


def test_variables_are_literal_in_2008_and_without_version():
    for version in ("2008-10-17", None):
        p = own_keys(version)
        assert not decide(p, "iam:CreateAccessKey", KIM, {"aws:username": "kim"}).allowed
        literal = f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"
        assert decide(p, "iam:CreateAccessKey", literal, {"aws:username": "kim"}).allowed


def test_absent_variable_without_default_matches_nothing_and_is_reported():
    p = policy(stmt(action="s3:*", resource="arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"))
    d = decide(
        p, "s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/k", principal="arn:aws:sts::1:x"
    )
    assert not d.allowed
    assert d.missing_context_values == ["aws:PrincipalTag/team"]
    assert decide(p, "s3:GetObject", "arn:aws:s3:::bucket/red/k", {"aws:PrincipalTag/team": "red"}).allowed


def test_default_values():
    p = policy(stmt(action="s3:*", resource="arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*"))
    assert decide(p, "s3:GetObject", "arn:aws:s3:::bucket/company-wide/k").allowed
    assert decide(p, "s3:GetObject", "arn:aws:s3:::bucket/red/k", {"aws:PrincipalTag/team": "red"}).allowed
    assert not decide(
        p, "s3:GetObject", "arn:aws:s3:::bucket/company-wide/k", {"aws:PrincipalTag/team": "red"}
    ).allowed
    quoted = policy(stmt(action="s3:*", resource="arn:aws:s3:::b/${aws:userid, 'it''s'}"))
    assert decide(quoted, "s3:GetObject", "arn:aws:s3:::b/it's").allowed


def test_special_character_variables_are_literal():
    p = policy(stmt(action="s3:*", resource="arn:aws:s3:::bucket/${*}${?}${$}/*"))
    assert decide(p, "s3:GetObject", "arn:aws:s3:::bucket/*?$/k").allowed
    assert not decide(p, "s3:GetObject", "arn:aws:s3:::bucket/abc/k").allowed  # ${*} is no wildcard
    assert not decide(p, "s3:GetObject", "arn:aws:s3:::bucket/a?$/k").allowed


def test_substituted_values_never_act_as_wildcards():
    p = own_keys()
    assert not decide(p, "iam:CreateAccessKey", KIM, {"aws:username": "*"}).allowed
    assert not decide(p, "iam:CreateAccessKey", KIM, {"aws:username": "?im"}).allowed
    assert decide(p, "iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/*", {"aws:username": "*"}).allowed


def test_variables_mix_with_wildcards():
    p = policy(stmt(action="s3:*", resource="arn:aws:s3:::corp-home/home/${aws:username}/*"))
    assert decide(
        p, "s3:PutObject", "arn:aws:s3:::corp-home/home/kim/a/b.txt", {"aws:username": "kim"}
    ).allowed
    assert not decide(
        p, "s3:PutObject", "arn:aws:s3:::corp-home/home/kimberly/x", {"aws:username": "kim"}
    ).allowed
    # IAMUserChangePassword's second resource: any path before the name
    p = policy(stmt(action="iam:ChangePassword", resource="arn:aws:iam::*:user/*/${aws:username}"))
    assert decide(
        p, "iam:ChangePassword", f"arn:aws:iam::{ACCOUNT}:user/eng/kim", {"aws:username": "kim"}
    ).allowed


def test_variable_lookup_is_case_insensitive_and_single_valued():
    p = own_keys()
    assert decide(p, "iam:CreateAccessKey", KIM, {"AWS:USERNAME": "kim"}).allowed
    assert decide(p, "iam:CreateAccessKey", KIM, {"aws:username": ["kim"]}).allowed
    d = decide(p, "iam:CreateAccessKey", KIM, {"aws:username": ["kim", "lee"]}, derive_keys=False)
    assert not d.allowed  # a multivalued key cannot be a variable


def test_variables_before_the_fifth_colon_are_literal():
    p = policy(stmt(action="s3:*", resource="arn:aws:s3:::${aws:username}"))  # after 5th colon: fine
    assert decide(p, "s3:ListBucket", "arn:aws:s3:::kim", {"aws:username": "kim"}).allowed
    p = policy(stmt(action="sqs:*", resource="arn:aws:sqs:${aws:RequestedRegion}:123456789012:q"))
    assert not decide(
        p, "sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:q", {"aws:RequestedRegion": "eu-west-1"}
    ).allowed


def test_not_resource_with_unresolvable_variable_does_not_apply():
    p = policy(
        stmt(),
        {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::home/${aws:username}/*"},
    )
    assert decide(p, "s3:GetObject", "arn:aws:s3:::home/kim/x", {"aws:username": "kim"}).allowed
    assert (
        decide(p, "s3:GetObject", "arn:aws:s3:::home/lee/x", {"aws:username": "kim"}).decision
        == "explicitDeny"
    )
    d = decide(p, "s3:GetObject", "arn:aws:s3:::home/lee/x", principal="arn:aws:sts::1:assumed-role/r/s")
    assert d.allowed  # the Deny cannot be evaluated without aws:username: it does not apply


# ----------------------------------------------------------------- in conditions


@pytest.mark.parametrize(
    ("operator", "values", "context", "expected"),
    [
        ("StringEquals", "${aws:username}", {"aws:username": "kim", "custom:owner": "kim"}, True),
        ("StringEquals", "${aws:username}", {"aws:username": "kim", "custom:owner": "lee"}, False),
        ("StringLike", "home/${aws:username}/*", {"aws:username": "kim", "custom:owner": "home/kim/x"}, True),
        ("StringLike", "home/${aws:username}/*", {"aws:username": "k*", "custom:owner": "home/kim/x"}, False),
        ("StringNotEquals", "${aws:username}", {"aws:username": "kim", "custom:owner": "lee"}, True),
        ("StringEqualsIgnoreCase", "${aws:username}", {"aws:username": "KIM", "custom:owner": "kim"}, True),
        ("StringEquals", "${aws:PrincipalTag/team, 'none'}", {"custom:owner": "none"}, True),
        ("StringEquals", ["${aws:PrincipalTag/team}", "fallback"], {"custom:owner": "fallback"}, True),
        ("StringEquals", "${aws:PrincipalTag/team}", {"custom:owner": "x"}, False),
        (
            "StringNotEquals",
            "${aws:PrincipalTag/team}",
            {"custom:owner": "x"},
            False,
        ),  # unresolvable: no match
        (
            "ArnLike",
            "arn:aws:iam::*:user/${aws:username}",
            {"aws:username": "kim", "custom:owner": KIM},
            True,
        ),
        (
            "ArnEquals",
            "arn:aws:iam::*:user/${aws:username}",
            {"aws:username": "kim", "custom:owner": LEE},
            False,
        ),
        ("Bool", "${custom:flag}", {"custom:flag": "true", "custom:owner": "true"}, True),
        ("StringEquals", "${*}", {"custom:owner": "*"}, True),
        ("StringLike", "${*}", {"custom:owner": "anything"}, False),
        ("NumericEquals", "${custom:n}", {"custom:n": "5", "custom:owner": "5"}, False),  # not substituted
    ],
)
def test_variables_in_condition_values(operator, values, context, expected):
    assert condition_allows(operator, "custom:owner", values, context) is expected


def test_condition_variables_literal_in_2008():
    ctx = {"aws:username": "kim", "custom:owner": "${aws:username}"}
    assert condition_allows("StringEquals", "custom:owner", "${aws:username}", ctx, version="2008-10-17")
    assert not condition_allows("StringEquals", "custom:owner", "${aws:username}", ctx)


def test_condition_variable_cache_tracks_values():
    p = policy(stmt(Condition={"StringEquals": {"custom:owner": "${aws:username}"}}))
    for name in ("a", "b", "c", "a"):
        assert decide(p, "s3:GetObject", "*", {"aws:username": name, "custom:owner": name}).allowed
        assert not decide(p, "s3:GetObject", "*", {"aws:username": name, "custom:owner": name + "x"}).allowed


# ------------------------------------------------------------------ template parser


def test_parse_template():
    assert parse_template("no variables") is None
    assert parse_template("${unterminated") is None
    assert parse_template("${bad key}") is None
    assert parse_template("${key, unquoted}") is None
    tokens = parse_template("a/${ aws:username }/${*}/${k, 'd'}")
    kinds = [kind for kind, _payload in tokens]
    assert kinds == ["glob", VAR, "glob", LIT, "glob", VAR]
    assert tokens[1][1].key == "aws:username"
    assert tokens[5][1].default == "d"

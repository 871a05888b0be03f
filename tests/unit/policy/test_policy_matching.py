"""Action and ARN matching: wildcards, case rules, ARN segments, NotAction/NotResource."""

import pytest

from accounts.policy.patterns import ActionPattern, ArnSet, GlobSet, compile_arn
from tests.unit.policy.helpers import decide, policy, stmt

ACTION_CASES = [
    # (pattern, action, matches)
    ("*", "iam:CreateUser", True),
    ("iam:*", "iam:CreateUser", True),
    ("iam:*", "iamx:CreateUser", False),
    ("iam:List*", "iam:ListUsers", True),
    ("iam:List*", "iam:GetUser", False),
    ("iam:list*", "IAM:LISTUSERS", True),  # actions are case-insensitive
    ("IAM:ListUsers", "iam:listusers", True),
    ("iam:*User", "iam:CreateUser", True),
    ("iam:*User", "iam:CreateUsers", False),
    ("iam:*AccessKey*", "iam:UpdateAccessKeyStatus", True),
    ("iam:Get?ser", "iam:GetUser", True),
    ("iam:Get?ser", "iam:GetUUser", False),
    ("iam:Get?ser", "iam:Getser", False),
    ("s3:Get*", "s3-object-lambda:GetObject", False),
    ("*:Get*", "s3-object-lambda:GetObject", True),
    ("*:Describe*", "ec2:DescribeInstances", True),
    ("iam:CreateUser", "iam:CreateUser2", False),
    ("iam:Get*", "iam:Get", True),  # * matches nothing too
]


@pytest.mark.parametrize(("pattern", "action", "expected"), ACTION_CASES)
def test_action_patterns(pattern, action, expected):
    assert ActionPattern(pattern).matches(action.lower()) is expected
    assert decide(stmt(action=pattern), action).allowed is expected


ARN_CASES = [
    # (pattern, resource, matches)
    ("*", "arn:aws:iam::123456789012:user/kim", True),
    ("*", "*", True),
    ("arn:aws:iam::123456789012:user/kim", "arn:aws:iam::123456789012:user/kim", True),
    ("arn:aws:iam::123456789012:user/Kim", "arn:aws:iam::123456789012:user/kim", False),  # case-sensitive
    ("arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/kim", True),
    ("arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/division/team/kim", True),
    ("arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/kim", False),
    ("arn:aws:iam::*:user/kim", "arn:aws:iam::210987654321:user/kim", True),
    ("arn:aws:iam::*:user/kim", "arn:aws:iam::210987654321:role/kim", False),
    ("arn:aws:iam::123456789012:user/?im", "arn:aws:iam::123456789012:user/kim", True),
    ("arn:aws:iam::123456789012:user/?im", "arn:aws:iam::123456789012:user/kkim", False),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c.txt", True),  # * crosses / and : after 5th colon
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a", False),
    ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket-logs", True),
    ("arn:aws:s3:::*log*", "arn:aws:s3:::carlossalazar-logs", True),
    ("arn:aws:s3:::*log*", "arn:aws:s3:::carlossalazar", False),
    ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1", True),
    ("arn:aws:ec2:us-east-?:*:instance/*", "arn:aws:ec2:us-east-2:123456789012:instance/i-1", True),
    ("arn:aws:ec2:us-east-?:*:instance/*", "arn:aws:ec2:us-west-2:123456789012:instance/i-1", False),
    # the UG's ArnLike example: the first * matches only "us-east-2", not across colons
    (
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        False,
    ),
    (
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:111122223333:finance/a",
        True,
    ),
    # a trailing * ending a short pattern expands past the colons
    ("arn:aws:ec2:*", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1", True),
    ("arn:aws:*", "arn:aws:iam::123456789012:user/kim", True),
    ("arn:aws:ec2:eu-*", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1", True),
    ("arn:aws:ec2:eu-*", "arn:aws:ec2:us-west-1:123456789012:instance/i-1", False),
    # ? never matches a colon inside the first five segments
    ("arn:aws:sqs:a?b:123456789012:q", "arn:aws:sqs:a:b:123456789012:q", False),
    ("arn:aws:sqs:a?b:123456789012:q", "arn:aws:sqs:a-b:123456789012:q", True),
    (
        "arn:aws:logs:*:*:log-group:app:*",
        "arn:aws:logs:eu-west-1:123456789012:log-group:app:log-stream:x",
        True,
    ),
    (
        "arn:aws:logs:*:*:log-group:app",
        "arn:aws:logs:eu-west-1:123456789012:log-group:app:log-stream:x",
        False,
    ),
    ("arn:aws:s3:::bucket", "*", False),  # the simulator's "*" resource is not an ARN
]


@pytest.mark.parametrize(("pattern", "resource", "expected"), ARN_CASES)
def test_arn_patterns(pattern, resource, expected):
    assert compile_arn(pattern)(resource) is expected
    assert ArnSet([pattern]).matches(resource) is expected
    assert decide(stmt(action="s3:GetObject", resource=pattern), "s3:GetObject", resource).allowed is expected


def test_arn_set_combines_literals_prefixes_and_patterns():
    arns = ArnSet(["arn:aws:s3:::a", "arn:aws:s3:::b/*", "arn:aws:s3:::c?/x*y"])
    assert arns.matches("arn:aws:s3:::a")
    assert arns.matches("arn:aws:s3:::b/deep/key")
    assert arns.matches("arn:aws:s3:::c1/x-and-y")
    assert not arns.matches("arn:aws:s3:::c1/x-and-z")
    assert not arns.matches(None)
    assert ArnSet(["*"]).matches(None)


def test_glob_set_is_case_sensitive_and_whole_string():
    globs = GlobSet(["home/*", "t?.micro", "exact"])
    assert globs.matches("home/kim/notes")
    assert globs.matches("t3.micro")
    assert not globs.matches("t3.MICRO")
    assert not globs.matches("my-home/kim")
    assert globs.matches("exact")
    assert not globs.matches("exactly")
    assert GlobSet(["*"]).matches("")


def test_resource_none_only_matches_star():
    assert decide(stmt(), "iam:ListUsers", None).allowed
    assert not decide(stmt(resource="arn:aws:iam::*:user/*"), "iam:ListUsers", None).allowed


def test_multiple_actions_and_resources_are_or():
    p = policy(
        stmt(action=["s3:GetObject", "s3:PutObject"], resource=["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"])
    )
    assert decide(p, "s3:PutObject", "arn:aws:s3:::b/k").allowed
    assert decide(p, "s3:GetObject", "arn:aws:s3:::a/k").allowed
    assert not decide(p, "s3:DeleteObject", "arn:aws:s3:::a/k").allowed
    assert not decide(p, "s3:GetObject", "arn:aws:s3:::c/k").allowed


def test_not_action():
    # PowerUserAccess-style: everything except IAM and Organizations
    p = policy({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    assert decide(p, "s3:CreateBucket", "arn:aws:s3:::x").allowed
    assert decide(p, "ec2:RunInstances").allowed
    assert not decide(p, "iam:CreateUser").allowed
    assert not decide(p, "IAM:createuser").allowed
    assert not decide(p, "organizations:ListAccounts").allowed


def test_not_action_deny():
    p = policy(stmt(), {"Effect": "Deny", "NotAction": "s3:Get*", "Resource": "*"})
    assert decide(p, "s3:GetObject").allowed
    d = decide(p, "s3:PutObject")
    assert d.decision == "explicitDeny"


def test_not_resource():
    p = policy(
        {"Effect": "Allow", "Action": "s3:*", "NotResource": ["arn:aws:s3:::secret", "arn:aws:s3:::secret/*"]}
    )
    assert decide(p, "s3:GetObject", "arn:aws:s3:::public/k").allowed
    assert not decide(p, "s3:GetObject", "arn:aws:s3:::secret/k").allowed
    assert not decide(p, "s3:ListBucket", "arn:aws:s3:::secret").allowed
    assert decide(p, "s3:ListAllMyBuckets", None).allowed


def test_not_resource_deny_guards_everything_else():
    p = policy(
        stmt(),
        {"Effect": "Deny", "Action": "iam:*", "NotResource": "arn:aws:iam::123456789012:user/sandbox/*"},
    )
    assert decide(p, "iam:DeleteUser", "arn:aws:iam::123456789012:user/sandbox/t1").allowed
    assert decide(p, "iam:DeleteUser", "arn:aws:iam::123456789012:user/kim").decision == "explicitDeny"
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/k").allowed


def test_specialised_arn_matchers_agree_with_the_general_one():
    samples = [None, "*", "arn:aws:s3:::a", "arn:aws:s3:::a/k", "arn:aws:s3:::b", "arn:aws:s3:::c1/x-y", "x"]
    for patterns in (
        [],
        ["*"],
        ["arn:aws:s3:::a", "arn:aws:s3:::b"],
        ["arn:aws:s3:::a/*"],
        ["arn:aws:s3:::c?/x*y"],
        ["arn:aws:s3:::a", "arn:aws:s3:::a/*", "arn:aws:s3:::c?/x*y"],
    ):
        arns = ArnSet(patterns)
        fast = arns.matcher()
        for value in samples:
            assert fast(value) is arns.matches(value), (patterns, value)

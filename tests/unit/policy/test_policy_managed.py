"""AWS managed policies (documents copied from AWS's published versions) parsed and decided."""

import json

import pytest

from accounts.policy import PolicySet, RequestContext, evaluate, parse_policy
from tests.unit.policy.helpers import ACCOUNT, USER

ADMINISTRATOR_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}

IAM_READ_ONLY_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:GenerateCredentialReport",
                "iam:GenerateServiceLastAccessedDetails",
                "iam:Get*",
                "iam:List*",
                "iam:SimulateCustomPolicy",
                "iam:SimulatePrincipalPolicy",
            ],
            "Resource": "*",
        }
    ],
}

IAM_USER_CHANGE_PASSWORD = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["iam:ChangePassword"],
            "Resource": ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"],
        },
        {"Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy"], "Resource": "*"},
    ],
}

AMAZON_S3_READ_ONLY_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:Get*",
                "s3:List*",
                "s3:Describe*",
                "s3-object-lambda:Get*",
                "s3-object-lambda:List*",
            ],
            "Resource": "*",
        }
    ],
}

AMAZON_EC2_FULL_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Action": "ec2:*", "Effect": "Allow", "Resource": "*"},
        {"Action": "elasticloadbalancing:*", "Effect": "Allow", "Resource": "*"},
        {"Action": "cloudwatch:*", "Effect": "Allow", "Resource": "*"},
        {"Action": "autoscaling:*", "Effect": "Allow", "Resource": "*"},
        {
            "Action": "iam:CreateServiceLinkedRole",
            "Effect": "Allow",
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "iam:AWSServiceName": [
                        "autoscaling.amazonaws.com",
                        "ec2scheduled.amazonaws.com",
                        "elasticloadbalancing.amazonaws.com",
                        "spot.amazonaws.com",
                        "spotfleet.amazonaws.com",
                        "transitgateway.amazonaws.com",
                    ]
                }
            },
        },
    ],
}

POWER_USER_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": [
                "account:GetAccountInformation",
                "account:GetGovCloudAccountInformation",
                "account:GetPrimaryEmail",
                "account:ListRegions",
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeEffectivePolicy",
                "organizations:DescribeOrganization",
            ],
            "Resource": "*",
        },
    ],
}

MANAGED = {
    "AdministratorAccess": ADMINISTRATOR_ACCESS,
    "IAMReadOnlyAccess": IAM_READ_ONLY_ACCESS,
    "IAMUserChangePassword": IAM_USER_CHANGE_PASSWORD,
    "AmazonS3ReadOnlyAccess": AMAZON_S3_READ_ONLY_ACCESS,
    "AmazonEC2FullAccess": AMAZON_EC2_FULL_ACCESS,
    "PowerUserAccess": POWER_USER_ACCESS,
}

KIM = f"arn:aws:iam::{ACCOUNT}:user/kim"
LEE = f"arn:aws:iam::{ACCOUNT}:user/lee"


def managed(name):
    # as CreatePolicy would see them: pretty-printed text, Version required
    return parse_policy(json.dumps(MANAGED[name], indent=4), policy_id=name, strict_version=True)


def decide(name, action, resource="*", context=None, principal=USER):
    return evaluate(
        RequestContext(action, resource, principal, context or {}), PolicySet(identity=[managed(name)])
    )


@pytest.mark.parametrize("name", MANAGED)
def test_managed_policies_parse(name):
    p = managed(name)
    assert p.policy_id == name
    assert p.version == "2012-10-17"
    assert len(p.statements) == len(MANAGED[name]["Statement"])


@pytest.mark.parametrize(
    ("name", "action", "resource", "context", "expected"),
    [
        ("AdministratorAccess", "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/lee", None, "allowed"),
        ("AdministratorAccess", "organizations:LeaveOrganization", None, None, "allowed"),
        ("IAMReadOnlyAccess", "iam:GetUser", LEE, None, "allowed"),
        ("IAMReadOnlyAccess", "iam:ListAttachedUserPolicies", LEE, None, "allowed"),
        ("IAMReadOnlyAccess", "iam:GenerateCredentialReport", "*", None, "allowed"),
        ("IAMReadOnlyAccess", "iam:CreateUser", LEE, None, "implicitDeny"),
        ("IAMReadOnlyAccess", "iam:DeleteAccessKey", LEE, None, "implicitDeny"),
        ("IAMReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k", None, "implicitDeny"),
        ("IAMUserChangePassword", "iam:ChangePassword", KIM, {"aws:username": "kim"}, "allowed"),
        (
            "IAMUserChangePassword",
            "iam:ChangePassword",
            f"arn:aws:iam::{ACCOUNT}:user/eng/kim",
            {"aws:username": "kim"},
            "allowed",
        ),
        ("IAMUserChangePassword", "iam:ChangePassword", LEE, {"aws:username": "kim"}, "implicitDeny"),
        (
            "IAMUserChangePassword",
            "iam:ChangePassword",
            f"arn:aws:iam::{ACCOUNT}:user/eng/lee",
            {"aws:username": "kim"},
            "implicitDeny",
        ),
        ("IAMUserChangePassword", "iam:GetAccountPasswordPolicy", "*", None, "allowed"),
        ("IAMUserChangePassword", "iam:UpdateAccountPasswordPolicy", "*", None, "implicitDeny"),
        ("AmazonS3ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k", None, "allowed"),
        ("AmazonS3ReadOnlyAccess", "s3:ListAllMyBuckets", "*", None, "allowed"),
        ("AmazonS3ReadOnlyAccess", "s3-object-lambda:GetObject", "*", None, "allowed"),
        ("AmazonS3ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::b/k", None, "implicitDeny"),
        ("AmazonS3ReadOnlyAccess", "s3-object-lambda:WriteGetObjectResponse", "*", None, "implicitDeny"),
        ("AmazonEC2FullAccess", "ec2:RunInstances", "*", None, "allowed"),
        ("AmazonEC2FullAccess", "cloudwatch:PutMetricAlarm", "*", None, "allowed"),
        (
            "AmazonEC2FullAccess",
            "iam:CreateServiceLinkedRole",
            "*",
            {"iam:AWSServiceName": "spot.amazonaws.com"},
            "allowed",
        ),
        (
            "AmazonEC2FullAccess",
            "iam:CreateServiceLinkedRole",
            "*",
            {"iam:AWSServiceName": "rds.amazonaws.com"},
            "implicitDeny",
        ),
        ("AmazonEC2FullAccess", "iam:CreateServiceLinkedRole", "*", None, "implicitDeny"),
        ("AmazonEC2FullAccess", "iam:CreateRole", "*", None, "implicitDeny"),
        ("PowerUserAccess", "s3:CreateBucket", "arn:aws:s3:::b", None, "allowed"),
        ("PowerUserAccess", "lambda:CreateFunction", "*", None, "allowed"),
        ("PowerUserAccess", "iam:CreateUser", LEE, None, "implicitDeny"),
        ("PowerUserAccess", "iam:ListRoles", "*", None, "allowed"),
        ("PowerUserAccess", "iam:ListUsers", "*", None, "implicitDeny"),
        ("PowerUserAccess", "organizations:DescribeOrganization", "*", None, "allowed"),
        ("PowerUserAccess", "organizations:LeaveOrganization", "*", None, "implicitDeny"),
        ("PowerUserAccess", "account:PutAlternateContact", "*", None, "implicitDeny"),
    ],
)
def test_managed_policy_decisions(name, action, resource, context, expected):
    assert decide(name, action, resource, context).decision == expected


def test_iam_user_change_password_uses_the_callers_own_name():
    # without an explicit context the user name comes from the caller's ARN
    assert decide("IAMUserChangePassword", "iam:ChangePassword", KIM, principal=KIM).allowed
    assert not decide("IAMUserChangePassword", "iam:ChangePassword", LEE, principal=KIM).allowed
    assert decide(
        "IAMUserChangePassword",
        "iam:ChangePassword",
        f"arn:aws:iam::{ACCOUNT}:user/ops/lee",
        principal=f"arn:aws:iam::{ACCOUNT}:user/ops/lee",
    ).allowed


def test_power_user_matches_the_right_statement():
    d = decide("PowerUserAccess", "iam:ListRoles")
    assert [m.index for m in d.matched_statements] == [1]
    d = decide("PowerUserAccess", "s3:GetObject")
    assert [m.index for m in d.matched_statements] == [0]


def test_combined_managed_policies_with_a_deny():
    deny_delete = parse_policy(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Sid": "NoDeletes", "Effect": "Deny", "Action": "*:Delete*", "Resource": "*"}],
            }
        ),
        policy_id="NoDeletes",
    )
    ps = PolicySet(identity=[managed("AdministratorAccess"), deny_delete])
    d = evaluate(RequestContext("s3:DeleteBucket", "arn:aws:s3:::b", USER), ps)
    assert d.decision == "explicitDeny"
    assert [(m.policy_id, m.sid) for m in d.matched_statements] == [("NoDeletes", "NoDeletes")]
    assert evaluate(RequestContext("s3:CreateBucket", "arn:aws:s3:::b", USER), ps).allowed

"""Benchmark of the policy engine (``accounts.policy``) against a naive reference.

    python benchmarks/policy_engine.py [--requests 10000] [--seed 7] [--pathological-repeats 1000]

Builds a realistic principal (an IAM user in three groups, ten managed policies plus user
and group inline policies, about a hundred statements with wildcards, conditions of several
operator families and policy variables) and a deterministic mix of requests (allowed,
explicitly denied, implicitly denied). Times every ``evaluate`` call with
``time.perf_counter_ns`` on one CPU and prints decisions per second, p50 and p99 for

* the engine, on policies parsed and compiled once (as the authorization gate caches them);
* a naive reference implemented here, which re-reads every statement and calls
  ``re.compile`` for every wildcard on every request (no precompiled matchers, no index).

Both must reach the same decision for every request; the mismatch count is printed and the
script exits non-zero if it is not 0.

Then the pathological patterns: a 1,000-character ARN (action, condition value) against
patterns of 100 wildcards (``*a`` 99 times then ``*c``, and other shapes), in the resource
segment, in the first five segments, in actions, StringLike/ArnLike conditions and next to a
policy variable. Each is decided ``--pathological-repeats`` times; p50, p99 and the worst
time (of the calmest round, see ``run_pathological``) are printed per case, then the worst of
all (target: 50 µs). The backtracking translation of wildcards the engine had before took tens
of seconds for sixteen wildcards against sixty characters; these cases would never finish.

``build_principal_policies()`` and ``build_requests(n)`` are reusable by the Django gate
benchmark.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import json
import os
import random
import re
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts.policy import PolicySet, RequestContext, evaluate, parse_policy  # noqa: E402

ACCOUNT = "123456789012"
USER_NAME = "kim"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/engineering/{USER_NAME}"
V = "2012-10-17"


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": V, "Statement": list(statements)}, indent=2)


def _managed_documents() -> list[tuple[str, str]]:
    docs: list[tuple[str, str]] = []
    docs.append(
        (
            "IAMReadOnlyAccess",
            _doc(
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
            ),
        )
    )
    docs.append(
        (
            "IAMUserChangePassword",
            _doc(
                {
                    "Effect": "Allow",
                    "Action": ["iam:ChangePassword"],
                    "Resource": [
                        "arn:aws:iam::*:user/${aws:username}",
                        "arn:aws:iam::*:user/*/${aws:username}",
                    ],
                },
                {"Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy"], "Resource": "*"},
            ),
        )
    )
    docs.append(
        (
            "AmazonS3ReadOnlyAccess",
            _doc(
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
            ),
        )
    )
    docs.append(
        (
            "AmazonEC2FullAccess",
            _doc(
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
            ),
        )
    )
    docs.append(
        (
            "DeveloperHomeS3",
            _doc(
                {
                    "Sid": "ListHome",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "arn:aws:s3:::corp-home",
                    "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}},
                },
                {
                    "Sid": "RwHome",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": "arn:aws:s3:::corp-home/home/${aws:username}/*",
                },
                {
                    "Sid": "DenyUnencryptedPut",
                    "Effect": "Deny",
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::corp-*/*",
                    "Condition": {
                        "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"]}
                    },
                },
                {
                    "Sid": "DenyInsecure",
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "Resource": ["arn:aws:s3:::corp-*", "arn:aws:s3:::corp-*/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "TeamBucket",
                    "Effect": "Allow",
                    "Action": ["s3:PutObject", "s3:DeleteObject"],
                    "Resource": "arn:aws:s3:::team-${aws:PrincipalTag/team, 'none'}-data/*",
                },
            ),
        )
    )
    docs.append(
        (
            "NetworkGuard",
            _doc(
                {
                    "Sid": "DenyOutsideCorp",
                    "Effect": "Deny",
                    "NotAction": [
                        "iam:ChangePassword",
                        "iam:GetAccountPasswordPolicy",
                        "sts:GetCallerIdentity",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "NotIpAddress": {
                            "aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24", "2001:db8::/32"]
                        },
                        "Bool": {"aws:ViaAWSService": "false"},
                    },
                },
                {
                    "Sid": "DenyRegions",
                    "Effect": "Deny",
                    "Action": ["ec2:*", "lambda:*", "dynamodb:*"],
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
                },
            ),
        )
    )
    docs.append(
        (
            "TimeBoxedAccess",
            _doc(
                {
                    "Sid": "ProjectWindow",
                    "Effect": "Allow",
                    "Action": ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStream"],
                    "Resource": f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/project-*",
                    "Condition": {
                        "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
                        "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                    },
                },
                {
                    "Sid": "FreshSessions",
                    "Effect": "Deny",
                    "Action": "kinesis:Delete*",
                    "Resource": "*",
                    "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}},
                },
            ),
        )
    )
    docs.append(
        (
            "TagBasedEC2",
            _doc(
                {
                    "Sid": "StartStopOwnTeam",
                    "Effect": "Allow",
                    "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
                    "Resource": f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
                    "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
                },
                {
                    "Sid": "TagOnlyKnownKeys",
                    "Effect": "Allow",
                    "Action": ["ec2:CreateTags"],
                    "Resource": f"arn:aws:ec2:*:{ACCOUNT}:*/*",
                    "Condition": {
                        "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "owner"]},
                        "Null": {"aws:TagKeys": "false"},
                    },
                },
                {
                    "Sid": "NoProdTags",
                    "Effect": "Deny",
                    "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
                    "Resource": "*",
                    "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": ["prod*", "aws:*"]}},
                },
                {
                    "Sid": "RunSmall",
                    "Effect": "Allow",
                    "Action": "ec2:RunInstances",
                    "Resource": "*",
                    "Condition": {"StringLikeIfExists": {"ec2:InstanceType": ["t3.*", "t4g.*"]}},
                },
            ),
        )
    )
    docs.append(
        (
            "DynamoFineGrained",
            _doc(
                {
                    "Sid": "ReadOwnItems",
                    "Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
                    "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/orders",
                    "Condition": {
                        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]},
                    },
                },
                {
                    "Sid": "LimitScan",
                    "Effect": "Allow",
                    "Action": "dynamodb:Scan",
                    "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/*",
                    "Condition": {"NumericLessThanEquals": {"dynamodb:Limit": "100"}},
                },
                {
                    "Sid": "NoSecretAttributes",
                    "Effect": "Deny",
                    "Action": "dynamodb:*",
                    "Resource": "*",
                    "Condition": {
                        "ForAnyValue:StringEquals": {"dynamodb:Attributes": ["ssn", "card_number"]}
                    },
                },
            ),
        )
    )
    # a catalogue of service grants, generated: many statements, mostly literal ARNs and prefixes
    services = [
        "lambda",
        "sqs",
        "sns",
        "logs",
        "ssm",
        "secretsmanager",
        "kms",
        "ecr",
        "glue",
        "athena",
        "states",
        "events",
        "cloudformation",
        "codecommit",
        "codepipeline",
        "elasticache",
        "es",
        "firehose",
    ]
    catalogue = []
    for i, svc in enumerate(services):
        catalogue.append(
            {
                "Sid": f"Read{svc.capitalize()}",
                "Effect": "Allow",
                "Action": [f"{svc}:Get*", f"{svc}:List*", f"{svc}:Describe*"],
                "Resource": f"arn:aws:{svc}:eu-west-1:{ACCOUNT}:*",
            }
        )
        catalogue.append(
            {
                "Sid": f"Write{svc.capitalize()}Team",
                "Effect": "Allow",
                "Action": [f"{svc}:Create*", f"{svc}:Update*", f"{svc}:Put*", f"{svc}:Tag*"],
                "Resource": [
                    f"arn:aws:{svc}:eu-west-1:{ACCOUNT}:*team-a-*",
                    f"arn:aws:{svc}:eu-central-1:{ACCOUNT}:*team-a-*",
                ],
                "Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": ["a", "platform"]}},
            }
        )
        catalogue.append(
            {
                "Sid": f"Deny{svc.capitalize()}Delete",
                "Effect": "Deny",
                "Action": f"{svc}:Delete*",
                "Resource": f"arn:aws:{svc}:*:{ACCOUNT}:*prod*",
            }
        )
        if i % 2 == 0:
            catalogue.append(
                {
                    "Sid": f"Invoke{i}",
                    "Effect": "Allow",
                    "Action": [f"{svc}:Invoke*", f"{svc}:Send*", f"{svc}:Publish", f"{svc}:Decrypt"],
                    "Resource": f"arn:aws:{svc}:eu-?????-1:{ACCOUNT}:*",
                    "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:*:*:{ACCOUNT}:*"}},
                }
            )
    docs.append(("ServiceCatalogue", _doc(*catalogue)))
    return docs


def _inline_documents() -> list[tuple[str, str]]:
    docs: list[tuple[str, str]] = []
    docs.append(
        (
            "user/kim/SelfService",
            _doc(
                {
                    "Sid": "OwnKeys",
                    "Effect": "Allow",
                    "Action": ["iam:*AccessKey*", "iam:*SSHPublicKey*", "iam:*MFADevice"],
                    "Resource": [
                        f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
                        f"arn:aws:iam::{ACCOUNT}:user/*/${{aws:username}}",
                    ],
                },
                {
                    "Sid": "OwnMfa",
                    "Effect": "Allow",
                    "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
                    "Resource": f"arn:aws:iam::{ACCOUNT}:mfa/${{aws:username}}",
                },
                {
                    "Sid": "NoUserAdmin",
                    "Effect": "Deny",
                    "Action": ["iam:CreateUser", "iam:DeleteUser", "iam:Attach*", "iam:Put*Policy"],
                    "NotResource": f"arn:aws:iam::{ACCOUNT}:user/sandbox/*",
                },
            ),
        )
    )
    groups = {
        "developers": [
            {
                "Sid": "SandboxUsers",
                "Effect": "Allow",
                "Action": ["iam:CreateUser", "iam:DeleteUser", "iam:TagUser", "iam:AttachUserPolicy"],
                "Resource": f"arn:aws:iam::{ACCOUNT}:user/sandbox/*",
                "Condition": {
                    "StringEquals": {"aws:RequestedRegion": "us-east-1"},
                    "ArnLike": {
                        "iam:PolicyARN": [
                            "arn:aws:iam::aws:policy/ReadOnlyAccess",
                            "arn:aws:iam::*:policy/sandbox/*",
                        ]
                    },
                },
            },
            {
                "Sid": "PassAppRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/app-*",
                "Condition": {
                    "StringEquals": {
                        "iam:PassedToService": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]
                    }
                },
            },
            {
                "Sid": "Codebuild",
                "Effect": "Allow",
                "Action": ["codebuild:StartBuild", "codebuild:BatchGet*", "codebuild:List*"],
                "Resource": f"arn:aws:codebuild:eu-west-1:{ACCOUNT}:project/*",
            },
        ],
        "oncall": [
            {
                "Sid": "Reboot",
                "Effect": "Allow",
                "Action": ["ec2:RebootInstances", "rds:RebootDBInstance"],
                "Resource": "*",
                "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/oncall": "true"}},
            },
            {
                "Sid": "Alarms",
                "Effect": "Allow",
                "Action": [
                    "cloudwatch:SetAlarmState",
                    "cloudwatch:DisableAlarmActions",
                    "cloudwatch:EnableAlarmActions",
                ],
                "Resource": f"arn:aws:cloudwatch:*:{ACCOUNT}:alarm:*",
            },
        ],
        "everyone": [
            {
                "Sid": "WhoAmI",
                "Effect": "Allow",
                "Action": ["sts:GetCallerIdentity", "iam:GetAccountSummary", "iam:ListAccountAliases"],
                "Resource": "*",
            },
            {
                "Sid": "DenyBilling",
                "Effect": "Deny",
                "Action": ["aws-portal:*", "billing:*", "budgets:Modify*"],
                "Resource": "*",
            },
            {
                "Sid": "DenyOrgChanges",
                "Effect": "Deny",
                "Action": "organizations:*",
                "Resource": "*",
                "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrgAdmin*"}},
            },
        ],
    }
    for group, statements in groups.items():
        docs.append((f"group/{group}/Inline", _doc(*statements)))
    return docs


def principal_documents() -> list[tuple[str, str]]:
    """``(policy_id, JSON text)`` of every identity policy of the benchmark principal."""
    return _managed_documents() + _inline_documents()


def build_principal_policies() -> PolicySet:
    """The benchmark principal's policies, parsed and compiled once."""
    return PolicySet(identity=[parse_policy(text, policy_id=pid) for pid, text in principal_documents()])


_ACTIONS_AND_RESOURCES = [
    ("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/lee"),
    ("iam:ListUsers", f"arn:aws:iam::{ACCOUNT}:user/"),
    ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/lee"),
    ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/sandbox/tmp1"),
    ("iam:ChangePassword", USER_ARN),
    ("iam:ChangePassword", f"arn:aws:iam::{ACCOUNT}:user/lee"),
    ("iam:CreateAccessKey", USER_ARN),
    ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/ops/lee"),
    ("iam:DeleteRole", f"arn:aws:iam::{ACCOUNT}:role/app-api"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-worker"),
    ("iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/sandbox/tmp2"),
    ("s3:GetObject", "arn:aws:s3:::corp-home/home/kim/notes.txt"),
    ("s3:PutObject", "arn:aws:s3:::corp-home/home/kim/notes.txt"),
    ("s3:PutObject", "arn:aws:s3:::corp-home/home/lee/notes.txt"),
    ("s3:DeleteObject", "arn:aws:s3:::team-a-data/report.csv"),
    ("s3:ListBucket", "arn:aws:s3:::corp-home"),
    ("s3:CreateBucket", "arn:aws:s3:::new-bucket"),
    ("ec2:DescribeInstances", "*"),
    ("ec2:StartInstances", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0abc"),
    ("ec2:RunInstances", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/*"),
    ("ec2:CreateTags", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:volume/vol-1"),
    ("ec2:TerminateInstances", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0abc"),
    ("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"),
    ("dynamodb:Scan", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"),
    ("dynamodb:PutItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"),
    ("kinesis:PutRecord", f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/project-x"),
    ("kinesis:DeleteStream", f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/project-x"),
    ("lambda:GetFunction", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:team-a-fn"),
    ("lambda:UpdateFunctionCode", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:team-a-fn"),
    ("lambda:InvokeFunction", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:team-b-fn"),
    ("lambda:DeleteFunction", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:prod-fn"),
    ("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs"),
    ("sqs:CreateQueue", f"arn:aws:sqs:eu-central-1:{ACCOUNT}:team-a-jobs"),
    ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db-AbCdEf"),
    ("kms:Decrypt", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234"),
    ("logs:PutLogEvents", f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:team-a-app:log-stream:x"),
    ("cloudwatch:SetAlarmState", f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:cpu-high"),
    ("codebuild:StartBuild", f"arn:aws:codebuild:eu-west-1:{ACCOUNT}:project/web"),
    ("organizations:ListAccounts", "*"),
    ("billing:GetBillingData", "*"),
    ("sts:GetCallerIdentity", "*"),
    ("rds:RebootDBInstance", f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders"),
    ("athena:StartQueryExecution", f"arn:aws:athena:eu-west-1:{ACCOUNT}:workgroup/primary"),
]


def build_request_specs(n: int, seed: int = 7) -> list[tuple[str, str, dict]]:
    """``n`` deterministic ``(action, resource, context)`` triples."""
    rng = random.Random(seed)
    specs = []
    for _ in range(n):
        action, resource = rng.choice(_ACTIONS_AND_RESOURCES)
        if rng.random() < 0.15:
            action = action.lower() if rng.random() < 0.5 else action.upper()
        context: dict[str, object] = {
            "aws:SourceIp": rng.choice(["203.0.113.10", "198.51.100.7", "192.0.2.55", "2001:db8::1"]),
            "aws:SecureTransport": rng.random() > 0.05,
            "aws:ViaAWSService": "false",
            "aws:RequestedRegion": rng.choice(["eu-west-1", "eu-west-1", "eu-central-1", "us-east-1"]),
            "aws:CurrentTime": rng.choice(["2025-06-01T10:00:00Z", "2031-01-01T00:00:00Z"]),
            "aws:username": USER_NAME,
        }
        if rng.random() < 0.8:
            context["aws:PrincipalTag/team"] = rng.choice(["a", "A", "b"])
        if action.lower().startswith("s3:put") and rng.random() < 0.7:
            context["s3:x-amz-server-side-encryption"] = rng.choice(["AES256", "aws:kms", "none"])
        if action.lower() == "s3:listbucket":
            context["s3:prefix"] = rng.choice(["", "home/", "home/kim/docs", "home/lee/"])
        if action.lower().startswith("ec2:"):
            context["aws:ResourceTag/team"] = rng.choice(["a", "b"])
            if rng.random() < 0.5:
                context["aws:TagKeys"] = rng.choice([["team"], ["team", "env"], ["prod-owner"], ["cost"]])
            if rng.random() < 0.5:
                context["ec2:InstanceType"] = rng.choice(["t3.micro", "m5.large"])
        if action.lower().startswith("dynamodb:"):
            context["dynamodb:LeadingKeys"] = rng.choice([["kim"], ["kim", "lee"]])
            context["dynamodb:Limit"] = rng.choice(["50", "500"])
            if rng.random() < 0.3:
                context["dynamodb:Attributes"] = rng.choice([["id", "ssn"], ["id", "total"]])
        if action.lower().startswith("kinesis:"):
            context["aws:MultiFactorAuthAge"] = rng.choice(["120", "7200"])
        if action.lower().startswith(("lambda:invoke", "sqs:send", "kms:")):
            context["aws:SourceArn"] = f"arn:aws:sns:eu-west-1:{ACCOUNT}:topic"
        if action.lower().startswith("iam:passrole"):
            context["iam:PassedToService"] = rng.choice(["lambda.amazonaws.com", "ec2.amazonaws.com"])
        if action.lower().startswith(("iam:attach", "iam:createuser")):
            context["iam:PolicyARN"] = rng.choice(
                ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"]
            )
        specs.append((action, resource, context))
    return specs


def build_requests(n: int, seed: int = 7) -> list[RequestContext]:
    """``n`` deterministic engine requests for the benchmark principal."""
    return [RequestContext(a, r, USER_ARN, c) for a, r, c in build_request_specs(n, seed)]


# ------------------------------------------------------------------- naive reference


class Naive:
    """A deliberately simple evaluator: no compiling, no caching, no index.

    Supports exactly what the benchmark policies use (identity policies only).
    """

    def __init__(self, documents: list[tuple[str, str]]):
        self.texts = [text for _pid, text in documents]

    def decide(self, action: str, resource: str, context: dict) -> str:
        ctx = {k.lower(): v for k, v in context.items()}
        allowed = False
        for text in self.texts:
            doc = json.loads(text)
            statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
            for st in statements:
                if not self.statement_matches(st, action, resource, ctx):
                    continue
                if st["Effect"] == "Deny":
                    return "explicitDeny"
                allowed = True
        return "allowed" if allowed else "implicitDeny"

    @staticmethod
    def listify(v):
        return v if isinstance(v, list) else [v]

    def statement_matches(self, st, action, resource, ctx) -> bool:
        if "Action" in st:
            if not any(self.glob(p.lower(), action.lower()) for p in self.listify(st["Action"])):
                return False
        elif any(self.glob(p.lower(), action.lower()) for p in self.listify(st["NotAction"])):
            return False
        key = "Resource" if "Resource" in st else "NotResource"
        hits = [self.arn_like(self.subst(p, ctx), resource) for p in self.listify(st[key])]
        if key == "Resource" and not any(h is True for h in hits):
            return False
        if key == "NotResource" and (any(h is True for h in hits) or any(h is None for h in hits)):
            return False
        for op, block in st.get("Condition", {}).items():
            for k, values in block.items():
                if not self.condition(op, ctx.get(k.lower()), self.listify(values), ctx):
                    return False
        return True

    @staticmethod
    def subst(pattern, ctx):
        """Substitute ${...}; None when a variable has no value. Literal parts are marked."""

        def var(m):
            inner = m.group(1)
            key, _, default = inner.partition(",")
            value = ctx.get(key.strip().lower())
            if value is None:
                if not default:
                    raise LookupError
                return "\x00" + default.strip().strip("'") + "\x01"
            return "\x00" + str(value) + "\x01"

        try:
            return re.sub(r"\$\{([^}]*)\}", var, pattern)
        except LookupError:
            return None

    @staticmethod
    def glob(pattern, value) -> bool:
        rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        return re.compile(rx, re.DOTALL).fullmatch(value) is not None

    @staticmethod
    def arn_like(pattern, value):
        if pattern is None:
            return None
        if pattern == "*":
            return True
        out, colons, literal = [], 0, False
        for c in pattern:
            if c == "\x00":
                literal = True
            elif c == "\x01":
                literal = False
            elif literal:
                out.append(re.escape(c))
            elif c == ":":
                colons += 1
                out.append(":")
            elif c == "*":
                out.append(".*" if colons >= 5 else "[^:]*")
            elif c == "?":
                out.append("." if colons >= 5 else "[^:]")
            else:
                out.append(re.escape(c))
        return re.compile("".join(out), re.DOTALL).fullmatch(value) is not None

    def condition(self, op, raw, values, ctx) -> bool:
        set_mode = ""
        if op.startswith(("ForAllValues:", "ForAnyValue:")):
            set_mode, op = op.split(":", 1)
        if_exists = op.endswith("IfExists")
        op = op.removesuffix("IfExists")
        absent = raw is None or raw == []
        if op == "Null":
            return (values[0] == "true") == absent
        if absent:
            if if_exists or set_mode == "ForAllValues":
                return True
            if set_mode == "ForAnyValue":
                return False
            return "Not" in op
        negated = "Not" in op
        base = op.replace("Not", "") if op != "NotIpAddress" else "IpAddress"
        resolved = []
        for v in values:
            s = self.subst(str(v), ctx)
            if s is not None:
                resolved.append(s.replace("\x00", "").replace("\x01", ""))
        if not resolved:
            return False
        req = raw if isinstance(raw, list) else [raw]

        def one(x) -> bool:
            x = ("true" if x else "false") if isinstance(x, bool) else str(x)
            for p in resolved:
                if base == "StringEquals" and x == p:
                    return True
                if base == "StringEqualsIgnoreCase" and x.lower() == p.lower():
                    return True
                if base == "StringLike" and self.glob(p, x):
                    return True
                if base == "Bool" and x.lower() == p.lower():
                    return True
                if base == "ArnLike" and self.arn_like(p, x):
                    return True
                if base == "IpAddress" and ipaddress.ip_address(x) in ipaddress.ip_network(p, strict=False):
                    return True
                if base.startswith("Numeric"):
                    a, b = float(x), float(p)
                    if {
                        "NumericLessThanEquals": a <= b,
                        "NumericGreaterThan": a > b,
                        "NumericEquals": a == b,
                    }[base]:
                        return True
                if base.startswith("Date"):
                    a = datetime.fromisoformat(x.replace("Z", "+00:00"))
                    b = datetime.fromisoformat(p.replace("Z", "+00:00"))
                    if {"DateGreaterThan": a > b, "DateLessThan": a < b}[base]:
                        return True
            return False

        if set_mode == "ForAllValues":
            return all(one(x) != negated for x in req)
        if set_mode == "ForAnyValue":
            return any(one(x) != negated for x in req)
        hit = any(one(x) for x in req)
        return not hit if negated else hit


# ----------------------------------------------------------------------------- timing


def _cpu_busy(cpus: list[int], interval: float = 0.3) -> dict[int, float]:
    """Fraction of time each CPU was busy over ``interval`` (from /proc/stat)."""

    def sample() -> dict[int, tuple[int, int]]:
        out = {}
        with open("/proc/stat") as f:
            for line in f:
                name, *fields = line.split()
                if name.startswith("cpu") and name[3:].isdigit():
                    values = [int(v) for v in fields]
                    idle = values[3] + (values[4] if len(values) > 4 else 0)
                    out[int(name[3:])] = (sum(values), idle)
        return out

    before = sample()
    time.sleep(interval)
    after = sample()
    busy = {}
    for cpu in cpus:
        if cpu in before and cpu in after:
            total = after[cpu][0] - before[cpu][0]
            idle = after[cpu][1] - before[cpu][1]
            busy[cpu] = 1 - idle / total if total else 0.0
    return busy


def _pin_to_one_cpu() -> str:
    """Run on one CPU, the least busy one (other work on a shared machine skews timings)."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpus = sorted(os.sched_getaffinity(0))
    try:
        busy = _cpu_busy(cpus)
    except OSError:
        busy = {}
    cpu = min(cpus, key=lambda c: busy.get(c, 0.0))
    os.sched_setaffinity(0, {cpu})
    load = f", {busy[cpu]:.0%} busy before the run" if cpu in busy else ""
    return f"pinned to CPU {cpu} of {len(cpus)}{load}"


def _summary(name: str, samples: list[int]) -> str:
    samples = sorted(samples)
    p50 = samples[len(samples) // 2] / 1000
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1000
    mean = statistics.fmean(samples) / 1000
    rate = 1e6 / mean
    return (
        f"{name:<8} p50 {p50:9.2f} µs   p99 {p99:9.2f} µs   mean {mean:9.2f} µs   {rate:12,.0f} decisions/s"
    )


# ------------------------------------------------------------------ pathological patterns

PATHOLOGICAL_STARS = 100
PATHOLOGICAL_LENGTH = 1000
PATHOLOGICAL_TARGET_US = 50.0
PATHOLOGICAL_ROUND = 25  # decisions per round

RequestFactory = Callable[[int, int], list[RequestContext]]  # (repeats, round) -> requests


def pathological_cases() -> list[tuple[str, PolicySet, RequestFactory, str]]:
    """``(label, policies, requests(repeats, round), expected decision)``: patterns of 100
    wildcards against 1,000-character inputs.

    The action case uses a different action for every request of every round (a never-seen
    action is matched against every statement; a seen one is answered from a cache).
    """
    n, stars = PATHOLOGICAL_LENGTH, PATHOLOGICAL_STARS
    hundred = "*a" * (stars - 1) + "*c"  # needs 99 a's and a final c
    s3 = "arn:aws:s3:::"
    arn = s3 + "a" * (n - len(s3))
    arn_c = arn[:-1] + "c"

    def identity(*statements: dict) -> PolicySet:
        return PolicySet(identity=[parse_policy(_doc(*statements), policy_id="pathological")])

    def allow(resource: str, action: str = "s3:*", **extra) -> dict:
        return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}

    def same(action: str, resource: str, context: dict | None = None) -> RequestFactory:
        def make(repeats: int, _round: int) -> list[RequestContext]:
            return [RequestContext(action, resource, USER_ARN, dict(context or {})) for _ in range(repeats)]

        return make

    def new_actions(repeats: int, round_: int) -> list[RequestContext]:
        out = []
        for i in range(repeats):
            tag = f"b{round_}x{i}"  # no "c": none matches
            out.append(RequestContext("s3:" + "a" * (n - 3 - len(tag)) + tag, "*", USER_ARN, {}))
        return out

    region = "a" * (n - len(f"arn:aws:ec2::{ACCOUNT}:instance/i-1"))
    ec2 = f"arn:aws:ec2:{region}:{ACCOUNT}:instance/i-1"
    kim_key = s3 + "kim/" + "a" * (n - len(s3) - 4)
    return [
        (
            "Resource *a…*c, no match",
            identity(allow(s3 + hundred)),
            same("s3:GetObject", arn),
            "implicitDeny",
        ),
        ("Resource *a…*c, match", identity(allow(s3 + hundred)), same("s3:GetObject", arn_c), "allowed"),
        (
            "Resource *b×100, no match",
            identity(allow(s3 + "*b" * stars)),
            same("s3:GetObject", arn),
            "implicitDeny",
        ),
        ("Resource ?*×100, match", identity(allow(s3 + "?*" * stars)), same("s3:GetObject", arn), "allowed"),
        (
            "Resource, region segment",
            identity(allow(f"arn:aws:ec2:{hundred}:{ACCOUNT}:instance/*", "ec2:StartInstances")),
            same("ec2:StartInstances", ec2),
            "implicitDeny",
        ),
        (
            "NotResource",
            identity(allow("*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": s3 + hundred}),
            same("s3:GetObject", arn),
            "explicitDeny",
        ),
        (
            "Resource with ${aws:username}",
            identity(allow(s3 + "${aws:username}/" + hundred)),
            same("s3:GetObject", kim_key, {"aws:username": "kim"}),
            "implicitDeny",
        ),
        ("Action (never-seen actions)", identity(allow("*", "s3:" + hundred)), new_actions, "implicitDeny"),
        (
            "StringLike",
            identity(allow("*", Condition={"StringLike": {"s3:prefix": hundred}})),
            same("s3:ListBucket", "*", {"s3:prefix": "a" * n}),
            "implicitDeny",
        ),
        (
            "ForAllValues:StringNotLike",
            identity(allow("*", Condition={"ForAllValues:StringNotLike": {"aws:TagKeys": hundred}})),
            same("s3:ListBucket", "*", {"aws:TagKeys": ["a" * n, "b" * n]}),
            "allowed",
        ),
        (
            "ArnLike",
            identity(allow("*", Condition={"ArnLike": {"aws:SourceArn": s3 + hundred}})),
            same("s3:GetObject", "*", {"aws:SourceArn": arn}),
            "implicitDeny",
        ),
        (
            "StringLike with ${aws:username}",
            identity(allow("*", Condition={"StringLike": {"s3:prefix": "${aws:username}" + hundred}})),
            same("s3:ListBucket", "*", {"s3:prefix": "kim" + "a" * (n - 3), "aws:username": "kim"}),
            "implicitDeny",
        ),
    ]


def run_pathological(repeats: int) -> tuple[float, int]:
    """Time the pathological cases; print p50, p99 and the worst time per case.

    Each case is decided ``repeats`` times, in rounds of ``PATHOLOGICAL_ROUND`` decisions with
    fresh requests. Every decision of a case does the same work, so what varies is the
    machine: a decision the scheduler preempted (another process on the CPU) takes a few
    milliseconds more and says nothing about the pattern. "worst" is therefore the slowest
    decision of the calmest round (the round whose slowest decision is the fastest); "max",
    the slowest decision of all, is printed too. Returns ``(largest worst in µs, wrong
    decisions)``.
    """
    perf = time.perf_counter_ns
    rounds = max(1, repeats // PATHOLOGICAL_ROUND)
    per_round = min(repeats, PATHOLOGICAL_ROUND)
    print(
        f"pathological: {PATHOLOGICAL_STARS} wildcards against {PATHOLOGICAL_LENGTH} characters, "
        f"{rounds} rounds of {per_round} decisions per case (gc off)"
    )
    worst = 0.0
    wrong = 0
    for label, policies, make_requests, expected in pathological_cases():
        evaluate(make_requests(1, -1)[0], policies)  # compile what is compiled lazily
        all_times: list[int] = []
        round_worsts = []
        for round_ in range(rounds):
            times = []
            for request in make_requests(per_round, round_):
                t0 = perf()
                d = evaluate(request, policies)
                times.append(perf() - t0)
                wrong += d.decision != expected
            all_times.extend(times)
            round_worsts.append(max(times))
        all_times.sort()
        p50 = all_times[len(all_times) // 2] / 1000
        p99 = all_times[min(len(all_times) - 1, int(len(all_times) * 0.99))] / 1000
        calm, top = min(round_worsts) / 1000, all_times[-1] / 1000
        worst = max(worst, calm)
        print(
            f"  {label:<34} p50 {p50:7.2f} µs   p99 {p99:8.2f} µs   worst {calm:7.2f} µs   (max {top:8.2f} µs)"
        )
    verdict = "within" if worst <= PATHOLOGICAL_TARGET_US else "OVER"
    print(f"pathological worst case: {worst:.2f} µs ({verdict} the {PATHOLOGICAL_TARGET_US:.0f} µs target)")
    print(f"pathological wrong decisions: {wrong}")
    return worst, wrong


def run(n: int = 10000, seed: int = 7, pathological_repeats: int = 1000) -> int:
    where = _pin_to_one_cpu()
    documents = principal_documents()
    policies = build_principal_policies()
    n_statements = sum(len(p.statements) for p in policies.identity)
    specs = build_request_specs(n, seed)
    calibration = min(timeit.repeat("f()", setup="f = lambda: None", number=200000, repeat=5)) / 200000
    print(
        f"machine: Python {sys.version.split()[0]}, an empty function call takes {calibration * 1e9:.0f} ns"
    )
    print(
        f"principal: {USER_ARN}, {len(policies.identity)} policies, {n_statements} statements; "
        f"{n} requests; {where}"
    )

    # warm the per-principal caches the gate keeps (action index, compiled patterns)
    for a, r, c in specs:
        evaluate(RequestContext(a, r, USER_ARN, c), policies)

    # Three rounds over fresh request objects (a new RequestContext per call, as in the gate);
    # the round with the lowest median is reported, the others show the noise of the machine.
    perf = time.perf_counter_ns
    rounds = []
    for _ in range(3):
        requests = [RequestContext(a, r, USER_ARN, c) for a, r, c in specs]
        times = []
        decisions = []
        for req in requests:
            t0 = perf()
            d = evaluate(req, policies)
            t1 = perf()
            times.append(t1 - t0)
            decisions.append(d.decision)
        rounds.append((sorted(times)[len(times) // 2], times, decisions))
    print("engine p50 per round: " + ", ".join(f"{r[0] / 1000:.2f} µs" for r in rounds))
    _p50, engine_times, engine_decisions = min(rounds, key=lambda r: r[0])

    # the same with a PolicySet built for every request from the cached policies (what a gate
    # does when it does not keep the set itself); RequestContext construction included
    identity = list(policies.identity)
    per_request_times = []
    for a, r, c in specs:
        t0 = perf()
        evaluate(RequestContext(a, r, USER_ARN, c), PolicySet(identity=identity))
        t1 = perf()
        per_request_times.append(t1 - t0)

    naive = Naive(documents)
    naive_times = []
    naive_decisions = []
    for a, r, c in specs:
        t0 = perf()
        nd = naive.decide(a, r, c)
        t1 = perf()
        naive_times.append(t1 - t0)
        naive_decisions.append(nd)

    mismatches = sum(1 for e, m in zip(engine_decisions, naive_decisions, strict=True) if e != m)
    counts = {k: engine_decisions.count(k) for k in ("allowed", "explicitDeny", "implicitDeny")}
    print(f"decisions: {counts}")
    print(_summary("engine", engine_times))
    print(_summary("engine*", per_request_times) + "   (* new RequestContext and PolicySet per call)")
    print(_summary("naive", naive_times))
    ratio = statistics.median(naive_times) / max(1, statistics.median(engine_times))
    print(f"speed-up (p50 naive / p50 engine): {ratio:,.0f}x")
    print(f"mismatches engine vs naive: {mismatches}")
    if mismatches:
        for (a, r, c), e, m in zip(specs, engine_decisions, naive_decisions, strict=True):
            if e != m:
                print(f"  {a} {r} engine={e} naive={m} context={c}")
                break
    wrong = 0
    if pathological_repeats:
        gc.disable()
        try:
            _worst, wrong = run_pathological(pathological_repeats)
        finally:
            gc.enable()
    return 1 if mismatches or wrong else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pathological-repeats",
        type=int,
        default=1000,
        help="decisions per pathological-pattern case (0 skips them)",
    )
    args = parser.parse_args()
    return run(args.requests, args.seed, args.pathological_repeats)


if __name__ == "__main__":
    sys.exit(main())

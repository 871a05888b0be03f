"""AccessDenied wording (UG troubleshoot_access-denied) and the size quotas."""

import pytest

from accounts.policy import (
    INLINE_POLICY_TOTAL_MAX,
    MANAGED_POLICY_MAX,
    TRUST_POLICY_MAX,
    access_denied_message,
    policy_size,
    size_error,
)
from accounts.policy.evaluate import Decision
from tests.unit.policy.helpers import ACCOUNT, decide, policy, stmt

KIM = f"arn:aws:iam::{ACCOUNT}:user/kim"
LEE = f"arn:aws:iam::{ACCOUNT}:user/lee"
PREFIX = f"User: {KIM} is not authorized to perform: iam:CreateUser on resource: {LEE}"


def test_implicit_identity_deny_message():
    d = decide([], "iam:CreateUser", LEE, principal=KIM)
    assert access_denied_message(KIM, "iam:CreateUser", LEE, d) == (
        f"{PREFIX} because no identity-based policy allows the iam:CreateUser action"
    )


def test_explicit_identity_deny_message():
    d = decide(
        policy(stmt(), stmt(effect="Deny", action="iam:CreateUser")), "iam:CreateUser", LEE, principal=KIM
    )
    assert access_denied_message(KIM, "iam:CreateUser", LEE, d) == (
        f"{PREFIX} with an explicit deny in an identity-based policy"
    )


@pytest.mark.parametrize(
    ("decision", "denied_by", "suffix"),
    [
        (
            "implicitDeny",
            "permissions boundary",
            "because no permissions boundary allows the iam:CreateUser action",
        ),
        ("explicitDeny", "permissions boundary", "with an explicit deny in a permissions boundary"),
        ("implicitDeny", "session policy", "because no session policy allows the iam:CreateUser action"),
        ("explicitDeny", "session policy", "with an explicit deny in a session policy"),
        (
            "implicitDeny",
            "resource-based policy",
            "because no resource-based policy allows the iam:CreateUser action",
        ),
        ("explicitDeny", "resource-based policy", "with an explicit deny in a resource-based policy"),
        # AWS always words SCP denials as explicit
        ("implicitDeny", "service control policy", "with an explicit deny in a service control policy"),
        ("explicitDeny", "service control policy", "with an explicit deny in a service control policy"),
        (
            "implicitDeny",
            "role trust policy",
            "because no role trust policy allows the iam:CreateUser action",
        ),
        ("explicitDeny", "role trust policy", "with an explicit deny in the role trust policy"),
    ],
)
def test_policy_type_wording(decision, denied_by, suffix):
    d = Decision(decision, [], denied_by, [])
    assert access_denied_message(KIM, "iam:CreateUser", LEE, d) == f"{PREFIX} {suffix}"


def test_message_from_real_decisions():
    scp = policy(stmt(action="s3:*"), kind="scp")
    d = decide(policy(stmt()), "codecommit:ListRepositories", None, principal=KIM, scp_levels=[[scp]])
    assert access_denied_message(KIM, "codecommit:ListRepositories", None, d) == (
        f"User: {KIM} is not authorized to perform: codecommit:ListRepositories "
        "with an explicit deny in a service control policy"
    )
    d = decide(policy(stmt()), "iam:CreateUser", LEE, principal=KIM, boundary=[policy(stmt(action="s3:*"))])
    assert access_denied_message(KIM, "iam:CreateUser", LEE, d).endswith(
        "because no permissions boundary allows the iam:CreateUser action"
    )


def test_resource_is_omitted_when_there_is_none():
    d = decide([], "iam:ListUsers", None, principal=KIM)
    assert access_denied_message(KIM, "iam:ListUsers", None, d) == (
        f"User: {KIM} is not authorized to perform: iam:ListUsers "
        "because no identity-based policy allows the iam:ListUsers action"
    )


def test_role_session_caller():
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/role-name/role-session-name"
    d = decide([], "sns:Publish", "arn:aws:sns:us-east-1:444455556666:t", principal=session)
    assert access_denied_message(
        session, "sns:Publish", "arn:aws:sns:us-east-1:444455556666:t", d
    ).startswith(f"User: {session} is not authorized to perform: sns:Publish on resource: arn:aws:sns:")


def test_message_needs_a_denied_decision():
    d = decide(policy(stmt()), "iam:CreateUser")
    with pytest.raises(ValueError):
        access_denied_message(KIM, "iam:CreateUser", LEE, d)


# ------------------------------------------------------------------------ sizes


def test_quotas():
    assert MANAGED_POLICY_MAX == 6144
    assert INLINE_POLICY_TOTAL_MAX == {"user": 2048, "group": 5120, "role": 10240}
    assert TRUST_POLICY_MAX == 2048


def test_policy_size_does_not_count_white_space():
    compact = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'
    pretty = '{\n  "Version": "2012-10-17",\n\t"Statement": {\r\n    "Effect": "Allow", "Action": "*", "Resource": "*"\n  }\n}\n'
    assert policy_size(compact) == len(compact)
    assert policy_size(pretty) == len(compact)
    assert policy_size("") == 0


def test_size_error_wording():
    assert size_error("managed", 6144) == "Cannot exceed quota for PolicySize: 6144"
    assert size_error("user", 2048, "kim") == "Maximum policy size of 2048 bytes exceeded for user kim"
    assert (
        size_error("group", 5120, "travis-ci")
        == "Maximum policy size of 5120 bytes exceeded for group travis-ci"
    )
    assert size_error("role", 10240, "app") == "Maximum policy size of 10240 bytes exceeded for role app"
    assert size_error("trust", 2048) == "Cannot exceed quota for ACLSizePerRole: 2048"
    with pytest.raises(ValueError):
        size_error("bucket", 1)

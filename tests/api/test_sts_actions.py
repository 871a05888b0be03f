"""Every STS action of the API's handler table through boto3: GetCallerIdentity (never denied),
GetSessionToken (needs no policy) and AssumeRole (the caller's policy and the role's trust
policy), each called by root, an administrator and a user with no policy."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from accounts.api import sts
from accounts.services import roles
from tests.api.conftest import Keys, error_of, state_digest

STS_ACTIONS_TESTED = {"GetCallerIdentity", "GetSessionToken", "AssumeRole"}


def test_every_sts_action_is_tested_here():
    assert set(sts.HANDLERS) == STS_ACTIONS_TESTED


def temporary_keys(credentials: dict) -> Keys:
    return Keys(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def test_get_caller_identity_answers_everyone(world):
    for caller, user_id in (
        (world.root, world.account_id),
        (world.admin, world.admin.identity.unique_id),
        (world.nobody, world.nobody.identity.unique_id),
    ):
        out = caller.sts.get_caller_identity()
        assert (out["Arn"], out["Account"], out["UserId"]) == (caller.arn, world.account_id, user_id)


def test_get_caller_identity_is_not_denied_even_by_an_explicit_deny(world, root):
    from accounts.services import permissions

    deny_all = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    )
    permissions.put_user_policy(root, user_name="nobody", policy_name="DenyAll", policy_document=deny_all)
    assert world.nobody.sts.get_caller_identity()["Arn"] == world.nobody.arn
    with pytest.raises(ClientError) as caught:
        world.nobody.iam.get_user()
    assert error_of(caught)["Code"] == "AccessDenied"
    assert "with an explicit deny in an identity-based policy" in error_of(caught)["Message"]


@pytest.mark.parametrize("who", ["root", "admin", "nobody"])
def test_get_session_token_needs_no_policy(world, who):
    caller = getattr(world, who)
    out = caller.sts.get_session_token(DurationSeconds=900)
    credentials = out["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40 and len(credentials["SessionToken"]) > 100
    left = credentials["Expiration"] - datetime.now(UTC)
    assert timedelta(minutes=14) < left <= timedelta(minutes=15)
    session = world.caller(temporary_keys(credentials))
    # the session acts as the user (or root) itself
    assert session.sts.get_caller_identity()["Arn"] == caller.arn
    # without MFA, no IAM call (AWS's rule for GetSessionToken credentials)
    with pytest.raises(ClientError) as caught:
        session.iam.list_users()
    error = error_of(caught)
    assert (error["Code"], error["Message"]) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid",
    )
    # nor GetSessionToken again with session credentials
    with pytest.raises(ClientError) as caught:
        session.sts.get_session_token()
    error = error_of(caught)
    assert (error["Code"], error["Message"]) == (
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
    )


def test_get_session_token_for_root_lasts_at_most_an_hour(world):
    credentials = world.root.sts.get_session_token(DurationSeconds=7200)["Credentials"]
    assert credentials["Expiration"] - datetime.now(UTC) <= timedelta(hours=1)


def _role(root, name="Reader"):
    role = roles.create_role(
        root, role_name=name, assume_role_policy_document=roles.account_trust_policy(root.account.account_id)
    )
    return role.arn


def test_assume_role_by_root_admin_and_nobody(world, root):
    role_arn = _role(root)
    before = state_digest()
    with pytest.raises(ClientError) as caught:
        world.nobody.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    error = error_of(caught)
    assert (error["Code"], error["HTTPStatusCode"], error["Type"]) == ("AccessDenied", 403, "Sender")
    assert error["Message"] == (
        f"User: {world.nobody.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        " because no identity-based policy allows the sts:AssumeRole action"
    )
    assert state_digest() == before

    with pytest.raises(ClientError) as caught:
        world.root.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    assert error_of(caught)["Code"] == "AccessDenied"
    assert error_of(caught)["Message"] == "Roles may not be assumed by root accounts."
    assert state_digest() == before

    out = world.admin.sts.assume_role(RoleArn=role_arn, RoleSessionName="admin-session", DurationSeconds=1800)
    session_arn = f"arn:aws:sts::{world.account_id}:assumed-role/Reader/admin-session"
    assert out["AssumedRoleUser"]["Arn"] == session_arn
    role_id = roles.get_role(root, role_name="Reader").role_id
    assert out["AssumedRoleUser"]["AssumedRoleId"] == f"{role_id}:admin-session"
    assert (
        timedelta(minutes=29) < out["Credentials"]["Expiration"] - datetime.now(UTC) <= timedelta(minutes=30)
    )
    assert "PackedPolicySize" not in out
    session = world.caller(temporary_keys(out["Credentials"]))
    identity = session.sts.get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (session_arn, f"{role_id}:admin-session")
    assert roles.get_role(root, role_name="Reader").role_last_used.region == "us-east-1"


def test_assume_role_with_a_session_policy_reports_its_size_and_limits_the_session(world, root):
    from accounts.services import permissions

    role_arn = _role(root)
    permissions.attach_role_policy(
        root, role_name="Reader", policy_arn="arn:aws:iam::aws:policy/IAMFullAccess"
    )
    only_list_users = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        }
    )
    out = world.admin.sts.assume_role(RoleArn=role_arn, RoleSessionName="scoped", Policy=only_list_users)
    assert 0 < out["PackedPolicySize"] <= 100
    session = world.caller(temporary_keys(out["Credentials"]))
    assert {u["UserName"] for u in session.iam.list_users()["Users"]} == {"admin", "nobody"}
    with pytest.raises(ClientError) as caught:
        session.iam.list_groups()
    assert error_of(caught)["Code"] == "AccessDenied"
    assert "because no session policy allows the iam:ListGroups action" in error_of(caught)["Message"]


def test_assume_role_refuses_a_duration_over_the_roles_maximum(world, root):
    role_arn = _role(root)
    with pytest.raises(ClientError) as caught:
        world.admin.sts.assume_role(RoleArn=role_arn, RoleSessionName="long", DurationSeconds=7200)
    error = error_of(caught)
    assert (error["Code"], error["HTTPStatusCode"]) == ("ValidationError", 400)
    assert (
        error["Message"] == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    )

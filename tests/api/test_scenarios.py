"""The articles' scenarios, with boto3 against the live server: an administrator builds users and
policies, a user allowed only ``iam:List*`` is refused CreateUser, roles are assumed (in the
account, across accounts, with MFA), and credentials stop working when they should."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from botocore.exceptions import ClientError

from accounts.services import mfa, permissions, roles
from tests.api.conftest import Keys, denied, error_of, make_client, state_digest
from tests.mfa_helpers import code, consecutive

INVALID_TOKEN = "The security token included in the request is invalid"


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def keys_of(credentials: dict) -> Keys:
    return Keys(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials.get("SessionToken"))


def refusal(callable_, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        callable_(*args, **kwargs)
    return error_of(caught)


def test_administrator_builds_a_list_only_user_who_cannot_create_users(world):
    iam = world.admin.iam
    policy = iam.create_policy(PolicyName="ListOnly", PolicyDocument=doc(allow("iam:List*")))["Policy"]
    iam.create_user(UserName="auditor")
    iam.attach_user_policy(UserName="auditor", PolicyArn=policy["Arn"])
    attached = iam.list_attached_user_policies(UserName="auditor")["AttachedPolicies"]
    assert attached == [{"PolicyName": "ListOnly", "PolicyArn": policy["Arn"]}]
    assert iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 1
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    auditor = world.caller(keys_of(key))
    auditor_arn = f"arn:aws:iam::{world.account_id}:user/auditor"
    assert auditor.sts.get_caller_identity()["Arn"] == auditor_arn

    assert "auditor" in {u["UserName"] for u in auditor.iam.list_users()["Users"]}
    assert auditor.iam.list_attached_user_policies(UserName="auditor")["AttachedPolicies"] == attached
    error = refusal(auditor.iam.create_user, UserName="intruder")
    assert (error["Code"], error["HTTPStatusCode"]) == ("AccessDenied", 403)
    assert error["Message"] == denied(
        auditor_arn, "iam:CreateUser", f"arn:aws:iam::{world.account_id}:user/intruder"
    )
    assert "intruder" not in {u["UserName"] for u in iam.list_users()["Users"]}
    # iam:List* does not cover Get*
    error = refusal(auditor.iam.get_policy, PolicyArn=policy["Arn"])
    assert error["Message"] == denied(auditor_arn, "iam:GetPolicy", policy["Arn"])


def test_a_user_reads_itself_without_any_policy(world):
    """AWS's self-service reads: GetUser, ListAccessKeys, ListMFADevices and ListGroupsForUser
    of oneself need no policy; another user's do."""
    nobody = world.nobody.iam
    assert nobody.get_user()["User"]["Arn"] == world.nobody.arn
    assert nobody.get_user(UserName="nobody")["User"]["UserName"] == "nobody"
    keys = nobody.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [world.nobody.keys.access_key_id]
    assert nobody.list_mfa_devices()["MFADevices"] == []
    assert nobody.list_groups_for_user(UserName="nobody")["Groups"] == []
    error = refusal(nobody.get_user, UserName="admin")
    assert error["Message"] == denied(world.nobody.arn, "iam:GetUser", world.admin.arn)
    error = refusal(nobody.list_access_keys, UserName="admin")
    assert error["Message"] == denied(world.nobody.arn, "iam:ListAccessKeys", world.admin.arn)


def test_assume_role_then_act_as_the_role(world, root):
    account = world.account_id
    trust = roles.account_trust_policy(account)
    world.admin.iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=trust)
    world.admin.iam.attach_role_policy(
        RoleName="Reader", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    )
    permissions.put_user_policy(
        root, user_name="nobody", policy_name="MayAssume", policy_document=doc(allow("sts:AssumeRole"))
    )
    out = world.nobody.sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/Reader", RoleSessionName="kim")
    session = world.caller(keys_of(out["Credentials"]))
    session_arn = f"arn:aws:sts::{account}:assumed-role/Reader/kim"
    identity = session.sts.get_caller_identity()
    assert identity["Arn"] == session_arn and identity["Account"] == account
    assert identity["UserId"].startswith("AROA") and identity["UserId"].endswith(":kim")

    # the role's permissions, not the user's
    assert {"admin", "nobody"} <= {u["UserName"] for u in session.iam.list_users()["Users"]}
    assert session.iam.get_role(RoleName="Reader")["Role"]["RoleName"] == "Reader"
    error = refusal(session.iam.create_user, UserName="x")
    assert error["Message"] == denied(session_arn, "iam:CreateUser", f"arn:aws:iam::{account}:user/x")
    # a role session is no user: GetUser needs a name
    error = refusal(session.iam.get_user)
    assert (error["Code"], error["Message"]) == (
        "ValidationError",
        "Must specify userName when calling with non-User credentials",
    )

    # role chaining (the role may assume roles): at most an hour
    permissions.put_role_policy(
        root, role_name="Reader", policy_name="Chain", policy_document=doc(allow("sts:AssumeRole"))
    )
    error = refusal(
        session.sts.assume_role,
        RoleArn=f"arn:aws:iam::{account}:role/Reader",
        RoleSessionName="again",
        DurationSeconds=7200,
    )
    assert error["Code"] == "ValidationError"


def test_mfa_protected_role_needs_a_session_with_mfa(world, root):
    account = world.account_id
    roles.create_role(
        root,
        role_name="Admin",
        assume_role_policy_document=roles.account_trust_policy(account, require_mfa=True),
    )
    trust = json.loads(roles.get_role(root, role_name="Admin").assume_role_policy_document)
    assert trust["Statement"][0]["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    permissions.attach_role_policy(
        root, role_name="Admin", policy_arn="arn:aws:iam::aws:policy/IAMFullAccess"
    )
    permissions.put_user_policy(
        root, user_name="nobody", policy_name="MayAssume", policy_document=doc(allow("sts:AssumeRole"))
    )
    role_arn = f"arn:aws:iam::{account}:role/Admin"

    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        made = mfa.create_virtual_mfa_device(root, virtual_mfa_device_name="nobody-phone")
        serial, seed = made["serial_number"], made["base32_string_seed"].decode()
        mfa.enable_mfa_device(
            root,
            user_name="nobody",
            serial_number=serial,
            **dict(zip(("authentication_code1", "authentication_code2"), consecutive(seed), strict=True)),
        )

        # plain keys: the trust policy's condition is not met
        error = refusal(world.nobody.sts.assume_role, RoleArn=role_arn, RoleSessionName="plain")
        assert error["Code"] == "AccessDenied"
        assert error["Message"].startswith(
            f"User: {world.nobody.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        )

        # a wrong code is refused with AWS's message
        clock.shift(30)
        error = refusal(world.nobody.sts.get_session_token, SerialNumber=serial, TokenCode="000000")
        assert error["Code"] == "AccessDenied"
        assert error["Message"].startswith("MultiFactorAuthentication failed, unable to validate MFA code.")

        session = world.nobody.sts.get_session_token(SerialNumber=serial, TokenCode=code(seed))["Credentials"]
        with_mfa = world.caller(keys_of(session))
        # MFA session credentials may call IAM (as nobody, who has no IAM policy)
        assert with_mfa.iam.get_user()["User"]["UserName"] == "nobody"
        # the code is spent: replaying it is refused
        error = refusal(world.nobody.sts.get_session_token, SerialNumber=serial, TokenCode=code(seed))
        assert error["Code"] == "AccessDenied"

        out = with_mfa.sts.assume_role(RoleArn=role_arn, RoleSessionName="with-mfa")
        admin_session = world.caller(keys_of(out["Credentials"]))
        assert admin_session.sts.get_caller_identity()["Arn"] == (
            f"arn:aws:sts::{account}:assumed-role/Admin/with-mfa"
        )
        admin_session.iam.create_user(UserName="made-with-mfa")
        assert roles.get_role(root, role_name="Admin").role_last_used is not None

        # AssumeRole with the code in the request works too
        clock.shift(30)
        out = world.nobody.sts.assume_role(
            RoleArn=role_arn, RoleSessionName="inline-mfa", SerialNumber=serial, TokenCode=code(seed)
        )
        assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/Admin/inline-mfa")


def test_expired_session_tokens_are_refused(world, root):
    roles.create_role(
        root, role_name="Reader", assume_role_policy_document=roles.account_trust_policy(world.account_id)
    )
    permissions.attach_role_policy(
        root, role_name="Reader", policy_arn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    )
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        session_token = world.admin.sts.get_session_token(DurationSeconds=900)["Credentials"]
        role = world.admin.sts.assume_role(
            RoleArn=f"arn:aws:iam::{world.account_id}:role/Reader",
            RoleSessionName="short",
            DurationSeconds=900,
        )["Credentials"]
        from_token, from_role = world.caller(keys_of(session_token)), world.caller(keys_of(role))
        assert from_role.iam.list_roles()["Roles"]
        assert from_token.sts.get_caller_identity()["Arn"] == world.admin.arn
        clock.shift(timedelta(seconds=901))
        for call in (
            from_role.iam.list_roles,
            from_token.sts.get_caller_identity,
            from_role.sts.get_caller_identity,
        ):
            error = refusal(call)
            assert (error["Code"], error["HTTPStatusCode"]) == ("ExpiredToken", 403)
            assert error["Message"] == "The security token included in the request is expired"
        # the long-term key still works
        assert world.admin.sts.get_caller_identity()["Arn"] == world.admin.arn


def test_a_session_token_must_match_its_key(world):
    credentials = world.admin.sts.get_session_token()["Credentials"]
    forged = Keys(
        credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"][:-4] + "AAAA"
    )
    error = refusal(world.caller(forged).sts.get_caller_identity)
    assert (error["Code"], error["Message"]) == ("InvalidClientTokenId", INVALID_TOKEN + ".")
    missing = Keys(credentials["AccessKeyId"], credentials["SecretAccessKey"])
    error = refusal(world.caller(missing).iam.list_users)
    assert (error["Code"], error["Message"]) == ("InvalidClientTokenId", INVALID_TOKEN)


def test_inactive_and_deleted_keys_are_refused(world):
    key = world.admin.iam.create_access_key(UserName="nobody")["AccessKey"]
    second = world.caller(keys_of(key))
    assert second.sts.get_caller_identity()["Arn"] == world.nobody.arn
    world.admin.iam.update_access_key(UserName="nobody", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    for call, message in (
        (second.iam.get_user, INVALID_TOKEN),
        (second.sts.get_caller_identity, INVALID_TOKEN + "."),
    ):
        error = refusal(call)
        assert (error["Code"], error["HTTPStatusCode"], error["Message"]) == (
            "InvalidClientTokenId",
            403,
            message,
        )
    world.admin.iam.update_access_key(UserName="nobody", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert second.iam.get_user()["User"]["UserName"] == "nobody"
    world.admin.iam.update_access_key(UserName="nobody", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    world.admin.iam.delete_access_key(UserName="nobody", AccessKeyId=key["AccessKeyId"])
    error = refusal(second.iam.get_user)
    assert (error["Code"], error["Message"]) == ("InvalidClientTokenId", INVALID_TOKEN)
    # a key that never existed, signed correctly, is refused the same way
    unknown = world.caller(Keys("AKIA" + "Q" * 16, "x" * 40))
    assert refusal(unknown.iam.list_users)["Code"] == "InvalidClientTokenId"


def test_deleting_a_user_ends_its_keys(world):
    world.admin.iam.create_user(UserName="leaver")
    key = world.admin.iam.create_access_key(UserName="leaver")["AccessKey"]
    leaver = world.caller(keys_of(key))
    assert leaver.sts.get_caller_identity()["Arn"].endswith(":user/leaver")
    error = refusal(world.admin.iam.delete_user, UserName="leaver")
    assert error["Code"] == "DeleteConflict"
    world.admin.iam.delete_access_key(UserName="leaver", AccessKeyId=key["AccessKeyId"])
    world.admin.iam.delete_user(UserName="leaver")
    assert refusal(leaver.sts.get_caller_identity)["Code"] == "InvalidClientTokenId"


def test_access_key_last_used_records_date_service_and_region(world):
    key_id = world.nobody.keys.access_key_id
    # the fixture's key has been used by nothing yet
    unused = world.admin.iam.get_access_key_last_used(AccessKeyId=key_id)
    assert unused["UserName"] == "nobody"
    assert unused["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}

    before = datetime.now(UTC).replace(microsecond=0)
    world.nobody.iam.get_user()
    used = world.admin.iam.get_access_key_last_used(AccessKeyId=key_id)["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("iam", "us-east-1")
    assert before <= used["LastUsedDate"] <= datetime.now(UTC) + timedelta(seconds=1)

    in_europe = make_client(world.session, "sts", world.endpoint, world.nobody.keys, region="eu-west-1")
    in_europe.get_caller_identity()
    used = world.admin.iam.get_access_key_last_used(AccessKeyId=key_id)["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("sts", "eu-west-1")
    listed = world.admin.iam.list_access_keys(UserName="nobody")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key_id]


def test_cross_account_assume_role_needs_both_sides(world, root_factory, user_factory):
    """Account B's role trusts account A; A's user needs its own policy allowing sts:AssumeRole."""
    other_root = root_factory()
    other = other_root.account.account_id
    trusting_a = roles.account_trust_policy(world.account_id)
    roles.create_role(other_root, role_name="Partner", assume_role_policy_document=trusting_a)
    permissions.attach_role_policy(
        other_root, role_name="Partner", policy_arn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    )
    roles.create_role(
        other_root, role_name="Private", assume_role_policy_document=roles.account_trust_policy(other)
    )
    partner_arn = f"arn:aws:iam::{other}:role/Partner"
    private_arn = f"arn:aws:iam::{other}:role/Private"

    # A's side missing: nobody has no policy (the trust policy alone is not enough across accounts)
    error = refusal(world.nobody.sts.assume_role, RoleArn=partner_arn, RoleSessionName="xx")
    assert error["Message"] == (
        f"User: {world.nobody.arn} is not authorized to perform: sts:AssumeRole on resource: {partner_arn}"
        " because no identity-based policy allows the sts:AssumeRole action"
    )
    # B's side missing: the administrator may assume anything, but Private trusts only B
    error = refusal(world.admin.sts.assume_role, RoleArn=private_arn, RoleSessionName="xx")
    assert error["Code"] == "AccessDenied"
    assert error["Message"].startswith(
        f"User: {world.admin.arn} is not authorized to perform: sts:AssumeRole on resource: {private_arn}"
    )
    # both sides
    out = world.admin.sts.assume_role(RoleArn=partner_arn, RoleSessionName="visit")
    visitor = world.caller(keys_of(out["Credentials"]))
    identity = visitor.sts.get_caller_identity()
    assert identity["Account"] == other
    assert identity["Arn"] == f"arn:aws:sts::{other}:assumed-role/Partner/visit"
    # the session sees account B, not A
    assert [r["RoleName"] for r in visitor.iam.list_roles()["Roles"]] == ["Partner", "Private"]
    assert visitor.iam.list_users()["Users"] == []
    error = refusal(visitor.iam.get_user, UserName="admin")
    assert error["Code"] == "NoSuchEntity"


def test_adding_a_role_to_an_instance_profile_needs_pass_role(world, root):
    """AWS: AddRoleToInstanceProfile also needs iam:PassRole on the role (else anyone who may
    edit instance profiles could hand a powerful role to EC2 instances)."""
    account = world.account_id
    roles.create_role(
        root, role_name="Power", assume_role_policy_document=roles.service_trust_policy("ec2.amazonaws.com")
    )
    world.admin.iam.create_instance_profile(InstanceProfileName="web")
    profiles_only = doc(allow(["iam:AddRoleToInstanceProfile", "iam:GetInstanceProfile"]))
    permissions.put_user_policy(
        root, user_name="nobody", policy_name="Profiles", policy_document=profiles_only
    )
    error = refusal(
        world.nobody.iam.add_role_to_instance_profile, InstanceProfileName="web", RoleName="Power"
    )
    assert error["Message"] == denied(world.nobody.arn, "iam:PassRole", f"arn:aws:iam::{account}:role/Power")
    assert world.nobody.iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Roles"] == []

    permissions.put_user_policy(
        root,
        user_name="nobody",
        policy_name="Pass",
        policy_document=doc(allow("iam:PassRole", f"arn:aws:iam::{account}:role/Power")),
    )
    world.nobody.iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="Power")
    roles_in = world.nobody.iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Roles"]
    assert [r["RoleName"] for r in roles_in] == ["Power"]


def test_login_profile_actions_without_a_user_name_act_on_the_calling_user(world):
    """The model makes UserName optional for CreateLoginProfile and DeleteLoginProfile: left
    out, the call is about the calling IAM user; a caller that is no IAM user (root here) gets
    AWS's "must not be null" validation error, never a server fault."""
    world.admin.iam.delete_login_profile()
    with pytest.raises(ClientError) as caught:
        world.root.iam.get_login_profile(UserName="admin")
    assert error_of(caught)["Code"] == "NoSuchEntity"
    made = world.admin.iam.create_login_profile(Password="Another-Passw0rd!")["LoginProfile"]
    assert made["UserName"] == "admin"
    for refused_call in (
        world.root.iam.delete_login_profile,
        lambda: world.root.iam.create_login_profile(Password="x"),
    ):
        before = state_digest()
        with pytest.raises(ClientError) as caught:
            refused_call()
        error = error_of(caught)
        assert (error["Code"], error["HTTPStatusCode"]) == ("ValidationError", 400)
        assert error["Message"] == (
            "1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
            "Member must not be null"
        )
        assert state_digest() == before

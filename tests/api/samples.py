"""One sample call per IAM action of ``accounts.api.iam.HANDLERS``: what to prepare, what to
send, what must come back and be stored, and on which resource a caller with no policy is
refused.

A sample's ``params(ctx)`` prepares what the call needs through the services (as the account's
root) and returns the call's parameters (boto3's names); names carry ``ctx.tag`` and ``ctx.n``,
so that one sample runs once per caller, and every sample, in one account. ``check(ctx, out,
params)`` asserts on the response members and on the stored state (read back through the
services); ``resource(ctx, params)`` is the resource AWS names in the AccessDenied message.
Lists ask for ``MaxItems`` 1000: the account holds every sample's objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from accounts import errors
from accounts.services import (
    access_keys,
    account,
    credential_report,
    groups,
    instance_profiles,
    mfa,
    permissions,
    policies,
    roles,
    tags,
    users,
)
from tests.conftest import ROOT_PASSWORD, USER_PASSWORD
from tests.mfa_helpers import code, consecutive

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
NEW_PASSWORD = "Changed-Passw0rd!"


def document(*actions: str, effect: str = "Allow") -> str:
    statement = {"Effect": effect, "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


LIST_USERS = document("iam:ListUsers")
LIST_GROUPS = document("iam:ListGroups")
EC2_TRUST = roles.service_trust_policy("ec2.amazonaws.com")
LAMBDA_TRUST = roles.service_trust_policy("lambda.amazonaws.com")


class Ctx:
    """One run of a sample: the account's root (for the services), ``n`` for fresh names."""

    def __init__(self, root, n: int, caller: str = "root", tag: str = "-"):
        self.root = root
        self.n = n
        self.caller = caller  # "root", "admin" or "nobody": whose call this is
        self.tag = tag  # tells apart the names of samples sharing an account
        self.account_id = root.account.account_id

    def name(self, base: str) -> str:
        return f"{base}{self.tag}{self.n}"

    def arn(self, kind: str, name: str, path: str = "/") -> str:
        return f"arn:aws:iam::{self.account_id}:{kind}{path}{name}"

    # things to act on, made by root through the services
    def user(self, base="u", **kwargs) -> str:
        name = self.name(base)
        users.create_user(self.root, user_name=name, **kwargs)
        return name

    def user_with_password(self, base="u") -> str:
        name = self.user(base)
        users.create_login_profile(self.root, user_name=name, password=USER_PASSWORD)
        return name

    def group(self, base="g") -> str:
        name = self.name(base)
        groups.create_group(self.root, group_name=name)
        return name

    def role(self, base="r", **kwargs) -> str:
        name = self.name(base)
        roles.create_role(self.root, role_name=name, assume_role_policy_document=EC2_TRUST, **kwargs)
        return name

    def policy(self, base="p", doc=LIST_USERS) -> str:
        return policies.create_policy(self.root, policy_name=self.name(base), policy_document=doc).arn

    def policy_with_v2(self, base="p", *, default=False) -> str:
        arn = self.policy(base)
        policies.create_policy_version(
            self.root, policy_arn=arn, policy_document=LIST_GROUPS, set_as_default=default
        )
        return arn

    def instance_profile(self, base="ip") -> str:
        name = self.name(base)
        instance_profiles.create_instance_profile(self.root, instance_profile_name=name)
        return name

    def device(self, base="dev") -> tuple[str, str]:
        """An unassigned virtual MFA device: (serial number, seed)."""
        made = mfa.create_virtual_mfa_device(self.root, virtual_mfa_device_name=self.name(base))
        return made["serial_number"], made["base32_string_seed"].decode()

    def enabled_device(self, user_name: str) -> tuple[str, str]:
        serial, seed = self.device()
        c1, c2 = consecutive(seed)
        mfa.enable_mfa_device(
            self.root,
            user_name=user_name,
            serial_number=serial,
            authentication_code1=c1,
            authentication_code2=c2,
        )
        return serial, seed


def gone(fn, *args, **kwargs) -> None:
    """The stored thing no longer exists (the service says NoSuchEntity)."""
    with pytest.raises(errors.NoSuchEntity):
        fn(*args, **kwargs)


def names(page, attribute: str) -> set:
    return {getattr(item, attribute) for item in page.items}


def aws_tags(items) -> dict:
    return {t["Key"]: t["Value"] for t in items}


def stored_tags(page) -> dict:
    return {t.key: t.value for t in page.items}


@dataclass(frozen=True)
class Sample:
    params: Callable[[Ctx], dict]
    check: Callable[[Ctx, dict, dict], None]
    resource: Callable[[Ctx, dict], str]


SAMPLES: dict[str, Sample] = {}


def sample(action: str, resource: Callable[[Ctx, dict], str]):
    """Register ``params`` (the decorated function) and the ``check`` that follows it."""

    def decorate(params):
        def with_check(check):
            SAMPLES[action] = Sample(params, check, resource)
            return check

        return with_check

    return decorate


def user_arn(ctx, p):
    return ctx.arn("user", p["UserName"])


def group_arn(ctx, p):
    return ctx.arn("group", p["GroupName"])


def role_arn(ctx, p):
    return ctx.arn("role", p["RoleName"])


def policy_arn(ctx, p):
    return p["PolicyArn"]


def profile_arn(ctx, p):
    return ctx.arn("instance-profile", p["InstanceProfileName"])


def everything(ctx, p):
    return "*"


# --- users and login profiles -------------------------------------------------------------------


@sample("CreateUser", lambda ctx, p: ctx.arn("user", p["UserName"], "/team/"))
def _(ctx):
    return {"UserName": ctx.name("new"), "Path": "/team/", "Tags": [{"Key": "team", "Value": "blue"}]}


@_
def _(ctx, out, p):
    user = out["User"]
    assert user["UserName"] == p["UserName"] and user["Path"] == "/team/"
    assert user["Arn"] == ctx.arn("user", p["UserName"], "/team/")
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert aws_tags(user["Tags"]) == {"team": "blue"}
    stored = users.get_user(ctx.root, user_name=p["UserName"])
    assert (stored.user_id, stored.path) == (user["UserId"], "/team/")
    assert stored_tags(tags.list_user_tags(ctx.root, user_name=p["UserName"])) == {"team": "blue"}


@sample("GetUser", user_arn)
def _(ctx):
    return {"UserName": ctx.user()}


@_
def _(ctx, out, p):
    assert out["User"]["UserName"] == p["UserName"]
    assert out["User"]["Arn"] == ctx.arn("user", p["UserName"])
    assert out["User"]["UserId"] == users.get_user(ctx.root, user_name=p["UserName"]).user_id


@sample("ListUsers", lambda ctx, p: ctx.arn("user", ""))
def _(ctx):
    ctx.user()
    return {"MaxItems": 1000}


@_
def _(ctx, out, p):
    listed = {u["UserName"]: u for u in out["Users"]}
    assert ctx.name("u") in listed
    assert set(listed) == names(users.list_users(ctx.root, max_items=1000), "user_name")
    assert listed[ctx.name("u")]["Arn"] == ctx.arn("user", ctx.name("u"))
    assert out["IsTruncated"] is False


@sample("UpdateUser", user_arn)
def _(ctx):
    return {"UserName": ctx.user(), "NewUserName": ctx.name("renamed"), "NewPath": "/moved/"}


@_
def _(ctx, out, p):
    gone(users.get_user, ctx.root, user_name=p["UserName"])
    assert users.get_user(ctx.root, user_name=p["NewUserName"]).arn == ctx.arn(
        "user", p["NewUserName"], "/moved/"
    )


@sample("DeleteUser", user_arn)
def _(ctx):
    return {"UserName": ctx.user()}


@_
def _(ctx, out, p):
    gone(users.get_user, ctx.root, user_name=p["UserName"])


@sample("CreateLoginProfile", user_arn)
def _(ctx):
    return {"UserName": ctx.user(), "Password": USER_PASSWORD, "PasswordResetRequired": True}


@_
def _(ctx, out, p):
    assert out["LoginProfile"]["UserName"] == p["UserName"]
    assert out["LoginProfile"]["PasswordResetRequired"] is True
    assert users.get_login_profile(ctx.root, user_name=p["UserName"]).password_reset_required is True


@sample("GetLoginProfile", user_arn)
def _(ctx):
    return {"UserName": ctx.user_with_password()}


@_
def _(ctx, out, p):
    assert out["LoginProfile"]["UserName"] == p["UserName"]
    assert out["LoginProfile"]["PasswordResetRequired"] is False
    assert "CreateDate" in out["LoginProfile"]


@sample("UpdateLoginProfile", user_arn)
def _(ctx):
    return {"UserName": ctx.user_with_password(), "Password": NEW_PASSWORD, "PasswordResetRequired": True}


@_
def _(ctx, out, p):
    assert users.get_login_profile(ctx.root, user_name=p["UserName"]).password_reset_required is True
    from accounts.models import Identity

    assert Identity.objects.get(account_id=ctx.account_id, name=p["UserName"]).check_password(NEW_PASSWORD)


@sample("DeleteLoginProfile", user_arn)
def _(ctx):
    return {"UserName": ctx.user_with_password()}


@_
def _(ctx, out, p):
    gone(users.get_login_profile, ctx.root, user_name=p["UserName"])


@sample("ChangePassword", lambda ctx, p: ctx.arn("user", ctx.caller))
def _(ctx):
    # the caller's own password (AWS: root's is not changed by this action; here it is)
    return {
        "OldPassword": ROOT_PASSWORD if ctx.caller == "root" else USER_PASSWORD,
        "NewPassword": NEW_PASSWORD,
    }


@_
def _(ctx, out, p):
    from accounts.models import Identity

    if ctx.caller == "root":
        caller = Identity.objects.get(account_id=ctx.account_id, kind=Identity.ROOT)
    else:
        caller = Identity.objects.get(account_id=ctx.account_id, name=ctx.caller)
    assert caller.check_password(NEW_PASSWORD) and not caller.check_password(p["OldPassword"])


@sample("ListGroupsForUser", user_arn)
def _(ctx):
    name = ctx.user()
    groups.add_user_to_group(ctx.root, group_name=ctx.group(), user_name=name)
    return {"UserName": name}


@_
def _(ctx, out, p):
    assert [g["GroupName"] for g in out["Groups"]] == [ctx.name("g")]
    assert out["Groups"][0]["Arn"] == ctx.arn("group", ctx.name("g"))


# --- groups ---------------------------------------------------------------------------------------


@sample("CreateGroup", lambda ctx, p: ctx.arn("group", p["GroupName"], "/ops/"))
def _(ctx):
    return {"GroupName": ctx.name("newgroup"), "Path": "/ops/"}


@_
def _(ctx, out, p):
    assert out["Group"]["GroupName"] == p["GroupName"]
    assert out["Group"]["Arn"] == ctx.arn("group", p["GroupName"], "/ops/")
    assert out["Group"]["GroupId"].startswith("AGPA")
    group, _members = groups.get_group(ctx.root, group_name=p["GroupName"])
    assert group.group_id == out["Group"]["GroupId"]


@sample("GetGroup", group_arn)
def _(ctx):
    name = ctx.group()
    groups.add_user_to_group(ctx.root, group_name=name, user_name=ctx.user())
    return {"GroupName": name}


@_
def _(ctx, out, p):
    assert out["Group"]["GroupName"] == p["GroupName"]
    assert [u["UserName"] for u in out["Users"]] == [ctx.name("u")]
    assert out["IsTruncated"] is False


@sample("ListGroups", lambda ctx, p: ctx.arn("group", ""))
def _(ctx):
    ctx.group()
    return {"MaxItems": 1000}


@_
def _(ctx, out, p):
    assert {g["GroupName"] for g in out["Groups"]} == names(
        groups.list_groups(ctx.root, max_items=1000), "group_name"
    )
    assert ctx.name("g") in {g["GroupName"] for g in out["Groups"]}


@sample("UpdateGroup", group_arn)
def _(ctx):
    return {"GroupName": ctx.group(), "NewGroupName": ctx.name("renamedgroup")}


@_
def _(ctx, out, p):
    gone(groups.get_group, ctx.root, group_name=p["GroupName"])
    assert groups.get_group(ctx.root, group_name=p["NewGroupName"])[0].group_name == p["NewGroupName"]


@sample("DeleteGroup", group_arn)
def _(ctx):
    return {"GroupName": ctx.group()}


@_
def _(ctx, out, p):
    gone(groups.get_group, ctx.root, group_name=p["GroupName"])


@sample("AddUserToGroup", group_arn)
def _(ctx):
    return {"GroupName": ctx.group(), "UserName": ctx.user()}


@_
def _(ctx, out, p):
    _group, members = groups.get_group(ctx.root, group_name=p["GroupName"])
    assert names(members, "user_name") == {p["UserName"]}


@sample("RemoveUserFromGroup", group_arn)
def _(ctx):
    params = {"GroupName": ctx.group(), "UserName": ctx.user()}
    groups.add_user_to_group(ctx.root, group_name=params["GroupName"], user_name=params["UserName"])
    return params


@_
def _(ctx, out, p):
    _group, members = groups.get_group(ctx.root, group_name=p["GroupName"])
    assert list(members.items) == []


# --- access keys ----------------------------------------------------------------------------------


def _key(ctx) -> dict:
    name = ctx.user()
    return {
        "UserName": name,
        "AccessKeyId": access_keys.create_access_key(ctx.root, user_name=name).access_key_id,
    }


def _stored_keys(ctx, user_name) -> dict:
    return {
        k.access_key_id: k.status for k in access_keys.list_access_keys(ctx.root, user_name=user_name).items
    }


@sample("CreateAccessKey", user_arn)
def _(ctx):
    return {"UserName": ctx.user()}


@_
def _(ctx, out, p):
    key = out["AccessKey"]
    assert key["UserName"] == p["UserName"] and key["Status"] == "Active"
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40
    assert _stored_keys(ctx, p["UserName"]) == {key["AccessKeyId"]: "Active"}


@sample("ListAccessKeys", user_arn)
def _(ctx):
    return {"UserName": _key(ctx)["UserName"]}


@_
def _(ctx, out, p):
    listed = {k["AccessKeyId"]: k["Status"] for k in out["AccessKeyMetadata"]}
    assert listed == _stored_keys(ctx, p["UserName"]) and len(listed) == 1
    assert out["AccessKeyMetadata"][0]["UserName"] == p["UserName"]
    assert "SecretAccessKey" not in out["AccessKeyMetadata"][0]


@sample("UpdateAccessKey", user_arn)
def _(ctx):
    return {**_key(ctx), "Status": "Inactive"}


@_
def _(ctx, out, p):
    assert _stored_keys(ctx, p["UserName"]) == {p["AccessKeyId"]: "Inactive"}


@sample("DeleteAccessKey", user_arn)
def _(ctx):
    return _key(ctx)


@_
def _(ctx, out, p):
    assert _stored_keys(ctx, p["UserName"]) == {}


@sample("GetAccessKeyLastUsed", lambda ctx, p: ctx.arn("user", ctx.name("u")))
def _(ctx):
    return {"AccessKeyId": _key(ctx)["AccessKeyId"]}


@_
def _(ctx, out, p):
    assert out["UserName"] == ctx.name("u")
    assert out["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}


# --- MFA --------------------------------------------------------------------------------------------


@sample("CreateVirtualMFADevice", lambda ctx, p: ctx.arn("mfa", p["VirtualMFADeviceName"]))
def _(ctx):
    return {"VirtualMFADeviceName": ctx.name("phone")}


@_
def _(ctx, out, p):
    device = out["VirtualMFADevice"]
    assert device["SerialNumber"] == ctx.arn("mfa", p["VirtualMFADeviceName"])
    seed = device["Base32StringSeed"].decode()
    assert len(seed) >= 16 and set(seed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=")
    assert device["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n")
    unassigned = mfa.list_virtual_mfa_devices(ctx.root, assignment_status="Unassigned", max_items=1000)
    assert device["SerialNumber"] in {serial for serial, _enabled, _user in unassigned.items}


@sample("EnableMFADevice", user_arn)
def _(ctx):
    serial, seed = ctx.device()
    c1, c2 = consecutive(seed)
    return {
        "UserName": ctx.user(),
        "SerialNumber": serial,
        "AuthenticationCode1": c1,
        "AuthenticationCode2": c2,
    }


@_
def _(ctx, out, p):
    assert names(mfa.list_mfa_devices(ctx.root, user_name=p["UserName"]), "serial_number") == {
        p["SerialNumber"]
    }


@sample("DeactivateMFADevice", user_arn)
def _(ctx):
    name = ctx.user()
    serial, _seed = ctx.enabled_device(name)
    return {"UserName": name, "SerialNumber": serial}


@_
def _(ctx, out, p):
    assert list(mfa.list_mfa_devices(ctx.root, user_name=p["UserName"]).items) == []


@sample("DeleteVirtualMFADevice", lambda ctx, p: p["SerialNumber"])
def _(ctx):
    return {"SerialNumber": ctx.device()[0]}


@_
def _(ctx, out, p):
    listed = mfa.list_virtual_mfa_devices(ctx.root, max_items=1000)
    assert p["SerialNumber"] not in {serial for serial, _enabled, _user in listed.items}


@sample("ResyncMFADevice", user_arn)
def _(ctx):
    name = ctx.user()
    serial, seed = ctx.enabled_device(name)
    # the device's clock runs five steps ahead
    return {
        "UserName": name,
        "SerialNumber": serial,
        "AuthenticationCode1": code(seed, 5),
        "AuthenticationCode2": code(seed, 6),
    }


@_
def _(ctx, out, p):
    from accounts.models import MFADevice

    assert MFADevice.objects.get(serial_number=p["SerialNumber"]).drift >= 4


@sample("ListMFADevices", user_arn)
def _(ctx):
    name = ctx.user()
    ctx.enabled_device(name)
    return {"UserName": name}


@_
def _(ctx, out, p):
    assert [d["SerialNumber"] for d in out["MFADevices"]] == [ctx.arn("mfa", ctx.name("dev"))]
    assert out["MFADevices"][0]["UserName"] == p["UserName"]
    assert "EnableDate" in out["MFADevices"][0]


@sample("ListVirtualMFADevices", lambda ctx, p: ctx.arn("mfa", ""))
def _(ctx):
    ctx.enabled_device(ctx.user())
    return {"AssignmentStatus": "Assigned", "MaxItems": 1000}


@_
def _(ctx, out, p):
    listed = {d["SerialNumber"]: d for d in out["VirtualMFADevices"]}
    device = listed[ctx.arn("mfa", ctx.name("dev"))]
    assert device["User"]["UserName"] == ctx.name("u")
    assert "EnableDate" in device
    assert "Base32StringSeed" not in device


# --- the account ---------------------------------------------------------------------------------


@sample("GetAccountPasswordPolicy", everything)
def _(ctx):
    account.update_account_password_policy(ctx.root, minimum_password_length=10 + ctx.n, require_symbols=True)
    return {}


@_
def _(ctx, out, p):
    policy = out["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 10 + ctx.n
    assert policy["RequireSymbols"] is True and policy["RequireNumbers"] is False
    assert policy["ExpirePasswords"] is False


@sample("UpdateAccountPasswordPolicy", everything)
def _(ctx):
    return {"MinimumPasswordLength": 12 + ctx.n, "RequireNumbers": True, "MaxPasswordAge": 90}


@_
def _(ctx, out, p):
    rules = account.get_account_password_policy(ctx.root)
    assert rules.minimum_password_length == 12 + ctx.n
    assert rules.require_numbers is True and rules.max_password_age == 90


@sample("DeleteAccountPasswordPolicy", everything)
def _(ctx):
    account.update_account_password_policy(ctx.root, minimum_password_length=14)
    return {}


@_
def _(ctx, out, p):
    gone(account.get_account_password_policy, ctx.root)


@sample("CreateAccountAlias", everything)
def _(ctx):
    return {"AccountAlias": f"alias-{ctx.account_id}{ctx.tag}{ctx.n}"}


@_
def _(ctx, out, p):
    assert list(account.list_account_aliases(ctx.root).items) == [p["AccountAlias"]]


@sample("DeleteAccountAlias", everything)
def _(ctx):
    alias = f"alias-{ctx.account_id}{ctx.tag}{ctx.n}"
    account.create_account_alias(ctx.root, account_alias=alias)
    return {"AccountAlias": alias}


@_
def _(ctx, out, p):
    assert list(account.list_account_aliases(ctx.root).items) == []


@sample("ListAccountAliases", everything)
def _(ctx):
    account.create_account_alias(ctx.root, account_alias=f"alias-{ctx.account_id}{ctx.tag}{ctx.n}")
    return {}


@_
def _(ctx, out, p):
    assert out["AccountAliases"] == [f"alias-{ctx.account_id}{ctx.tag}{ctx.n}"]
    assert out["IsTruncated"] is False


@sample("GetAccountSummary", everything)
def _(ctx):
    ctx.user()
    ctx.group()
    return {}


@_
def _(ctx, out, p):
    summary = out["SummaryMap"]
    assert summary == account.get_account_summary(ctx.root).summary_map
    assert summary["Users"] == len(users.list_users(ctx.root, max_items=1000).items)
    assert summary["Groups"] == len(groups.list_groups(ctx.root, max_items=1000).items)
    assert summary["UsersQuota"] == 5000


@sample("GenerateCredentialReport", everything)
def _(ctx):
    return {}


@_
def _(ctx, out, p):
    from accounts.services.credential_report import STARTED_DESCRIPTION

    # a report at most four hours old stays: the second caller (and perhaps the first) gets COMPLETE
    assert out["State"] in ({"COMPLETE"} if ctx.caller == "admin" else {"STARTED", "COMPLETE"})
    if out["State"] == "STARTED":
        assert out["Description"] == STARTED_DESCRIPTION
    report = credential_report.get_credential_report(ctx.root)
    assert report.content.startswith(b"user,arn,user_creation_time,")


@sample("GetCredentialReport", everything)
def _(ctx):
    credential_report.generate_credential_report(ctx.root)
    return {}


@_
def _(ctx, out, p):
    # botocore decodes the base64 blob: the CSV's own bytes
    lines = out["Content"].decode().splitlines()
    assert lines[0].startswith("user,arn,user_creation_time,")
    assert f"<root_account>,arn:aws:iam::{ctx.account_id}:root," in "\n".join(lines)
    assert any(line.startswith(f"admin,arn:aws:iam::{ctx.account_id}:user/admin,") for line in lines)
    assert out["ReportFormat"] == "text/csv" and "GeneratedTime" in out
    assert out["Content"] == credential_report.get_credential_report(ctx.root).content


# --- managed policies and versions ---------------------------------------------------------------


@sample("CreatePolicy", lambda ctx, p: ctx.arn("policy", p["PolicyName"], "/app/"))
def _(ctx):
    return {
        "PolicyName": ctx.name("newpolicy"),
        "PolicyDocument": LIST_USERS,
        "Path": "/app/",
        "Description": "lists users",
        "Tags": [{"Key": "env", "Value": "test"}],
    }


@_
def _(ctx, out, p):
    policy = out["Policy"]
    arn = ctx.arn("policy", p["PolicyName"], "/app/")
    assert (policy["Arn"], policy["DefaultVersionId"], policy["AttachmentCount"]) == (arn, "v1", 0)
    assert policy["PolicyId"].startswith("ANPA") and policy["IsAttachable"] is True
    assert aws_tags(policy["Tags"]) == {"env": "test"}
    stored = policies.get_policy(ctx.root, policy_arn=arn)
    assert stored.description == "lists users"
    version = policies.get_policy_version(ctx.root, policy_arn=arn, version_id="v1")
    assert json.loads(version.document) == json.loads(LIST_USERS)


@sample("GetPolicy", policy_arn)
def _(ctx):
    return {"PolicyArn": ctx.policy()}


@_
def _(ctx, out, p):
    assert out["Policy"]["Arn"] == p["PolicyArn"]
    assert out["Policy"]["PolicyName"] == ctx.name("p")
    assert out["Policy"]["DefaultVersionId"] == "v1"


# AWS names no ARN here ("on resource: policy path /"); this server names the path's ARN prefix.
@sample("ListPolicies", lambda ctx, p: ctx.arn("policy", ""))
def _(ctx):
    ctx.policy()
    return {"Scope": "Local", "MaxItems": 1000}


@_
def _(ctx, out, p):
    listed = {item["Arn"] for item in out["Policies"]}
    assert listed == names(policies.list_policies(ctx.root, scope="Local", max_items=1000), "arn")
    assert ctx.arn("policy", ctx.name("p")) in listed


@sample("DeletePolicy", policy_arn)
def _(ctx):
    return {"PolicyArn": ctx.policy()}


@_
def _(ctx, out, p):
    gone(policies.get_policy, ctx.root, policy_arn=p["PolicyArn"])


@sample("CreatePolicyVersion", policy_arn)
def _(ctx):
    return {"PolicyArn": ctx.policy(), "PolicyDocument": LIST_GROUPS, "SetAsDefault": True}


@_
def _(ctx, out, p):
    assert out["PolicyVersion"]["VersionId"] == "v2"
    assert out["PolicyVersion"]["IsDefaultVersion"] is True
    assert policies.get_policy(ctx.root, policy_arn=p["PolicyArn"]).default_version_id == "v2"


@sample("GetPolicyVersion", policy_arn)
def _(ctx):
    return {"PolicyArn": ctx.policy_with_v2(), "VersionId": "v2"}


@_
def _(ctx, out, p):
    version = out["PolicyVersion"]
    assert version["VersionId"] == "v2" and version["IsDefaultVersion"] is False
    # IAM sends the document URL-encoded; botocore decodes it into a dict
    assert version["Document"] == json.loads(LIST_GROUPS)


@sample("ListPolicyVersions", policy_arn)
def _(ctx):
    return {"PolicyArn": ctx.policy_with_v2(default=True)}


@_
def _(ctx, out, p):
    listed = {v["VersionId"]: v["IsDefaultVersion"] for v in out["Versions"]}
    assert listed == {"v1": False, "v2": True}
    assert all("Document" not in v for v in out["Versions"])


@sample("DeletePolicyVersion", policy_arn)
def _(ctx):
    return {"PolicyArn": ctx.policy_with_v2(), "VersionId": "v2"}


@_
def _(ctx, out, p):
    assert names(policies.list_policy_versions(ctx.root, policy_arn=p["PolicyArn"]), "version_id") == {"v1"}


@sample("SetDefaultPolicyVersion", policy_arn)
def _(ctx):
    return {"PolicyArn": ctx.policy_with_v2(), "VersionId": "v2"}


@_
def _(ctx, out, p):
    assert policies.get_policy(ctx.root, policy_arn=p["PolicyArn"]).default_version_id == "v2"


@sample("ListEntitiesForPolicy", policy_arn)
def _(ctx):
    arn = ctx.policy()
    permissions.attach_user_policy(ctx.root, user_name=ctx.user(), policy_arn=arn)
    permissions.attach_role_policy(ctx.root, role_name=ctx.role(), policy_arn=arn)
    return {"PolicyArn": arn}


@_
def _(ctx, out, p):
    assert [u["UserName"] for u in out["PolicyUsers"]] == [ctx.name("u")]
    assert [r["RoleName"] for r in out["PolicyRoles"]] == [ctx.name("r")]
    assert out["PolicyGroups"] == []


# --- attachments, inline policies, boundaries ---------------------------------------------------

OWNERS = {
    "User": ("UserName", "user", Ctx.user),
    "Group": ("GroupName", "group", Ctx.group),
    "Role": ("RoleName", "role", Ctx.role),
}


def _attached(ctx, kind, name) -> set:
    fn = getattr(permissions, f"list_attached_{kind.lower()}_policies")
    return names(fn(ctx.root, **{f"{kind.lower()}_name": name}), "policy_arn")


def _inline_names(ctx, kind, name) -> list:
    fn = getattr(permissions, f"list_{kind.lower()}_policies")
    return list(fn(ctx.root, **{f"{kind.lower()}_name": name}).items)


def _owner_samples(kind: str) -> None:
    key, arn_kind, make = OWNERS[kind]
    lower = kind.lower()

    def owner_arn(ctx, p):
        return ctx.arn(arn_kind, p[key])

    def attach_params(ctx):
        return {key: make(ctx), "PolicyArn": READ_ONLY}

    def attached_params(ctx):
        params = attach_params(ctx)
        getattr(permissions, f"attach_{lower}_policy")(
            ctx.root, policy_arn=READ_ONLY, **{f"{lower}_name": params[key]}
        )
        return params

    def put_params(ctx):
        return {key: make(ctx), "PolicyName": "Inline", "PolicyDocument": LIST_USERS}

    def inline_params(ctx):
        params = put_params(ctx)
        getattr(permissions, f"put_{lower}_policy")(
            ctx.root,
            policy_name="Inline",
            policy_document=LIST_USERS,
            **{f"{lower}_name": params[key]},
        )
        return {key: params[key], "PolicyName": "Inline"}

    def check_attached(ctx, out, p):
        assert _attached(ctx, kind, p[key]) == {READ_ONLY}

    def check_detached(ctx, out, p):
        assert _attached(ctx, kind, p[key]) == set()

    def check_list_attached(ctx, out, p):
        assert out["AttachedPolicies"] == [{"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY}]
        assert out["IsTruncated"] is False

    def check_put(ctx, out, p):
        assert _inline_names(ctx, kind, p[key]) == ["Inline"]
        stored = getattr(permissions, f"get_{lower}_policy")(
            ctx.root, policy_name="Inline", **{f"{lower}_name": p[key]}
        )
        assert json.loads(stored.policy_document) == json.loads(LIST_USERS)

    def check_get(ctx, out, p):
        assert out[key] == p[key] and out["PolicyName"] == "Inline"
        assert out["PolicyDocument"] == json.loads(LIST_USERS)

    def check_deleted(ctx, out, p):
        assert _inline_names(ctx, kind, p[key]) == []

    def check_list_inline(ctx, out, p):
        assert out["PolicyNames"] == ["Inline"] and out["IsTruncated"] is False

    table = {
        f"Attach{kind}Policy": (attach_params, check_attached),
        f"Detach{kind}Policy": (attached_params, check_detached),
        f"ListAttached{kind}Policies": (lambda ctx: {key: attached_params(ctx)[key]}, check_list_attached),
        f"Put{kind}Policy": (put_params, check_put),
        f"Get{kind}Policy": (inline_params, check_get),
        f"Delete{kind}Policy": (inline_params, check_deleted),
        f"List{kind}Policies": (lambda ctx: {key: inline_params(ctx)[key]}, check_list_inline),
    }
    for action, (params, check) in table.items():
        SAMPLES[action] = Sample(params, check, owner_arn)

    if kind == "Group":
        return

    def boundary_params(ctx):
        return {key: make(ctx), "PermissionsBoundary": READ_ONLY}

    def bounded_params(ctx):
        params = boundary_params(ctx)
        getattr(permissions, f"put_{lower}_permissions_boundary")(
            ctx.root, permissions_boundary=READ_ONLY, **{f"{lower}_name": params[key]}
        )
        return {key: params[key]}

    def boundary_of(ctx, name):
        if kind == "User":
            return users.get_user(ctx.root, user_name=name).permissions_boundary
        return roles.get_role(ctx.root, role_name=name).permissions_boundary

    def check_boundary(ctx, out, p):
        assert boundary_of(ctx, p[key]).permissions_boundary_arn == READ_ONLY

    def check_no_boundary(ctx, out, p):
        assert boundary_of(ctx, p[key]) is None

    SAMPLES[f"Put{kind}PermissionsBoundary"] = Sample(boundary_params, check_boundary, owner_arn)
    SAMPLES[f"Delete{kind}PermissionsBoundary"] = Sample(bounded_params, check_no_boundary, owner_arn)


for _kind in OWNERS:
    _owner_samples(_kind)


# --- roles ----------------------------------------------------------------------------------------


@sample("CreateRole", lambda ctx, p: ctx.arn("role", p["RoleName"], "/app/"))
def _(ctx):
    return {
        "RoleName": ctx.name("newrole"),
        "Path": "/app/",
        "AssumeRolePolicyDocument": EC2_TRUST,
        "Description": "for EC2",
        "MaxSessionDuration": 7200,
        "Tags": [{"Key": "env", "Value": "test"}],
    }


@_
def _(ctx, out, p):
    role = out["Role"]
    assert role["Arn"] == ctx.arn("role", p["RoleName"], "/app/")
    assert role["RoleId"].startswith("AROA")
    assert role["AssumeRolePolicyDocument"] == json.loads(EC2_TRUST)
    assert (role["Description"], role["MaxSessionDuration"]) == ("for EC2", 7200)
    stored = roles.get_role(ctx.root, role_name=p["RoleName"])
    assert (stored.role_id, stored.max_session_duration) == (role["RoleId"], 7200)


@sample("GetRole", role_arn)
def _(ctx):
    return {"RoleName": ctx.role()}


@_
def _(ctx, out, p):
    role = out["Role"]
    assert role["RoleName"] == p["RoleName"] and role["Arn"] == ctx.arn("role", p["RoleName"])
    assert role["AssumeRolePolicyDocument"] == json.loads(EC2_TRUST)
    assert role["MaxSessionDuration"] == 3600


@sample("ListRoles", lambda ctx, p: ctx.arn("role", ""))
def _(ctx):
    ctx.role()
    return {"MaxItems": 1000}


@_
def _(ctx, out, p):
    listed = {r["RoleName"] for r in out["Roles"]}
    assert ctx.name("r") in listed
    assert listed == names(roles.list_roles(ctx.root, max_items=1000), "role_name")


@sample("UpdateRole", role_arn)
def _(ctx):
    return {"RoleName": ctx.role(), "Description": "updated", "MaxSessionDuration": 10800}


@_
def _(ctx, out, p):
    stored = roles.get_role(ctx.root, role_name=p["RoleName"])
    assert (stored.description, stored.max_session_duration) == ("updated", 10800)


@sample("UpdateRoleDescription", role_arn)
def _(ctx):
    return {"RoleName": ctx.role(), "Description": "described"}


@_
def _(ctx, out, p):
    assert out["Role"]["Description"] == "described"
    assert roles.get_role(ctx.root, role_name=p["RoleName"]).description == "described"


@sample("UpdateAssumeRolePolicy", role_arn)
def _(ctx):
    return {"RoleName": ctx.role(), "PolicyDocument": LAMBDA_TRUST}


@_
def _(ctx, out, p):
    stored = roles.get_role(ctx.root, role_name=p["RoleName"])
    assert json.loads(stored.assume_role_policy_document) == json.loads(LAMBDA_TRUST)


@sample("DeleteRole", role_arn)
def _(ctx):
    return {"RoleName": ctx.role()}


@_
def _(ctx, out, p):
    gone(roles.get_role, ctx.root, role_name=p["RoleName"])


# --- instance profiles ---------------------------------------------------------------------------


@sample(
    "CreateInstanceProfile", lambda ctx, p: ctx.arn("instance-profile", p["InstanceProfileName"], "/web/")
)
def _(ctx):
    return {"InstanceProfileName": ctx.name("newprofile"), "Path": "/web/"}


@_
def _(ctx, out, p):
    profile = out["InstanceProfile"]
    assert profile["Arn"] == ctx.arn("instance-profile", p["InstanceProfileName"], "/web/")
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    stored = instance_profiles.get_instance_profile(ctx.root, instance_profile_name=p["InstanceProfileName"])
    assert stored.instance_profile_id == profile["InstanceProfileId"]


@sample("GetInstanceProfile", profile_arn)
def _(ctx):
    name = ctx.instance_profile()
    instance_profiles.add_role_to_instance_profile(ctx.root, instance_profile_name=name, role_name=ctx.role())
    return {"InstanceProfileName": name}


@_
def _(ctx, out, p):
    profile = out["InstanceProfile"]
    assert profile["InstanceProfileName"] == p["InstanceProfileName"]
    assert [r["RoleName"] for r in profile["Roles"]] == [ctx.name("r")]


@sample("ListInstanceProfiles", lambda ctx, p: ctx.arn("instance-profile", ""))
def _(ctx):
    ctx.instance_profile()
    return {"MaxItems": 1000}


@_
def _(ctx, out, p):
    listed = {i["InstanceProfileName"] for i in out["InstanceProfiles"]}
    assert ctx.name("ip") in listed
    assert listed == names(
        instance_profiles.list_instance_profiles(ctx.root, max_items=1000), "instance_profile_name"
    )


@sample("ListInstanceProfilesForRole", role_arn)
def _(ctx):
    role = ctx.role()
    instance_profiles.add_role_to_instance_profile(
        ctx.root, instance_profile_name=ctx.instance_profile(), role_name=role
    )
    return {"RoleName": role}


@_
def _(ctx, out, p):
    assert [i["InstanceProfileName"] for i in out["InstanceProfiles"]] == [ctx.name("ip")]


@sample("AddRoleToInstanceProfile", profile_arn)
def _(ctx):
    return {"InstanceProfileName": ctx.instance_profile(), "RoleName": ctx.role()}


@_
def _(ctx, out, p):
    stored = instance_profiles.get_instance_profile(ctx.root, instance_profile_name=p["InstanceProfileName"])
    assert [r.role_name for r in stored.roles] == [p["RoleName"]]


@sample("RemoveRoleFromInstanceProfile", profile_arn)
def _(ctx):
    params = {"InstanceProfileName": ctx.instance_profile(), "RoleName": ctx.role()}
    instance_profiles.add_role_to_instance_profile(
        ctx.root, instance_profile_name=params["InstanceProfileName"], role_name=params["RoleName"]
    )
    return params


@_
def _(ctx, out, p):
    stored = instance_profiles.get_instance_profile(ctx.root, instance_profile_name=p["InstanceProfileName"])
    assert stored.roles == ()


@sample("DeleteInstanceProfile", profile_arn)
def _(ctx):
    return {"InstanceProfileName": ctx.instance_profile()}


@_
def _(ctx, out, p):
    gone(instance_profiles.get_instance_profile, ctx.root, instance_profile_name=p["InstanceProfileName"])


# --- tags -------------------------------------------------------------------------------------------

TAGGABLE = {
    "User": ("UserName", Ctx.user, user_arn, "user_name"),
    "Role": ("RoleName", Ctx.role, role_arn, "role_name"),
    "Policy": ("PolicyArn", Ctx.policy, policy_arn, "policy_arn"),
    "InstanceProfile": ("InstanceProfileName", Ctx.instance_profile, profile_arn, "instance_profile_name"),
}


def _tag_samples(kind: str) -> None:
    key, make, resource, keyword = TAGGABLE[kind]
    snake = {"User": "user", "Role": "role", "Policy": "policy", "InstanceProfile": "instance_profile"}[kind]

    def stored(ctx, p):
        return stored_tags(getattr(tags, f"list_{snake}_tags")(ctx.root, **{keyword: p[key]}))

    def tagged(ctx):
        target = make(ctx)
        getattr(tags, f"tag_{snake}")(
            ctx.root,
            tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "blue"}],
            **{keyword: target},
        )
        return target

    def check_tag(ctx, out, p):
        assert stored(ctx, p) == {"env": "prod", "owner": "kim"}

    def check_untag(ctx, out, p):
        assert stored(ctx, p) == {"team": "blue"}

    def check_list(ctx, out, p):
        assert aws_tags(out["Tags"]) == {"env": "test", "team": "blue"} and out["IsTruncated"] is False

    SAMPLES[f"Tag{kind}"] = Sample(
        lambda ctx: {
            key: make(ctx),
            "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "kim"}],
        },
        check_tag,
        resource,
    )
    SAMPLES[f"Untag{kind}"] = Sample(
        lambda ctx: {key: tagged(ctx), "TagKeys": ["env"]}, check_untag, resource
    )
    SAMPLES[f"List{kind}Tags"] = Sample(lambda ctx: {key: tagged(ctx)}, check_list, resource)


for _kind in TAGGABLE:
    _tag_samples(_kind)


# --- the policy simulator -------------------------------------------------------------------------


@sample("SimulatePrincipalPolicy", lambda ctx, p: p["PolicySourceArn"])
def _(ctx):
    name = ctx.user()
    permissions.put_user_policy(ctx.root, user_name=name, policy_name="Inline", policy_document=LIST_USERS)
    return {
        "PolicySourceArn": ctx.arn("user", name),
        "ActionNames": ["iam:ListUsers", "iam:CreateUser"],
    }


@_
def _(ctx, out, p):
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in out["EvaluationResults"]}
    assert decisions == {"iam:ListUsers": "allowed", "iam:CreateUser": "implicitDeny"}
    allowed = next(r for r in out["EvaluationResults"] if r["EvalActionName"] == "iam:ListUsers")
    assert allowed["EvalResourceName"] == "*"
    statement = allowed["MatchedStatements"][0]
    assert (statement["SourcePolicyId"], statement["SourcePolicyType"]) == ("Inline", "user")
    assert statement["StartPosition"]["Line"] == 1


@sample("SimulateCustomPolicy", everything)
def _(ctx):
    return {
        "PolicyInputList": [LIST_USERS, document("iam:CreateUser", effect="Deny")],
        "ActionNames": ["iam:ListUsers", "iam:CreateUser", "iam:DeleteUser"],
    }


@_
def _(ctx, out, p):
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in out["EvaluationResults"]}
    assert decisions == {
        "iam:ListUsers": "allowed",
        "iam:CreateUser": "explicitDeny",
        "iam:DeleteUser": "implicitDeny",
    }
    sources = {
        r["EvalActionName"]: [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in r["MatchedStatements"]]
        for r in out["EvaluationResults"]
    }
    assert sources == {
        "iam:ListUsers": [("PolicyInputList.1", "IAM Policy")],
        "iam:CreateUser": [("PolicyInputList.2", "IAM Policy")],
        "iam:DeleteUser": [],
    }

"""The decision logic (UG reference_policies_evaluation-logic)."""

import pytest

from accounts.policy import PolicySet, RequestContext, evaluate
from tests.unit.policy.helpers import ACCOUNT, OTHER_ACCOUNT, USER, decide, policy, stmt

BUCKET = "arn:aws:s3:::carlossalazar"
OBJECT = "arn:aws:s3:::carlossalazar/report.txt"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/examplerole"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/examplerole/session1"
ALLOW_ALL = stmt(Sid="AllowAll")


def bucket_policy(principal, effect="Allow", action="s3:*", sid="Bucket", **extra):
    return policy(
        stmt(
            effect=effect,
            action=action,
            resource=[BUCKET, BUCKET + "/*"],
            Principal=principal,
            Sid=sid,
            **extra,
        ),
        kind="resource",
        policy_id="bucket",
    )


# --------------------------------------------------------------- identity policies


def test_no_policy_is_an_implicit_deny():
    d = decide([], "iam:ListUsers")
    assert (d.decision, d.allowed, d.denied_by, d.matched_statements) == (
        "implicitDeny",
        False,
        "identity-based policy",
        [],
    )


def test_allow_reports_every_matching_allow_statement():
    a = policy(stmt(Sid="One", action="s3:Get*"), stmt(Sid="Two", action="s3:List*"), policy_id="a")
    b = policy(stmt(Sid="Three", action="s3:GetObject"), policy_id="b")
    d = decide([a, b], "s3:GetObject")
    assert d.decision == "allowed" and d.allowed and d.denied_by is None
    assert [(m.policy_id, m.sid, m.index, m.effect, m.policy_kind) for m in d.matched_statements] == [
        ("a", "One", 0, "Allow", "identity"),
        ("b", "Three", 0, "Allow", "identity"),
    ]


def test_explicit_deny_beats_allow_anywhere():
    # UG example: Carlos may use his bucket but not any bucket with "log" in its name
    carlos = policy(
        stmt(Sid="AllowS3Self", action="s3:*", resource=["arn:aws:s3:::carlossalazar/*", BUCKET]),
        stmt(Sid="DenyS3Logs", effect="Deny", action="s3:*", resource="arn:aws:s3:::*log*"),
        policy_id="carlos",
    )
    d = decide(carlos, "s3:PutObject", "arn:aws:s3:::carlossalazar-logs/x")
    assert d.decision == "explicitDeny"
    assert d.denied_by == "identity-based policy"
    assert [m.sid for m in d.matched_statements] == ["DenyS3Logs"]
    assert decide(carlos, "s3:PutObject", OBJECT).allowed


def test_deny_in_another_policy_wins_and_all_denies_are_listed():
    allow = policy(ALLOW_ALL, policy_id="allow")
    deny1 = policy(stmt(effect="Deny", action="iam:*", Sid="D1"), policy_id="d1")
    deny2 = policy(stmt(effect="Deny", action="iam:Delete*", Sid="D2"), policy_id="d2")
    d = decide([allow, deny1, deny2], "iam:DeleteUser")
    assert d.decision == "explicitDeny"
    assert [m.sid for m in d.matched_statements] == ["D1", "D2"]


def test_ug_explicit_and_implicit_denies_example():
    p = policy(
        stmt(Sid="AllowGetList", action=["iam:Get*", "iam:List*"]),
        stmt(Sid="DenyReports", effect="Deny", action="iam:*Report"),
    )
    assert decide(p, "iam:GetUser").decision == "allowed"
    assert decide(p, "iam:CreatePolicy").decision == "implicitDeny"
    assert decide(p, "iam:GetOrganizationsAccessReport").decision == "explicitDeny"
    # a later grant cannot undo the explicit deny
    extra = policy(stmt(action="iam:GenerateCredentialReport"), policy_id="extra")
    assert decide([p, extra], "iam:GenerateCredentialReport").decision == "explicitDeny"


# ------------------------------------------------------------ permissions boundary


def test_boundary_limits_identity_permissions():
    identity = policy(ALLOW_ALL)
    boundary = [policy(stmt(action=["s3:*", "cloudwatch:*"]), policy_id="boundary")]
    d = decide(identity, "s3:GetObject", boundary=boundary)
    assert d.allowed and d.allowed_by_boundary is True
    assert [m.policy_id for m in d.matched_statements] == ["p1", "boundary"]
    d = decide(identity, "iam:CreateUser", boundary=boundary)
    assert (d.decision, d.denied_by, d.allowed_by_boundary) == ("implicitDeny", "permissions boundary", False)


def test_boundary_does_not_grant_by_itself():
    d = decide([], "s3:GetObject", boundary=[policy(ALLOW_ALL)])
    assert (d.decision, d.denied_by) == ("implicitDeny", "identity-based policy")


def test_explicit_deny_in_boundary():
    boundary = [policy(ALLOW_ALL, stmt(effect="Deny", action="s3:DeleteBucket"), policy_id="b")]
    d = decide(policy(ALLOW_ALL), "s3:DeleteBucket", boundary=boundary)
    assert (d.decision, d.denied_by) == ("explicitDeny", "permissions boundary")
    assert d.matched_statements[0].policy_id == "b"


def test_empty_boundary_list_allows_nothing():
    d = decide(policy(ALLOW_ALL), "s3:GetObject", boundary=[])
    assert (d.decision, d.denied_by) == ("implicitDeny", "permissions boundary")


# ------------------------------------------------------------------ session policy


def test_session_policy_must_allow_too():
    identity = policy(ALLOW_ALL)
    session = [policy(stmt(action="s3:Get*"), policy_id="session")]
    assert decide(identity, "s3:GetObject", principal=SESSION, session=session).allowed
    d = decide(identity, "s3:PutObject", principal=SESSION, session=session)
    assert (d.decision, d.denied_by) == ("implicitDeny", "session policy")
    deny = [policy(ALLOW_ALL, stmt(effect="Deny", action="s3:Get*"))]
    d = decide(identity, "s3:GetObject", principal=SESSION, session=deny)
    assert (d.decision, d.denied_by) == ("explicitDeny", "session policy")


# ---------------------------------------------------------------------------- SCPs


def full_access(policy_id="FullAWSAccess"):
    return policy(stmt(), kind="scp", policy_id=policy_id)


def test_every_scp_level_must_allow():
    identity = policy(ALLOW_ALL)
    only_s3 = policy(stmt(action="s3:*"), kind="scp", policy_id="OnlyS3")
    levels = [[full_access("root")], [only_s3], [full_access("account")]]
    d = decide(identity, "s3:GetObject", scp_levels=levels)
    assert d.allowed and d.allowed_by_organizations is True
    d = decide(identity, "ec2:RunInstances", scp_levels=levels)
    assert (d.decision, d.denied_by, d.allowed_by_organizations) == (
        "implicitDeny",
        "service control policy",
        False,
    )
    assert d.matched_statements == []


def test_a_level_without_policies_allows_nothing():
    d = decide(policy(ALLOW_ALL), "s3:GetObject", scp_levels=[[full_access()], []])
    assert (d.decision, d.denied_by) == ("implicitDeny", "service control policy")


def test_scp_explicit_deny():
    deny_leave = policy(
        stmt(),
        stmt(effect="Deny", action="organizations:LeaveOrganization"),
        kind="scp",
        policy_id="DenyLeave",
    )
    d = decide(policy(ALLOW_ALL), "organizations:LeaveOrganization", scp_levels=[[deny_leave]])
    assert (d.decision, d.denied_by) == ("explicitDeny", "service control policy")


def test_scps_do_not_grant():
    d = decide([], "s3:GetObject", scp_levels=[[full_access()]])
    assert (d.decision, d.denied_by) == ("implicitDeny", "identity-based policy")


# ---------------------------------------------------------------------------- root


def test_root_has_full_access_without_policies():
    root = f"arn:aws:iam::{ACCOUNT}:root"
    d = decide([], "iam:CreateUser", principal=root, is_root=True)
    assert d.allowed and d.matched_statements == []


def test_root_in_a_member_account_is_limited_by_scps():
    root = f"arn:aws:iam::{ACCOUNT}:root"
    only_s3 = policy(stmt(action="s3:*"), kind="scp")
    assert decide([], "s3:GetObject", principal=root, is_root=True, scp_levels=[[only_s3]]).allowed
    d = decide([], "iam:CreateUser", principal=root, is_root=True, scp_levels=[[only_s3]])
    assert (d.decision, d.denied_by) == ("implicitDeny", "service control policy")


def test_root_is_denied_by_a_resource_policy_deny():
    root = f"arn:aws:iam::{ACCOUNT}:root"
    bucket = bucket_policy({"AWS": ACCOUNT}, effect="Deny", action="s3:DeleteBucket")
    d = decide([], "s3:DeleteBucket", BUCKET, principal=root, is_root=True, resource_policy=bucket)
    assert (d.decision, d.denied_by) == ("explicitDeny", "resource-based policy")


# -------------------------------------------------------------- resource policies


def test_resource_policy_naming_the_user_grants_without_identity_policy():
    bucket = bucket_policy({"AWS": USER})
    d = decide([], "s3:GetObject", OBJECT, resource_policy=bucket)
    assert d.decision == "allowed"
    assert [(m.policy_id, m.policy_kind) for m in d.matched_statements] == [("bucket", "resource")]


def test_user_grant_is_not_limited_by_the_boundary():
    bucket = bucket_policy({"AWS": USER})
    boundary = [policy(stmt(action="ec2:*"))]
    assert decide([], "s3:GetObject", OBJECT, resource_policy=bucket, boundary=boundary).allowed


def test_resource_policy_for_someone_else_grants_nothing():
    bucket = bucket_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:user/lee"})
    d = decide([], "s3:GetObject", OBJECT, resource_policy=bucket)
    assert (d.decision, d.denied_by) == ("implicitDeny", "identity-based policy")
    # the identity policy alone still grants within the account
    assert decide(policy(stmt(action="s3:*")), "s3:GetObject", OBJECT, resource_policy=bucket).allowed


def test_account_principal_delegates_to_identity_policies():
    for principal in ({"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}):
        bucket = bucket_policy(principal)
        d = decide([], "s3:GetObject", OBJECT, resource_policy=bucket)
        assert (d.decision, d.denied_by) == ("implicitDeny", "identity-based policy")
        d = decide(policy(stmt(action="s3:GetObject")), "s3:GetObject", OBJECT, resource_policy=bucket)
        assert d.allowed
        assert [m.policy_kind for m in d.matched_statements] == ["identity", "resource"]


def test_everyone_principal_grants_directly():
    bucket = bucket_policy("*", action="s3:GetObject")
    assert decide([], "s3:GetObject", OBJECT, resource_policy=bucket).allowed
    bucket = bucket_policy({"AWS": "*"}, action="s3:GetObject")
    assert decide(
        [], "s3:GetObject", OBJECT, resource_policy=bucket, boundary=[policy(stmt(action="ec2:*"))]
    ).allowed


def test_resource_policy_deny_beats_identity_allow():
    bucket = bucket_policy({"AWS": ACCOUNT}, effect="Deny", action="s3:DeleteObject")
    d = decide(policy(ALLOW_ALL), "s3:DeleteObject", OBJECT, resource_policy=bucket)
    assert (d.decision, d.denied_by) == ("explicitDeny", "resource-based policy")
    # a Deny for another principal does not apply
    other = bucket_policy(
        {"AWS": f"arn:aws:iam::{ACCOUNT}:user/lee"}, effect="Deny", action="s3:DeleteObject"
    )
    assert decide(policy(ALLOW_ALL), "s3:DeleteObject", OBJECT, resource_policy=other).allowed


def test_not_principal_deny_protects_everyone_else():
    bucket = policy(
        stmt(
            effect="Deny",
            action="s3:*",
            resource=[BUCKET, BUCKET + "/*"],
            NotPrincipal={"AWS": [USER, f"arn:aws:iam::{ACCOUNT}:root"]},
        ),
        kind="resource",
    )
    lee = f"arn:aws:iam::{OTHER_ACCOUNT}:user/lee"
    assert decide(policy(ALLOW_ALL), "s3:GetObject", OBJECT, resource_policy=bucket).allowed
    d = decide(policy(ALLOW_ALL), "s3:GetObject", OBJECT, principal=lee, resource_policy=bucket)
    assert d.decision == "explicitDeny"


def test_resource_policy_conditions_apply():
    bucket = bucket_policy({"AWS": USER}, Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    assert decide([], "s3:GetObject", OBJECT, {"aws:SourceIp": "203.0.113.9"}, resource_policy=bucket).allowed
    assert not decide(
        [], "s3:GetObject", OBJECT, {"aws:SourceIp": "192.0.2.9"}, resource_policy=bucket
    ).allowed


def test_cross_account_needs_both_sides():
    lee = f"arn:aws:iam::{OTHER_ACCOUNT}:user/lee"
    grant = bucket_policy({"AWS": OTHER_ACCOUNT}, action="s3:GetObject")
    identity = policy(stmt(action="s3:GetObject"))
    kwargs = {"principal": lee, "resource_account": ACCOUNT}
    assert decide(identity, "s3:GetObject", OBJECT, resource_policy=grant, **kwargs).allowed
    d = decide([], "s3:GetObject", OBJECT, resource_policy=grant, **kwargs)
    assert (d.decision, d.denied_by) == ("implicitDeny", "identity-based policy")
    d = decide(identity, "s3:GetObject", OBJECT, **kwargs)
    assert (d.decision, d.denied_by) == ("implicitDeny", "resource-based policy")
    # naming the user directly does not skip the other account's identity policies
    direct = bucket_policy({"AWS": lee}, action="s3:GetObject")
    assert not decide([], "s3:GetObject", OBJECT, resource_policy=direct, **kwargs).allowed
    assert decide(identity, "s3:GetObject", OBJECT, resource_policy=direct, **kwargs).allowed


def test_role_session_grants():
    identity = policy(stmt(action="ec2:*"))
    boundary = [policy(stmt(action="ec2:*"), policy_id="boundary")]
    # granted to the session ARN: direct, not limited by the boundary or session policy
    by_session = bucket_policy({"AWS": SESSION}, action="s3:GetObject")
    d = decide(
        identity, "s3:GetObject", OBJECT, principal=SESSION, resource_policy=by_session, boundary=boundary
    )
    assert d.allowed
    # granted to the role ARN: no identity Allow needed, but the boundary still limits
    by_role = bucket_policy({"AWS": ROLE}, action="s3:GetObject")
    d = decide(
        identity, "s3:GetObject", OBJECT, principal=SESSION, resource_policy=by_role, boundary=boundary
    )
    assert (d.decision, d.denied_by) == ("implicitDeny", "permissions boundary")
    d = decide(identity, "s3:GetObject", OBJECT, principal=SESSION, resource_policy=by_role)
    assert d.allowed
    session = [policy(stmt(action="ec2:*"))]
    d = decide(identity, "s3:GetObject", OBJECT, principal=SESSION, resource_policy=by_role, session=session)
    assert (d.decision, d.denied_by) == ("implicitDeny", "session policy")


def test_role_arn_is_derived_from_the_session_arn():
    ctx = RequestContext("s3:GetObject", OBJECT, SESSION)
    assert ctx.role_arn == ROLE
    assert ctx.principal_account == ACCOUNT
    assert RequestContext("s3:GetObject", OBJECT, USER).role_arn == ""
    given = RequestContext(
        "s3:GetObject", OBJECT, SESSION, role_arn=f"arn:aws:iam::{ACCOUNT}:role/path/examplerole"
    )
    assert given.role_arn.endswith("role/path/examplerole")


# ------------------------------------------------------------------ trust policies


def trust(principal, action="sts:AssumeRole", **extra):
    return policy(
        stmt(action=action, resource=None, Principal=principal, **extra), kind="trust", policy_id="trust"
    )


def test_trust_policy_naming_the_user_lets_it_assume_the_role():
    d = decide([], "sts:AssumeRole", ROLE, resource_policy=trust({"AWS": USER}))
    assert d.allowed


def test_trust_policy_naming_the_account_needs_an_identity_allow():
    t = trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    d = decide([], "sts:AssumeRole", ROLE, resource_policy=t)
    assert (d.decision, d.denied_by) == ("implicitDeny", "identity-based policy")
    assert decide(
        policy(stmt(action="sts:AssumeRole", resource=ROLE)), "sts:AssumeRole", ROLE, resource_policy=t
    ).allowed


def test_trust_policy_must_allow_explicitly():
    t = trust({"Service": "ec2.amazonaws.com"})
    d = decide(policy(ALLOW_ALL), "sts:AssumeRole", ROLE, resource_policy=t)
    assert (d.decision, d.denied_by) == ("implicitDeny", "role trust policy")
    d = decide(
        [], "sts:AssumeRole", ROLE, principal="ec2.amazonaws.com", resource_policy=t, principal_type="Service"
    )
    assert d.allowed
    d = decide(
        [],
        "sts:AssumeRole",
        ROLE,
        principal="lambda.amazonaws.com",
        resource_policy=t,
        principal_type="Service",
    )
    assert (d.decision, d.denied_by) == ("implicitDeny", "role trust policy")


def test_trust_policy_conditions_and_deny():
    t = policy(
        stmt(
            action="sts:AssumeRole",
            resource=None,
            Principal={"AWS": USER},
            Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        ),
        stmt(
            effect="Deny",
            action="sts:AssumeRole",
            resource=None,
            Principal="*",
            Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        ),
        kind="trust",
    )
    ok = {"aws:MultiFactorAuthPresent": "true", "aws:SourceIp": "10.1.1.1"}
    assert decide([], "sts:AssumeRole", ROLE, ok, resource_policy=t).allowed
    assert not decide(
        [], "sts:AssumeRole", ROLE, {**ok, "aws:MultiFactorAuthPresent": "false"}, resource_policy=t
    ).allowed
    d = decide([], "sts:AssumeRole", ROLE, {**ok, "aws:SourceIp": "192.0.2.1"}, resource_policy=t)
    assert (d.decision, d.denied_by) == ("explicitDeny", "role trust policy")


# ---------------------------------------------------------- ordering and reporting


def test_explicit_deny_report_prefers_scp_then_resource_then_identity():
    scp = policy(stmt(), stmt(effect="Deny", action="s3:*"), kind="scp", policy_id="scp")
    identity = policy(ALLOW_ALL, stmt(effect="Deny", action="s3:*"))
    d = decide(identity, "s3:GetObject", scp_levels=[[scp]])
    assert d.denied_by == "service control policy"
    assert [m.policy_kind for m in d.matched_statements] == ["scp", "identity"]
    bucket = bucket_policy("*", effect="Deny")
    d = decide(identity, "s3:GetObject", OBJECT, resource_policy=bucket)
    assert d.denied_by == "resource-based policy"


def test_scp_implicit_deny_comes_before_identity():
    only_ec2 = policy(stmt(action="ec2:*"), kind="scp")
    d = decide([], "s3:GetObject", scp_levels=[[only_ec2]])
    assert d.denied_by == "service control policy"


@pytest.mark.parametrize("action", ["", "x", "::", "iam:", ":*", "*", "iam:*", "ÄÖÜ:ß", "a" * 500])
def test_odd_action_strings_do_not_break_evaluation(action):
    d = decide(
        policy(stmt(action="iam:*"), stmt(effect="Deny", action="iam:Delete*")), action, "weird:resource"
    )
    assert d.decision in ("allowed", "explicitDeny", "implicitDeny")


def test_policy_set_is_reusable_and_caches_per_action():
    ps = PolicySet(identity=[policy(stmt(action="s3:Get*"), stmt(effect="Deny", action="s3:GetObjectAcl"))])
    for _ in range(3):
        assert evaluate(RequestContext("s3:GetObject", "*", USER), ps).allowed
        assert evaluate(RequestContext("S3:GETOBJECT", "*", USER), ps).allowed
        assert evaluate(RequestContext("s3:GetObjectAcl", "*", USER), ps).decision == "explicitDeny"
        assert evaluate(RequestContext("s3:PutObject", "*", USER), ps).decision == "implicitDeny"
    assert "PolicySet(identity=1" in repr(ps)


def test_derived_global_keys():
    p = policy(
        stmt(
            Condition={
                "StringEquals": {"aws:PrincipalType": "User", "aws:PrincipalAccount": ACCOUNT},
                "ArnEquals": {"aws:PrincipalArn": USER},
            }
        )
    )
    assert decide(p, "s3:GetObject").allowed
    assert not decide(p, "s3:GetObject", principal=SESSION).allowed
    # a value given in the context wins over a derived one
    assert not decide(p, "s3:GetObject", context={"aws:PrincipalType": "AssumedRole"}).allowed


def test_policy_sets_of_the_same_policies_share_their_index():
    p = policy(stmt(action="s3:Get*"))
    first = PolicySet(identity=[p])
    evaluate(RequestContext("s3:GetObject", "*", USER), first)
    second = PolicySet(identity=[p])
    assert second._index is first._index
    assert PolicySet(identity=[p], is_root=True)._index is not first._index
    assert PolicySet(identity=[p], boundary=[p])._index is not first._index
    assert evaluate(RequestContext("s3:GetObject", "*", USER), second).allowed

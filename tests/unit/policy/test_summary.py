"""The policy summary (accounts/policy/summary.py): access levels of actions, and summaries of
documents by service as AWS's console shows them.

Pure Python: ``pytest tests/unit/policy/test_summary.py -p no:django`` runs it.
"""

import json
from pathlib import Path

import pytest

from accounts.policy import summary
from accounts.policy.summary import (
    FULL_ACCESS,
    LIST,
    PERMISSIONS,
    READ,
    TAGGING,
    WRITE,
    access_level,
    classify,
)

MANAGED = json.loads(
    (Path(summary.__file__).resolve().parent / "managed" / "aws_managed_policies.json").read_text()
)


def doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# --- access levels checked against AWS's Service Authorization Reference ---------------------
#
# Each sample's level as the reference gives it. "SAR" marks the samples read in the
# reference's own tables (docs.aws.amazon.com/service-authorization/latest/reference/
# list_iam.html, list_identityandaccessmanagement.html, list_amazons3.html / list_s3.html,
# list_ec2.html, found with the docs search); the others are AWS's well-known levels that the
# same tables give but that we did not see quoted in full. The test pins them: a change of the
# heuristic or of botocore that moves one fails here.
SAR_SAMPLES = [
    # IAM (SAR: AddClientIDToOpenIDConnectProvider, AddRoleToInstanceProfile, AddUserToGroup,
    # Attach*Policy, ChangePassword, PassRole seen in the IAM tables)
    ("iam:AddClientIDToOpenIDConnectProvider", WRITE),
    ("iam:AddRoleToInstanceProfile", WRITE),
    ("iam:AddUserToGroup", WRITE),
    ("iam:AttachGroupPolicy", PERMISSIONS),
    ("iam:AttachRolePolicy", PERMISSIONS),
    ("iam:AttachUserPolicy", PERMISSIONS),
    ("iam:ChangePassword", WRITE),
    ("iam:PassRole", WRITE),
    ("iam:CreateUser", WRITE),
    ("iam:CreateRole", WRITE),
    ("iam:CreateAccessKey", WRITE),
    ("iam:CreatePolicy", PERMISSIONS),
    ("iam:CreatePolicyVersion", PERMISSIONS),
    ("iam:PutUserPolicy", PERMISSIONS),
    ("iam:PutRolePermissionsBoundary", PERMISSIONS),
    ("iam:UpdateAssumeRolePolicy", PERMISSIONS),
    ("iam:ListUsers", LIST),
    ("iam:ListPolicies", LIST),
    ("iam:ListUserTags", LIST),
    ("iam:GetUser", READ),
    ("iam:GetPolicy", READ),
    ("iam:GetAccountAuthorizationDetails", READ),
    ("iam:GenerateCredentialReport", READ),
    ("iam:SimulatePrincipalPolicy", READ),
    ("iam:TagUser", TAGGING),
    ("iam:UntagUser", TAGGING),
    ("iam:TagRole", TAGGING),
    ("iam:TagPolicy", TAGGING),
    # S3 (SAR: AbortMultipartUpload, CreateBucket, DeleteBucket, DeleteBucketPolicy,
    # DeleteObject, BypassGovernanceRetention, GetObject, PutObject seen in the S3 tables)
    ("s3:AbortMultipartUpload", WRITE),
    ("s3:CreateBucket", WRITE),
    ("s3:DeleteBucket", WRITE),
    ("s3:DeleteBucketPolicy", PERMISSIONS),
    ("s3:DeleteObject", WRITE),
    ("s3:BypassGovernanceRetention", PERMISSIONS),
    ("s3:GetObject", READ),
    ("s3:GetObjectVersion", READ),
    ("s3:PutObject", WRITE),
    ("s3:PutBucketPolicy", PERMISSIONS),
    ("s3:PutBucketAcl", PERMISSIONS),
    ("s3:PutObjectAcl", PERMISSIONS),
    ("s3:PutBucketPublicAccessBlock", PERMISSIONS),
    ("s3:GetBucketPolicy", READ),
    ("s3:GetBucketLocation", READ),
    ("s3:ListBucket", LIST),
    ("s3:ListAllMyBuckets", LIST),
    ("s3:ListMultipartUploadParts", LIST),
    ("s3:PutBucketTagging", TAGGING),
    ("s3:PutObjectTagging", TAGGING),
    ("s3:DeleteObjectTagging", TAGGING),
    # EC2 (SAR: AcceptAddressTransfer seen; CreateTags is Tagging in the actions table)
    ("ec2:AcceptAddressTransfer", WRITE),
    ("ec2:CreateTags", TAGGING),
    ("ec2:DeleteTags", TAGGING),
    ("ec2:DescribeInstances", LIST),
    ("ec2:DescribeIamInstanceProfileAssociations", LIST),
    ("ec2:RunInstances", WRITE),
    ("ec2:StopInstances", WRITE),
    ("ec2:AssociateIamInstanceProfile", WRITE),
    # STS
    ("sts:AssumeRole", WRITE),
    ("sts:GetCallerIdentity", READ),
    ("sts:TagSession", TAGGING),
]


@pytest.mark.parametrize("action,level", SAR_SAMPLES)
def test_access_level_of_sampled_actions_is_the_reference(action, level):
    assert access_level(action) == level
    assert access_level(action.upper()) == level  # actions are case-insensitive


# Every action the console's own services ask the gate for is known (no "unrecognized" row
# for a policy written for this console).
CONSOLE_ACTIONS = [
    "iam:AddRoleToInstanceProfile",
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:ChangePassword",
    "iam:CreateAccessKey",
    "iam:CreateAccountAlias",
    "iam:CreateGroup",
    "iam:CreateInstanceProfile",
    "iam:CreateLoginProfile",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:CreateVirtualMFADevice",
    "iam:DeactivateMFADevice",
    "iam:DeleteAccessKey",
    "iam:DeleteAccountAlias",
    "iam:DeleteAccountPasswordPolicy",
    "iam:DeleteGroup",
    "iam:DeleteGroupPolicy",
    "iam:DeleteInstanceProfile",
    "iam:DeleteLoginProfile",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DeleteUser",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteUserPolicy",
    "iam:DeleteVirtualMFADevice",
    "iam:DetachGroupPolicy",
    "iam:DetachRolePolicy",
    "iam:DetachUserPolicy",
    "iam:EnableMFADevice",
    "iam:GenerateCredentialReport",
    "iam:GetCredentialReport",
    "iam:GetAccessKeyLastUsed",
    "iam:GetAccountPasswordPolicy",
    "iam:GetAccountSummary",
    "iam:GetGroup",
    "iam:GetGroupPolicy",
    "iam:GetInstanceProfile",
    "iam:GetLoginProfile",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:ListAccessKeys",
    "iam:ListAccountAliases",
    "iam:ListAttachedGroupPolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListAttachedUserPolicies",
    "iam:ListEntitiesForPolicy",
    "iam:ListGroupPolicies",
    "iam:ListGroups",
    "iam:ListGroupsForUser",
    "iam:ListInstanceProfileTags",
    "iam:ListInstanceProfiles",
    "iam:ListInstanceProfilesForRole",
    "iam:ListMFADevices",
    "iam:ListPolicies",
    "iam:ListPolicyTags",
    "iam:ListPolicyVersions",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "iam:ListRoles",
    "iam:ListUserPolicies",
    "iam:ListUserTags",
    "iam:ListUsers",
    "iam:ListVirtualMFADevices",
    "iam:PassRole",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:RemoveUserFromGroup",
    "iam:ResyncMFADevice",
    "iam:SetDefaultPolicyVersion",
    "iam:SimulateCustomPolicy",
    "iam:SimulatePrincipalPolicy",
    "iam:TagInstanceProfile",
    "iam:TagPolicy",
    "iam:TagRole",
    "iam:TagUser",
    "iam:UntagInstanceProfile",
    "iam:UntagPolicy",
    "iam:UntagRole",
    "iam:UntagUser",
    "iam:UpdateAccessKey",
    "iam:UpdateAccountPasswordPolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateGroup",
    "iam:UpdateLoginProfile",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:UpdateUser",
    "sts:AssumeRole",
    "sts:DecodeAuthorizationMessage",
    "sts:GetCallerIdentity",
    "sts:GetSessionToken",
    "ec2:AssociateIamInstanceProfile",
    "ec2:CreateTags",
    "ec2:DeleteTags",
    "ec2:DescribeIamInstanceProfileAssociations",
    "ec2:DescribeInstances",
    "ec2:DescribeRegions",
    "ec2:DisassociateIamInstanceProfile",
    "ec2:ReplaceIamInstanceProfileAssociation",
    "ec2:RunInstances",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "ec2:TerminateInstances",
    "s3:AbortMultipartUpload",
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:DeleteObject",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketLocation",
    "s3:GetBucketPolicy",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketTagging",
    "s3:GetObject",
    "s3:ListAllMyBuckets",
    "s3:ListBucket",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "s3:PutObject",
]


def test_every_action_the_console_authorizes_is_known():
    assert [a for a in CONSOLE_ACTIONS if access_level(a) is None] == []


def test_unknown_actions_and_services_have_no_level():
    assert access_level("iam:CreateUsr") is None
    assert access_level("notaservice:DoIt") is None
    assert access_level("iam") is None


# --- the heuristic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,level",
    [
        ("ListThings", LIST),
        ("DescribeThings", LIST),
        ("ListTagsForResource", LIST),
        ("GetThing", READ),
        ("HeadObject", READ),
        ("BatchGetItem", READ),
        ("SimulateCustomPolicy", READ),
        ("GenerateServiceLastAccessedDetails", READ),
        ("GenerateDataKey", WRITE),  # a Generate that is not a report
        ("TagResource", TAGGING),
        ("UntagResource", TAGGING),
        ("CreateTags", TAGGING),
        ("AddTagsToResource", TAGGING),
        ("RemoveTagsFromResource", TAGGING),
        ("PutBucketTagging", TAGGING),
        ("GetBucketTagging", READ),
        ("DeleteTagOption", WRITE),
        ("PutBucketPolicy", PERMISSIONS),
        ("PutKeyPolicy", PERMISSIONS),
        ("AddPermission", PERMISSIONS),
        ("PutObjectAcl", PERMISSIONS),
        ("CreateGrant", PERMISSIONS),
        ("RevokeGrant", PERMISSIONS),
        ("PutLifecyclePolicy", WRITE),  # a policy that is not about access
        ("PutScalingPolicy", WRITE),
        ("UpdateAccountPasswordPolicy", WRITE),
        ("CreateNetworkAcl", WRITE),
        ("RunInstances", WRITE),
    ],
)
def test_classify_follows_awss_naming_conventions(name, level):
    assert classify(name) == level


# --- summaries ----------------------------------------------------------------------------------


def test_administrator_access_is_full_access_to_every_service():
    result = summary.summarize(MANAGED["AdministratorAccess"]["Document"])
    assert result.deny == () and result.unrecognized == ()
    assert len(result.allow) == result.service_count == len(summary.catalogue().services)
    assert {row.access_level for row in result.allow} == {(FULL_ACCESS,)}
    iam = result.row("Allow", "iam")
    assert (iam.service, iam.access_level_text, iam.resource, iam.condition) == (
        "IAM",
        "Full access",
        "All resources",
        "None",
    )


def test_iam_read_only_access():
    """IAMReadOnlyAccess allows iam:Get*, iam:List* and four Generate/Simulate actions: every
    IAM action we classify List begins with List (Full: List), but Read also holds
    iam:GenerateOrganizationsAccessReport, which the policy does not name (Limited: Read)."""
    result = summary.summarize(MANAGED["IAMReadOnlyAccess"]["Document"])
    assert [(r.prefix, r.access_level) for r in result.allow] == [("iam", ("Full: List", "Limited: Read"))]
    assert result.allow[0].access_level_text == "Full: List Limited: Read"


def test_iam_get_and_list_only_is_limited():
    result = summary.summarize(doc(allow(["iam:GetUser", "iam:ListUsers", "iam:ListRoles"])))
    assert result.row("Allow", "iam").access_level == ("Limited: List, Read",)


def test_amazon_s3_read_only_access():
    result = summary.summarize(MANAGED["AmazonS3ReadOnlyAccess"]["Document"])
    rows = {r.prefix: r for r in result.allow}
    assert set(rows) == {"s3", "s3-object-lambda"}
    assert rows["s3"].access_level == ("Full: List, Read",)
    # botocore has no model of S3 Object Lambda: we know only the actions AWS's managed
    # policies name, so we do not claim that Get* covers all of its Read actions
    assert rows["s3-object-lambda"].access_level == ("Limited: List, Read",)
    assert rows["s3"].resource == "All resources" and rows["s3"].condition == "None"


def test_a_deny_statement_is_its_own_section():
    bucket = ["arn:aws:s3:::customer", "arn:aws:s3:::customer/*"]
    result = summary.summarize(
        doc(
            {"Sid": "FullAccess", "Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]},
            {"Sid": "DenyCustomerBucket", "Action": ["s3:*"], "Effect": "Deny", "Resource": bucket},
        )
    )
    deny, allow_ = result.row("Deny", "s3"), result.row("Allow", "s3")
    assert (deny.access_level_text, deny.resource) == ("Full access", "Multiple")
    assert (allow_.access_level_text, allow_.resource) == ("Full access", "All resources")
    assert [title for title, rows in result.sections] == ["Explicit deny", "Allow"]


def test_deny_of_some_actions():
    result = summary.summarize(
        doc(
            allow("s3:*"),
            {
                "Effect": "Deny",
                "Action": ["s3:DeleteBucket", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::photos",
            },
        )
    )
    row = result.row("Deny", "s3")
    assert (row.access_level, row.resource) == (("Limited: Write",), "arn:aws:s3:::photos")


def test_unknown_actions_and_services_are_listed_as_unrecognized():
    result = summary.summarize(doc(allow(["iam:CreateUsr", "iam:GetUser", "notaservice:DoIt"])))
    iam = result.row("Allow", "iam")
    assert iam.access_level == ("Limited: Read",)
    assert iam.unrecognized_actions == ("iam:CreateUsr",)
    assert [(u.prefix, u.effect, u.actions) for u in result.unrecognized] == [
        ("notaservice", "Allow", ("notaservice:DoIt",))
    ]
    assert result.has_unrecognized


def test_only_unknown_actions_of_a_known_service_give_no_access():
    result = summary.summarize(doc(allow("s3:GetObjekt")))
    row = result.row("Allow", "s3")
    assert row.access_level == () and row.access_level_text == "None"
    assert row.unrecognized_actions == ("s3:GetObjekt",)


def test_wildcards_and_case():
    result = summary.summarize(doc(allow(["IAM:list*", "ec2:Describe*", "s3:Get?bject"])))
    assert result.row("Allow", "iam").access_level == ("Full: List",)
    assert result.row("Allow", "ec2").access_level[0].startswith(("Full: List", "Limited: List"))
    assert result.row("Allow", "s3").access_level == ("Limited: Read",)
    assert summary.summarize(doc(allow("iam:*"))).row("Allow", "iam").access_level == (FULL_ACCESS,)


def test_not_action_gives_every_other_action():
    result = summary.summarize(MANAGED["PowerUserAccess"]["Document"])
    assert result.row("Allow", "ec2").access_level == (FULL_ACCESS,)
    # iam:* is excluded by NotAction; the second statement gives back a few IAM actions
    iam = result.row("Allow", "iam")
    assert iam.access_level == ("Limited: List, Write",)
    assert len(result.allow) == result.service_count


def test_not_action_of_some_actions_of_a_service():
    result = summary.summarize(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "NotAction": "iam:Delete*", "Resource": "*"},
        }
    )
    iam = result.row("Allow", "iam")
    assert iam.access_level == ("Full: List, Read, Tagging", "Limited: Write, Permissions management")
    assert result.row("Allow", "s3").access_level == (FULL_ACCESS,)


def test_resources_and_conditions():
    result = summary.summarize(
        doc(
            allow(
                "iam:ChangePassword",
                "arn:aws:iam::*:user/${aws:username}",
                Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            ),
            allow("s3:GetObject", ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]),
            {"Effect": "Allow", "Action": "ec2:StopInstances", "NotResource": "arn:aws:ec2:*:*:instance/i-1"},
        )
    )
    iam = result.row("Allow", "iam")
    assert iam.resource == "arn:aws:iam::*:user/${aws:username}"
    assert iam.condition == "aws:MultiFactorAuthPresent | Bool | true"
    assert result.row("Allow", "s3").resource == "Multiple"
    assert result.row("Allow", "ec2").resource == "All resources except arn:aws:ec2:*:*:instance/i-1"
    two = summary.summarize(
        doc(
            allow("iam:GetUser", "arn:aws:iam::111122223333:user/a"),
            allow("iam:GetRole", "arn:aws:iam::111122223333:role/b"),
        )
    )
    assert two.row("Allow", "iam").resource == "Multiple"


def test_the_summary_of_every_shipped_managed_policy():
    """Every AWS managed policy we ship summarises; the services they name that neither
    botocore nor AWS's own policies name otherwise are listed as unrecognized."""
    for name, item in MANAGED.items():
        result = summary.summarize(item["Document"])
        assert result.allow, name
    read_only = summary.summarize(MANAGED["ReadOnlyAccess"]["Document"])
    assert {u.prefix for u in read_only.unrecognized} <= {
        "codestar",
        "elemental-appliances-software",
        "freertos",
        "mobileanalytics",
        "robomaker",
    }


def test_the_catalogue_is_read_once():
    assert summary.catalogue() is summary.catalogue()
    iam = summary.catalogue().service("IAM")
    assert iam.name == "IAM" and sum(iam.counts.values()) == len(iam.levels)


def test_the_shipped_catalogue_is_what_the_installed_botocore_gives():
    """``access_levels.json`` is built from botocore (pinned in requirements.txt): rebuild it
    with ``python -m accounts.policy.build_access_levels`` when botocore moves."""
    from accounts.policy import build_access_levels

    version, models = build_access_levels.load_botocore_models()
    shipped = json.loads(summary.CATALOGUE.read_text())
    assert shipped["source"] == build_access_levels.source_label(version)
    assert build_access_levels.build(models)["services"] == shipped["services"]

"""The anonymous principal of an unsigned request: only a resource policy's Allow for "*" grants
it anything, never an account principal, and it carries no ARN and no account."""

import json

from accounts import authz
from accounts.principals import PrincipalType, anonymous_principal, policies_for

OWNER = "123456789012"
BUCKET = "arn:aws:s3:::public-site"
OBJECT = BUCKET + "/index.html"


def bucket_policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal, action="s3:GetObject", resource=BUCKET + "/*", effect="Allow", **extra):
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra}


def decide(policy, action="s3:GetObject", resource=OBJECT, **options):
    return authz.decide(
        anonymous_principal(), action, resource, resource_policy=policy, resource_account=OWNER, **options
    )


def test_anonymous_principal_has_no_account_no_arn_and_no_policies():
    anonymous = anonymous_principal()
    assert anonymous.type == PrincipalType.ANONYMOUS and anonymous.is_anonymous
    assert (anonymous.account_id, anonymous.arn, anonymous.user_id) == ("", "", "anonymous")
    assert not anonymous.is_root and not anonymous.is_role_session
    loaded = policies_for(anonymous)
    assert loaded.policy_set.identity == () and not loaded.policy_set.is_root


def test_without_a_resource_policy_anonymous_is_denied():
    assert not authz.is_allowed(anonymous_principal(), "s3:GetObject", OBJECT)
    assert not authz.is_allowed(anonymous_principal(), "s3:ListAllMyBuckets", "*")


def test_an_allow_for_everyone_grants_anonymous():
    assert decide(bucket_policy(allow("*"))).allowed
    assert decide(bucket_policy(allow({"AWS": "*"}))).allowed
    # only what the statement covers
    assert not decide(bucket_policy(allow("*")), action="s3:PutObject").allowed
    assert not decide(bucket_policy(allow("*")), action="s3:ListBucket", resource=BUCKET).allowed


def test_an_account_or_user_principal_does_not_grant_anonymous():
    assert not decide(bucket_policy(allow({"AWS": OWNER}))).allowed
    assert not decide(bucket_policy(allow({"AWS": f"arn:aws:iam::{OWNER}:root"}))).allowed
    assert not decide(bucket_policy(allow({"AWS": f"arn:aws:iam::{OWNER}:user/carol"}))).allowed


def test_an_explicit_deny_wins_over_the_public_allow():
    policy = bucket_policy(allow("*"), allow("*", effect="Deny", resource=BUCKET + "/private/*"))
    assert decide(policy).allowed
    d = decide(policy, resource=BUCKET + "/private/secret.txt")
    assert (d.allowed, d.decision.decision) == (False, "explicitDeny")


def test_conditions_see_anonymous_keys():
    policy = bucket_policy(allow("*", Condition={"StringEquals": {"aws:userid": "anonymous"}}))
    assert decide(policy).allowed
    # no aws:PrincipalArn and no aws:PrincipalAccount for anonymous
    arn = bucket_policy(allow("*", Condition={"StringLike": {"aws:PrincipalArn": "*"}}))
    assert not decide(arn).allowed
    account = bucket_policy(allow("*", Condition={"StringEquals": {"aws:PrincipalAccount": ""}}))
    assert not decide(account).allowed


def test_not_principal_allow_covers_anonymous():
    policy = bucket_policy(
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{OWNER}:user/mallory"},
            "Action": "s3:GetObject",
            "Resource": BUCKET + "/*",
        }
    )
    assert decide(policy).allowed

"""Root's full access stops at its own account: another account's resource must grant it."""

from tests.unit.policy.helpers import ACCOUNT, OTHER_ACCOUNT, decide, policy, stmt

BUCKET = "arn:aws:s3:::shared-reports"
OBJECT = BUCKET + "/q1.csv"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"


def bucket_policy(principal, effect="Allow"):
    return policy(
        stmt(effect=effect, action="s3:GetObject", resource=BUCKET + "/*", Principal=principal),
        kind="resource",
    )


def test_root_of_another_account_needs_the_resource_policy():
    d = decide([], "s3:GetObject", OBJECT, principal=OTHER_ROOT, is_root=True, resource_account=ACCOUNT)
    assert (d.decision, d.denied_by) == ("implicitDeny", "resource-based policy")
    other = bucket_policy({"AWS": "999999999999"})
    d = decide(
        [],
        "s3:GetObject",
        OBJECT,
        principal=OTHER_ROOT,
        is_root=True,
        resource_policy=other,
        resource_account=ACCOUNT,
    )
    assert not d.allowed


def test_root_of_another_account_granted_by_the_resource_policy():
    grant = bucket_policy({"AWS": OTHER_ACCOUNT})
    kwargs = {"principal": OTHER_ROOT, "is_root": True, "resource_policy": grant, "resource_account": ACCOUNT}
    assert decide([], "s3:GetObject", OBJECT, **kwargs).allowed
    # the grant covers GetObject only
    assert not decide([], "s3:PutObject", OBJECT, **kwargs).allowed


def test_root_in_its_own_account_keeps_full_access():
    root = f"arn:aws:iam::{ACCOUNT}:root"
    assert decide([], "s3:GetObject", OBJECT, principal=root, is_root=True, resource_account=ACCOUNT).allowed

"""Bucket policies as the gate weighs them: same account, cross-account (both sides must
allow), anonymous callers, explicit denies, Block Public Access (BlockPublicPolicy,
RestrictPublicBuckets, the account's switches), S3's condition keys, and who manages a bucket's
policy."""

import json

import pytest

from accounts import context
from accounts.errors import AccessDenied
from accounts.principals import anonymous_principal
from accounts.services import permissions
from s3.errors import S3Error
from s3.services import listing, objects, policies, public_access, tagging
from s3.shapes import NO_BLOCK, PublicAccessBlock, Tag
from tests.s3.conftest import principal, read

BUCKET = "policy-bucket"


def policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(
    principal_value, action="s3:GetObject", resource=f"arn:aws:s3:::{BUCKET}/*", effect="Allow", **extra
):
    return {"Effect": effect, "Principal": principal_value, "Action": action, "Resource": resource, **extra}


def grant_inline(root, user_name, document):
    permissions.put_user_policy(root, user_name=user_name, policy_name="Inline", policy_document=document)


@pytest.fixture
def bucket(root, make_bucket, put):
    make_bucket(root, BUCKET)
    put(root, BUCKET, "shared/a.txt", b"shared")
    put(root, BUCKET, "private/b.txt", b"private")
    return BUCKET


def test_a_bucket_policy_naming_a_user_grants_without_an_identity_policy(root, bucket, bob):
    with pytest.raises(AccessDenied) as caught:
        read(principal(bob), bucket, "shared/a.txt")
    assert caught.value.message == (
        f'User: {bob.arn} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::{bucket}/shared/a.txt" '
        "because no identity-based policy allows the s3:GetObject action"
    )
    policies.put_bucket_policy(
        root,
        bucket=bucket,
        policy=policy(allow({"AWS": bob.arn}, resource=f"arn:aws:s3:::{bucket}/shared/*")),
    )
    assert read(principal(bob), bucket, "shared/a.txt") == b"shared"
    with pytest.raises(AccessDenied):
        read(principal(bob), bucket, "private/b.txt")


def test_an_account_principal_delegates_to_identity_policies(root, bucket, bob, carol):
    policies.put_bucket_policy(root, bucket=bucket, policy=policy(allow({"AWS": root.account_id})))
    with pytest.raises(AccessDenied):
        read(principal(bob), bucket, "shared/a.txt")  # EC2 only: the account's grant needs his policies too
    assert read(principal(carol), bucket, "shared/a.txt") == b"shared"


def test_an_explicit_deny_wins_even_over_administrator_access(root, bucket, alice):
    policies.put_bucket_policy(
        root,
        bucket=bucket,
        policy=policy(
            allow("*", action="s3:DeleteObject", effect="Deny", resource=f"arn:aws:s3:::{bucket}/private/*")
        ),
    )
    with pytest.raises(AccessDenied) as caught:
        objects.delete_object(principal(alice), bucket=bucket, key="private/b.txt")
    assert caught.value.message.endswith("with an explicit deny in a resource-based policy")
    assert caught.value.message.startswith(f"User: {alice.arn} is not authorized to perform: s3:DeleteObject")
    objects.delete_object(principal(alice), bucket=bucket, key="shared/a.txt")


def test_cross_account_needs_both_sides(root, bucket, root_factory, user_factory):
    other_root = root_factory()
    lee = user_factory("lee", actor=other_root)
    lee_p = principal(lee)
    read_anything = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
    grant_inline(other_root, "lee", json.dumps({"Version": "2012-10-17", "Statement": [read_anything]}))
    # identity side only: the bucket's account has not granted anything
    with pytest.raises(AccessDenied) as caught:
        read(lee_p, bucket, "shared/a.txt")
    assert caught.value.message == "Access Denied"
    # both sides
    policies.put_bucket_policy(root, bucket=bucket, policy=policy(allow({"AWS": other_root.account_id})))
    assert read(lee_p, bucket, "shared/a.txt") == b"shared"
    with pytest.raises(AccessDenied):  # ListBucket is not in the bucket policy
        listing.list_objects_v2(lee_p, bucket=bucket)
    # the bucket's side only: lee's own account no longer allows it
    permissions.delete_user_policy(other_root, user_name="lee", policy_name="Inline")
    with pytest.raises(AccessDenied):
        read(principal(lee), bucket, "shared/a.txt")
    # the other account's root is no exception: the bucket policy must grant it
    read(principal(other_root), bucket, "shared/a.txt")
    policies.delete_bucket_policy(root, bucket=bucket)
    with pytest.raises(AccessDenied):
        read(principal(other_root), bucket, "shared/a.txt")


def test_anonymous_reads_only_through_a_public_policy(root, bucket, root_factory):
    anonymous = anonymous_principal()
    with pytest.raises(AccessDenied) as caught:
        read(anonymous, bucket, "shared/a.txt")
    assert caught.value.message == "Access Denied"
    public = policy(allow("*", resource=f"arn:aws:s3:::{bucket}/shared/*"))
    # BlockPublicPolicy (on for new buckets) refuses a public policy
    with pytest.raises(AccessDenied) as caught:
        policies.put_bucket_policy(root, bucket=bucket, policy=public)
    assert caught.value.message == (
        f'User: {root.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::{bucket}" '
        "because public policies are blocked by the BlockPublicPolicy block public access setting."
    )
    public_access.put_public_access_block(
        root, bucket=bucket, configuration=PublicAccessBlock(True, True, False, True)
    )
    policies.put_bucket_policy(root, bucket=bucket, policy=public)
    assert policies.get_bucket_policy_status(root, bucket=bucket) is True
    # RestrictPublicBuckets: the public policy serves the owner's account only
    with pytest.raises(AccessDenied):
        read(anonymous, bucket, "shared/a.txt")
    other = root_factory()
    with pytest.raises(AccessDenied):
        read(principal(other), bucket, "shared/a.txt")
    public_access.put_public_access_block(root, bucket=bucket, configuration=NO_BLOCK)
    assert read(anonymous, bucket, "shared/a.txt") == b"shared"
    assert read(principal(other), bucket, "shared/a.txt") == b"shared"
    with pytest.raises(AccessDenied):
        read(anonymous, bucket, "private/b.txt")
    with pytest.raises(AccessDenied):
        objects.put_object(anonymous, bucket=bucket, key="shared/x", body=None, content_length=0)
    # the account's switches apply to every bucket of it
    public_access.put_account_public_access_block(
        root, configuration=PublicAccessBlock(False, False, False, True)
    )
    with pytest.raises(AccessDenied):
        read(anonymous, bucket, "shared/a.txt")
    assert public_access.get_account_public_access_block(root).restrict_public_buckets
    public_access.delete_public_access_block(root, bucket=bucket)
    with pytest.raises(S3Error) as caught:
        public_access.get_public_access_block(root, bucket=bucket)
    assert caught.value.code == "NoSuchPublicAccessBlockConfiguration"


def test_list_condition_keys(root, bucket, user_factory):
    user_factory("prefixed")
    grant_inline(
        root,
        "prefixed",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:ListBucket",
                        "Resource": f"arn:aws:s3:::{bucket}",
                        "Condition": {
                            "StringLike": {"s3:prefix": ["shared/*", "shared/"]},
                            "StringEquals": {"s3:delimiter": "/"},
                        },
                    }
                ],
            }
        ),
    )
    from accounts.models import Identity

    actor = principal(Identity.objects.get(name="prefixed"))
    page = listing.list_objects_v2(actor, bucket=bucket, prefix="shared/", delimiter="/")
    assert [c.key for c in page.contents] == ["shared/a.txt"]
    with pytest.raises(AccessDenied):
        listing.list_objects_v2(actor, bucket=bucket, prefix="private/", delimiter="/")
    with pytest.raises(AccessDenied):
        listing.list_objects_v2(actor, bucket=bucket, prefix="shared/")


def test_transport_and_source_ip_conditions(root, bucket, carol):
    deny_plain_http = allow(
        "*",
        action="s3:*",
        effect="Deny",
        resource=[f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        Condition={"Bool": {"aws:SecureTransport": "false"}},
    )
    only_office = allow(
        {"AWS": carol.arn},
        action="s3:GetObject",
        effect="Deny",
        Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    )
    policies.put_bucket_policy(root, bucket=bucket, policy=policy(deny_plain_http, only_office))
    carol_p = principal(carol)

    def as_call(ip, secure):
        return context.activate(context.CallContext(source_ip=ip, secure_transport=secure))

    token = as_call("203.0.113.9", False)
    try:
        with pytest.raises(AccessDenied) as caught:
            read(carol_p, bucket, "shared/a.txt")
        assert "explicit deny in a resource-based policy" in caught.value.message
    finally:
        context.deactivate(token)
    token = as_call("198.51.100.1", True)
    try:
        with pytest.raises(AccessDenied):
            read(carol_p, bucket, "shared/a.txt")
    finally:
        context.deactivate(token)
    token = as_call("203.0.113.9", True)
    try:
        assert read(carol_p, bucket, "shared/a.txt") == b"shared"
    finally:
        context.deactivate(token)


def test_resource_tag_condition(root, bucket, user_factory):
    user_factory("tagged")
    grant_inline(
        root,
        "tagged",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}},
                    }
                ],
            }
        ),
    )
    from accounts.models import Identity

    actor = principal(Identity.objects.get(name="tagged"))
    with pytest.raises(AccessDenied):
        read(actor, bucket, "shared/a.txt")
    tagging.put_bucket_tagging(root, bucket=bucket, tags=[Tag("team", "blue")])
    assert read(actor, bucket, "shared/a.txt") == b"shared"
    assert [t.key for t in tagging.get_bucket_tagging(root, bucket=bucket)] == ["team"]


def test_who_manages_the_bucket_policy(root, bucket, alice, carol, root_factory, user_factory):
    lockout = policy(
        allow(
            "*", action="s3:*", effect="Deny", resource=[f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
        )
    )
    policies.put_bucket_policy(principal(alice), bucket=bucket, policy=lockout)
    with pytest.raises(AccessDenied):
        policies.get_bucket_policy(principal(alice), bucket=bucket)
    # the owner's root may always read, replace and delete it
    assert policies.get_bucket_policy(root, bucket=bucket) == lockout
    policies.delete_bucket_policy(root, bucket=bucket)
    with pytest.raises(S3Error) as caught:
        policies.get_bucket_policy(root, bucket=bucket)
    assert (caught.value.code, caught.value.message) == (
        "NoSuchBucketPolicy",
        "The bucket policy does not exist",
    )
    with pytest.raises(AccessDenied):
        policies.put_bucket_policy(principal(carol), bucket=bucket, policy=policy(allow({"AWS": carol.arn})))
    # another account's administrator whom the bucket policy allows: 405, as AWS answers
    other_root = root_factory()
    policies.put_bucket_policy(
        root,
        bucket=bucket,
        policy=policy(
            allow(
                {"AWS": other_root.account_id}, action="s3:GetBucketPolicy", resource=f"arn:aws:s3:::{bucket}"
            )
        ),
    )
    with pytest.raises(S3Error) as caught:
        policies.get_bucket_policy(principal(other_root), bucket=bucket)
    assert (caught.value.code, caught.value.status) == ("MethodNotAllowed", 405)


def test_malformed_policies_are_refused_with_s3_messages(root, bucket):
    with pytest.raises(S3Error) as caught:
        policies.put_bucket_policy(root, bucket=bucket, policy="file://policy.json")
    assert (caught.value.code, caught.value.message) == (
        "MalformedPolicy",
        "Policies must be valid JSON and the first byte must be '{'",
    )
    with pytest.raises(S3Error) as caught:
        policies.put_bucket_policy(
            root, bucket=bucket, policy=policy(allow({"AWS": f"arn:aws:iam::{root.account_id}:user/ghost"}))
        )
    assert caught.value.message == "Invalid principal in policy"
    with pytest.raises(S3Error) as caught:
        policies.put_bucket_policy(
            root, bucket=bucket, policy=policy(allow("*", resource="arn:aws:s3:::elsewhere/*"))
        )
    assert caught.value.message == "Policy has invalid resource"

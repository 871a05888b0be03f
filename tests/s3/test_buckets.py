"""Buckets through the services: CreateBucket (names, Regions, the global namespace),
ListBuckets, HeadBucket, GetBucketLocation, DeleteBucket, and the audit trail."""

import pytest

from accounts.errors import AccessDenied
from accounts.models import AuditEvent
from s3.errors import S3Error
from s3.services import buckets, public_access
from tests.s3.conftest import principal


def code_of(excinfo) -> str:
    return excinfo.value.code


def test_create_list_head_locate_delete(root, make_bucket):
    created = make_bucket(root, "team-reports", region="eu-west-1")
    assert (created.name, created.bucket_region) == ("team-reports", "eu-west-1")
    make_bucket(root, "alpha-bucket", region="us-east-1")
    listed = buckets.list_buckets(root)
    assert [b.name for b in listed.buckets] == ["alpha-bucket", "team-reports"]
    assert len(listed.owner.id) == 64
    assert buckets.head_bucket(root, bucket="team-reports").bucket_region == "eu-west-1"
    assert buckets.get_bucket_location(root, bucket="team-reports") == "eu-west-1"
    assert buckets.get_bucket_location(root, bucket="alpha-bucket") == ""
    buckets.delete_bucket(root, bucket="alpha-bucket")
    assert [b.name for b in buckets.list_buckets(root).buckets] == ["team-reports"]
    event = AuditEvent.objects.filter(action="s3:DeleteBucket").get()
    assert (event.result, event.target, event.actor_arn) == ("Success", "arn:aws:s3:::alpha-bucket", root.arn)


def test_new_buckets_block_public_access(root, make_bucket):
    make_bucket(root, "blocked-by-default")
    block = public_access.get_public_access_block(root, bucket="blocked-by-default")
    assert block.all_on


@pytest.mark.parametrize("name", ["ab", "Upper-Case", "under_score", "192.168.1.1", "xn--punycode", "a..b"])
def test_invalid_names(root, name):
    with pytest.raises(S3Error) as caught:
        buckets.create_bucket(root, bucket=name)
    assert caught.value.code == "InvalidBucketName"
    assert caught.value.message == "The specified bucket is not valid."
    assert caught.value.fields["BucketName"] == name


def test_the_namespace_is_global(root, root_factory, make_bucket):
    make_bucket(root, "shared-name")
    other = root_factory()
    with pytest.raises(S3Error) as caught:
        buckets.create_bucket(other, bucket="shared-name")
    assert code_of(caught) == "BucketAlreadyExists"
    assert caught.value.status == 409
    with pytest.raises(S3Error) as caught:
        buckets.create_bucket(root, bucket="shared-name", location_constraint="ap-northeast-2")
    assert code_of(caught) == "BucketAlreadyOwnedByYou"
    # us-east-1 answers a re-creation by its owner with success, as AWS does
    make_bucket(root, "legacy-east", region="us-east-1")
    assert buckets.create_bucket(root, bucket="legacy-east").name == "legacy-east"


def test_regions(root):
    with pytest.raises(S3Error) as caught:
        buckets.create_bucket(root, bucket="bad-region", location_constraint="mars-north-1")
    assert code_of(caught) == "InvalidLocationConstraint"
    with pytest.raises(S3Error) as caught:
        buckets.create_bucket(root, bucket="bad-region", location_constraint="us-east-1")
    assert code_of(caught) == "InvalidLocationConstraint"
    with pytest.raises(S3Error) as caught:
        buckets.create_bucket(root, bucket="bad-region", endpoint_region="eu-west-1")
    assert code_of(caught) == "IllegalLocationConstraintException"
    assert (
        buckets.create_bucket(root, bucket="eu-bucket", location_constraint="EU").bucket_region == "eu-west-1"
    )


def test_delete_needs_an_empty_bucket(root, make_bucket, put):
    make_bucket(root, "full-bucket")
    put(root, "full-bucket", "a.txt")
    with pytest.raises(S3Error) as caught:
        buckets.delete_bucket(root, bucket="full-bucket")
    assert (code_of(caught), caught.value.message) == (
        "BucketNotEmpty",
        "The bucket you tried to delete is not empty",
    )
    with pytest.raises(S3Error) as caught:
        buckets.delete_bucket(root, bucket="no-such-bucket")
    assert (code_of(caught), caught.value.status) == ("NoSuchBucket", 404)


def test_bob_is_refused_list_buckets_with_aws_message(root, bob, make_bucket):
    make_bucket(root, "bob-cannot-see")
    with pytest.raises(AccessDenied) as caught:
        buckets.list_buckets(principal(bob))
    assert caught.value.message == (
        f"User: {bob.arn} is not authorized to perform: s3:ListAllMyBuckets because no identity-based "
        "policy allows the s3:ListAllMyBuckets action"
    )
    refused = AuditEvent.objects.filter(action="s3:ListAllMyBuckets").get()
    assert (refused.result, refused.actor_arn) == ("AccessDenied", bob.arn)


def test_carol_lists_but_may_not_create(root, carol, make_bucket):
    make_bucket(root, "carol-sees")
    assert [b.name for b in buckets.list_buckets(principal(carol)).buckets] == ["carol-sees"]
    with pytest.raises(AccessDenied) as caught:
        buckets.create_bucket(principal(carol), bucket="carol-makes")
    assert caught.value.message == (
        f'User: {carol.arn} is not authorized to perform: s3:CreateBucket on resource: "arn:aws:s3:::carol-makes" '
        "because no identity-based policy allows the s3:CreateBucket action"
    )


def test_list_buckets_pages(root, make_bucket):
    for name in ("page-a", "page-b", "page-c"):
        make_bucket(root, name)
    first = buckets.list_buckets(root, max_buckets=2)
    assert [b.name for b in first.buckets] == ["page-a", "page-b"] and first.continuation_token
    rest = buckets.list_buckets(root, max_buckets=2, continuation_token=first.continuation_token)
    assert [b.name for b in rest.buckets] == ["page-c"] and rest.continuation_token is None
    assert [b.name for b in buckets.list_buckets(root, prefix="page-b").buckets] == ["page-b"]

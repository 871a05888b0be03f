"""Block Public Access: PutPublicAccessBlock, GetPublicAccessBlock, DeletePublicAccessBlock for
a bucket, and the account's own switches (S3 Control's Put/GetPublicAccessBlock)."""

from __future__ import annotations

from accounts.audit import add_detail
from accounts.services.base import iam_action, iam_read

from ..errors import AccessDenied, NoSuchPublicAccessBlockConfiguration
from ..models import AccountPublicAccessBlock
from ..shapes import PublicAccessBlock
from . import access

FIELDS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")


def _values(configuration: PublicAccessBlock) -> dict[str, bool]:
    return {name: bool(getattr(configuration, name)) for name in FIELDS}


@iam_action("s3:PutBucketPublicAccessBlock")
def put_public_access_block(actor, *, bucket: str, configuration: PublicAccessBlock) -> None:
    """Set the bucket's four switches. Raises NoSuchBucket, AccessDenied."""
    row = access.find_bucket(bucket)
    access.check(actor, "s3:PutBucketPublicAccessBlock", row)
    values = _values(configuration)
    add_detail(**values)
    for name, value in values.items():
        setattr(row, name, value)
    row.public_access_block = True
    row.save(update_fields=[*FIELDS, "public_access_block"])


@iam_read("s3:GetBucketPublicAccessBlock")
def get_public_access_block(actor, *, bucket: str) -> PublicAccessBlock:
    """The bucket's own switches. Raises NoSuchBucket, AccessDenied,
    NoSuchPublicAccessBlockConfiguration (none set)."""
    row = access.find_bucket(bucket)
    access.check(actor, "s3:GetBucketPublicAccessBlock", row)
    if not row.public_access_block:
        raise NoSuchPublicAccessBlockConfiguration(BucketName=bucket)
    return access.bucket_block(row)


@iam_action("s3:PutBucketPublicAccessBlock")
def delete_public_access_block(actor, *, bucket: str) -> None:
    """Remove the bucket's configuration (DeletePublicAccessBlock needs
    s3:PutBucketPublicAccessBlock, as in AWS). Raises NoSuchBucket, AccessDenied."""
    row = access.find_bucket(bucket)
    access.check(actor, "s3:PutBucketPublicAccessBlock", row)
    row.public_access_block = False
    for name in FIELDS:
        setattr(row, name, False)
    row.save(update_fields=[*FIELDS, "public_access_block"])


@iam_action("s3:PutAccountPublicAccessBlock")
def put_account_public_access_block(actor, *, configuration: PublicAccessBlock) -> None:
    """Set the switches of the caller's account (every bucket of it). Raises AccessDenied."""
    if actor.is_anonymous:
        raise AccessDenied(access.ACCESS_DENIED)
    access.check(actor, "s3:PutAccountPublicAccessBlock")
    values = _values(configuration)
    add_detail(**values)
    AccountPublicAccessBlock.objects.update_or_create(account_id=actor.account_id, defaults=values)


@iam_read("s3:GetAccountPublicAccessBlock")
def get_account_public_access_block(actor) -> PublicAccessBlock:
    """The caller's account's switches (all off when none are set). Raises AccessDenied."""
    if actor.is_anonymous:
        raise AccessDenied(access.ACCESS_DENIED)
    access.check(actor, "s3:GetAccountPublicAccessBlock")
    return access.account_block(actor.account_id)

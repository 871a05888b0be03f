"""Buckets: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation."""

from __future__ import annotations

import base64
import binascii

from django.db import transaction

from accounts.audit import add_detail, atomic_action
from accounts.services.base import iam_action, iam_read

from .. import naming
from ..errors import (
    AccessDenied,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    IllegalLocationConstraintException,
    InvalidArgument,
    InvalidBucketName,
    InvalidLocationConstraint,
    TooManyBuckets,
)
from ..models import Bucket, S3Object
from ..shapes import Bucket as BucketShape
from ..shapes import BucketList, PublicAccessBlock
from . import access

MAX_BUCKETS_PER_ACCOUNT = 10_000  # AWS's default quota of general purpose buckets
MAX_BUCKETS_PAGE = 10_000


def _shape(row: Bucket, *, with_access: bool = False) -> BucketShape:
    return BucketShape(
        name=row.name,
        creation_date=row.created_at,
        bucket_region=row.region,
        owner_account_id=row.account_id,
        access=access.access_label(row) if with_access else "",
    )


def _token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _from_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidArgument("The continuation token provided is incorrect") from None


@iam_read("s3:ListAllMyBuckets")
def list_buckets(
    actor,
    *,
    prefix: str | None = None,
    bucket_region: str | None = None,
    max_buckets: int | None = None,
    continuation_token: str | None = None,
    with_access: bool = False,
) -> BucketList:
    """The buckets the caller's account owns, by name (``with_access``: the console's Access
    column too). Raises AccessDenied."""
    access.check(actor, "s3:ListAllMyBuckets")
    if max_buckets is not None and not 1 <= max_buckets <= MAX_BUCKETS_PAGE:
        raise InvalidArgument(
            "Argument max-buckets must be an integer between 1 and 10000",
            ArgumentName="max-buckets",
            ArgumentValue=str(max_buckets),
        )
    rows = Bucket.objects.filter(account_id=actor.account_id)
    if prefix:
        rows = rows.filter(name__startswith=prefix)
    if bucket_region:
        rows = rows.filter(region=bucket_region)
    if continuation_token:
        rows = rows.filter(name__gt=_from_token(continuation_token))
    limit = max_buckets or MAX_BUCKETS_PAGE
    found = list(rows.order_by("name")[: limit + 1])
    truncated = len(found) > limit
    found = found[:limit]
    if with_access:
        shared = access.account_block(actor.account_id)
        for row in found:
            row._account_block = shared
    return BucketList(
        buckets=[_shape(row, with_access=with_access) for row in found],
        owner=access.canonical_owner(actor.account_id),
        continuation_token=_token(found[-1].name) if truncated and max_buckets else None,
        prefix=prefix,
    )


def check_bucket_name(name: str) -> None:
    """InvalidBucketName (with the rule it breaks) unless ``name`` follows S3's rules."""
    problem = naming.bucket_name_problem(name) if isinstance(name, str) else "Bucket name is required."
    if problem is not None:
        raise InvalidBucketName(BucketName=str(name), Reason=problem)


def _region(location_constraint: str | None, endpoint_region: str | None) -> str:
    if location_constraint is None or location_constraint == "":
        if endpoint_region and endpoint_region not in ("us-east-1", "aws-global"):
            raise IllegalLocationConstraintException()
        return "us-east-1"
    region = naming.LOCATION_ALIASES.get(location_constraint, location_constraint)
    if region == "us-east-1" or region not in naming.REGIONS:
        raise InvalidLocationConstraint(LocationConstraint=location_constraint)
    if endpoint_region and endpoint_region not in ("us-east-1", "aws-global", region):
        raise IllegalLocationConstraintException(
            f"The {location_constraint} location constraint is incompatible for the region specific "
            "endpoint this request was sent to."
        )
    return region


@iam_action("s3:CreateBucket")
def create_bucket(
    actor, *, bucket: str, location_constraint: str | None = None, endpoint_region: str | None = None
) -> BucketShape:
    """Create a bucket in the caller's account, in ``location_constraint``'s Region (us-east-1
    without one), with all four Block Public Access switches on as AWS creates buckets.

    Raises InvalidBucketName, AccessDenied, InvalidLocationConstraint,
    IllegalLocationConstraintException, BucketAlreadyOwnedByYou, BucketAlreadyExists,
    TooManyBuckets. In us-east-1, creating a bucket the caller already owns succeeds again, as
    it does in AWS."""
    check_bucket_name(bucket)
    if actor.is_anonymous:
        raise AccessDenied(access.ACCESS_DENIED)
    access.check(actor, "s3:CreateBucket", Bucket(name=bucket, account_id=actor.account_id))
    region = _region(location_constraint, endpoint_region)
    add_detail(bucket=bucket, region=region)
    existing = Bucket.objects.filter(name=bucket).first()
    if existing is not None:
        if existing.account_id != actor.account_id:
            raise BucketAlreadyExists(BucketName=bucket)
        if existing.region == "us-east-1" and region == "us-east-1":
            return _shape(existing)
        raise BucketAlreadyOwnedByYou(BucketName=bucket)
    if Bucket.objects.filter(account_id=actor.account_id).count() >= MAX_BUCKETS_PER_ACCOUNT:
        raise TooManyBuckets()
    row = Bucket.objects.create(name=bucket, account_id=actor.account_id, region=region)
    return _shape(row)


def console_create_bucket(
    actor, *, bucket: str, region: str, public_access_block: PublicAccessBlock | None = None
) -> BucketShape:
    """The console's Create bucket: CreateBucket, then PutPublicAccessBlock when the switches
    differ from the defaults (as AWS's console does), all or nothing."""
    from .public_access import put_public_access_block

    with atomic_action():
        created = create_bucket(
            actor,
            bucket=bucket,
            location_constraint=None if region == "us-east-1" else region,
        )
        if public_access_block is not None and not public_access_block.all_on:
            put_public_access_block(actor, bucket=bucket, configuration=public_access_block)
    return created


@iam_action("s3:DeleteBucket")
def delete_bucket(actor, *, bucket: str) -> None:
    """Delete an empty bucket (its policy and settings with it). Raises NoSuchBucket,
    AccessDenied, BucketNotEmpty."""
    row = access.find_bucket(bucket)
    access.check(actor, "s3:DeleteBucket", row)
    with transaction.atomic():
        locked = Bucket.objects.select_for_update().filter(pk=row.pk).first()
        if locked is None:
            return
        if S3Object.objects.filter(bucket=locked).exists():
            raise BucketNotEmpty(BucketName=bucket)
        locked.delete()


@iam_read("s3:ListBucket")
def head_bucket(actor, *, bucket: str) -> BucketShape:
    """Whether the bucket exists and the caller may list it (its Region either way, as
    x-amz-bucket-region says). Raises NoSuchBucket, AccessDenied (with ``region``)."""
    row = access.find_bucket(bucket)
    try:
        access.check(actor, "s3:ListBucket", row)
    except AccessDenied as exc:
        exc.region = row.region
        raise
    return _shape(row)


@iam_read("s3:GetBucketLocation")
def get_bucket_location(actor, *, bucket: str) -> str:
    """The bucket's LocationConstraint ("" for us-east-1). Raises NoSuchBucket, AccessDenied."""
    row = access.find_bucket(bucket)
    access.check(actor, "s3:GetBucketLocation", row)
    return "" if row.region == "us-east-1" else row.region


def describe_bucket(actor, *, bucket: str) -> BucketShape | None:
    """The console's bucket header (name, Region, creation date): what HeadBucket and
    GetBucketLocation tell; None when the caller may do neither."""
    try:
        return head_bucket(actor, bucket=bucket)
    except AccessDenied:
        return None

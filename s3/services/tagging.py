"""Bucket tags: PutBucketTagging, GetBucketTagging, DeleteBucketTagging. The gate sees them as
``aws:ResourceTag/<key>`` in every request on the bucket and its objects."""

from __future__ import annotations

from accounts.services.base import iam_action, iam_read

from ..errors import InvalidTag, NoSuchTagSet
from ..shapes import Tag
from . import access

MAX_TAGS = 50


def _check(tags: list[Tag]) -> list[dict]:
    if len(tags) > MAX_TAGS:
        raise InvalidTag("Object tags cannot be greater than 50")
    seen = set()
    out = []
    for tag in tags:
        if not 1 <= len(tag.key) <= 128 or tag.key.lower().startswith("aws:"):
            raise InvalidTag("The TagKey you have provided is invalid", TagKey=tag.key)
        if len(tag.value) > 256:
            raise InvalidTag("The TagValue you have provided is invalid", TagKey=tag.key)
        if tag.key in seen:
            raise InvalidTag("Cannot provide multiple Tags with the same key", TagKey=tag.key)
        seen.add(tag.key)
        out.append({"Key": tag.key, "Value": tag.value})
    return out


@iam_action("s3:PutBucketTagging")
def put_bucket_tagging(actor, *, bucket: str, tags: list[Tag]) -> None:
    row = access.find_bucket(bucket)
    access.check(actor, "s3:PutBucketTagging", row)
    row.tags = _check(tags)
    row.save(update_fields=["tags"])


@iam_read("s3:GetBucketTagging")
def get_bucket_tagging(actor, *, bucket: str) -> list[Tag]:
    row = access.find_bucket(bucket)
    access.check(actor, "s3:GetBucketTagging", row)
    if not row.tags:
        raise NoSuchTagSet(BucketName=bucket)
    return [Tag(t["Key"], t["Value"]) for t in row.tags]


@iam_action("s3:PutBucketTagging")
def delete_bucket_tagging(actor, *, bucket: str) -> None:
    row = access.find_bucket(bucket)
    access.check(actor, "s3:PutBucketTagging", row)
    row.tags = []
    row.save(update_fields=["tags"])

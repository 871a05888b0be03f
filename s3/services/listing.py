"""Listing a bucket: ListObjectsV2 and ListObjects (v1), with prefix, delimiter (common
prefixes), max-keys and paging as S3 pages.

Keys are listed in UTF-8 binary order (the database orders the stored key bytes). With a
delimiter, the keys that share a prefix up to the delimiter are rolled up into one common
prefix, and the listing jumps past all of them in one query instead of reading them. A common
prefix counts as one of max-keys. A marker (v1), start-after key or continuation token (v2)
that falls in a common prefix resumes after every key under it (that prefix was listed).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote

from accounts.services.base import iam_read

from ..errors import InvalidArgument
from ..models import S3Object
from ..naming import key_bytes, successor
from ..shapes import ObjectListing, ObjectSummary
from . import access

MAX_KEYS = 1000
BATCH = 1000


def _decode(data) -> str:
    return bytes(data).decode("utf-8")


def _summary(row, owner) -> ObjectSummary:
    return ObjectSummary(
        key=_decode(row["key"]),
        size=row["size"],
        etag=f'"{row["etag"]}"',
        last_modified=row["last_modified"],
        storage_class=row["storage_class"],
        owner=owner,
    )


def _check_max_keys(max_keys) -> int:
    if max_keys is None:
        return MAX_KEYS
    if not isinstance(max_keys, int) or max_keys < 0 or max_keys > 2147483647:
        raise InvalidArgument(
            "Argument maxKeys must be an integer between 0 and 2147483647",
            ArgumentName="maxKeys",
            ArgumentValue=str(max_keys),
        )
    return min(max_keys, MAX_KEYS)


def _check_encoding(encoding_type) -> str | None:
    if encoding_type in (None, ""):
        return None
    if encoding_type != "url":
        raise InvalidArgument(
            "Invalid Encoding Method specified in Request",
            ArgumentName="encoding-type",
            ArgumentValue=str(encoding_type),
        )
    return "url"


def _scan(bucket, *, prefix: bytes, delimiter: bytes, after: bytes | None, max_keys: int, owner):
    """(contents, common prefixes, truncated, last item) of one page, after key ``after``
    (exclusive; a common prefix there resumes past every key under it)."""
    upper = successor(prefix) if prefix else None
    # Where to start: strictly after ``after`` (or past its whole common prefix), and never
    # before the prefix.
    low, inclusive = prefix, True
    if after is not None and after >= prefix:
        low, inclusive = after, False
        if delimiter and after.startswith(prefix) and delimiter in after[len(prefix) :]:
            rolled = after[: len(prefix) + after[len(prefix) :].index(delimiter) + len(delimiter)]
            skip = successor(rolled)
            if skip is None:
                return [], [], False, None
            low, inclusive = skip, True
    contents: list[ObjectSummary] = []
    prefixes: list[str] = []
    last: bytes | None = None
    fields = ("key", "size", "etag", "last_modified", "storage_class")
    while True:
        qs = S3Object.objects.filter(bucket=bucket)
        qs = qs.filter(key__gte=low) if inclusive else qs.filter(key__gt=low)
        if upper is not None:
            qs = qs.filter(key__lt=upper)
        rows = list(qs.order_by("key").values(*fields)[:BATCH])
        if not rows:
            return contents, prefixes, False, last
        jumped = False
        for row in rows:
            key = bytes(row["key"])
            if len(contents) + len(prefixes) >= max_keys:
                return contents, prefixes, True, last
            rest = key[len(prefix) :]
            if delimiter and delimiter in rest:
                rolled = prefix + rest[: rest.index(delimiter) + len(delimiter)]
                prefixes.append(_decode(rolled))
                last = rolled
                skip = successor(rolled)
                if skip is None:
                    return contents, prefixes, False, last
                low, inclusive, jumped = skip, True, True
                break
            contents.append(_summary(row, owner))
            last = key
        if not jumped:
            if len(rows) < BATCH:
                return contents, prefixes, False, last
            low, inclusive = bytes(rows[-1]["key"]), False


def _encode(value: str | None, encoding: str | None) -> str | None:
    if value is None or encoding != "url":
        return value
    return quote(value, safe="/")


def _encoded(listing: ObjectListing) -> ObjectListing:
    """The listing with keys and prefixes URL-encoded (``encoding-type=url``)."""
    enc = listing.encoding_type
    if enc != "url":
        return listing
    contents = [
        ObjectSummary(
            key=_encode(s.key, enc),
            size=s.size,
            etag=s.etag,
            last_modified=s.last_modified,
            storage_class=s.storage_class,
            owner=s.owner,
        )
        for s in listing.contents
    ]
    return ObjectListing(
        name=listing.name,
        prefix=_encode(listing.prefix, enc),
        delimiter=_encode(listing.delimiter, enc),
        max_keys=listing.max_keys,
        contents=contents,
        common_prefixes=[_encode(p, enc) for p in listing.common_prefixes],
        is_truncated=listing.is_truncated,
        encoding_type=enc,
        continuation_token=listing.continuation_token,
        next_continuation_token=listing.next_continuation_token,
        start_after=_encode(listing.start_after, enc),
        marker=_encode(listing.marker, enc),
        next_marker=_encode(listing.next_marker, enc),
    )


def _list_context(prefix: str, delimiter: str, max_keys: int) -> dict:
    return {"s3:prefix": prefix, "s3:delimiter": delimiter, "s3:max-keys": str(max_keys)}


def _token(last: bytes) -> str:
    return base64.urlsafe_b64encode(b"\x01" + last).decode("ascii")


def _from_token(token: str) -> bytes:
    try:
        data = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        data = b""
    if not data.startswith(b"\x01"):
        raise InvalidArgument(
            "The continuation token provided is incorrect",
            ArgumentName="continuation-token",
            ArgumentValue=token,
        )
    return data[1:]


@iam_read("s3:ListBucket")
def list_objects_v2(
    actor,
    *,
    bucket: str,
    prefix: str = "",
    delimiter: str = "",
    max_keys: int | None = None,
    continuation_token: str | None = None,
    start_after: str | None = None,
    fetch_owner: bool = False,
    encoding_type: str | None = None,
) -> ObjectListing:
    """One page of the bucket's keys under ``prefix`` (S3's ListObjectsV2). Raises
    NoSuchBucket, AccessDenied (s3:ListBucket, with s3:prefix, s3:delimiter and s3:max-keys in
    the request context), InvalidArgument."""
    row = access.find_bucket(bucket)
    limit = _check_max_keys(max_keys)
    encoding = _check_encoding(encoding_type)
    prefix, delimiter = prefix or "", delimiter or ""
    access.check(
        actor,
        "s3:ListBucket",
        row,
        context=_list_context(prefix, delimiter, max_keys if max_keys is not None else MAX_KEYS),
    )
    after = None
    if continuation_token:
        after = _from_token(continuation_token)
    elif start_after:
        after = key_bytes(start_after)
    owner = access.canonical_owner(row.account_id) if fetch_owner else None
    contents, prefixes, truncated, last = _scan(
        row,
        prefix=key_bytes(prefix),
        delimiter=key_bytes(delimiter),
        after=after,
        max_keys=limit,
        owner=owner,
    )
    listing = ObjectListing(
        name=row.name,
        prefix=prefix,
        delimiter=delimiter,
        max_keys=max_keys if max_keys is not None else MAX_KEYS,
        contents=contents,
        common_prefixes=prefixes,
        is_truncated=truncated,
        encoding_type=encoding,
        continuation_token=continuation_token,
        next_continuation_token=_token(last) if truncated and last is not None else None,
        start_after=start_after,
    )
    return _encoded(listing)


@iam_read("s3:ListBucket")
def list_objects(
    actor,
    *,
    bucket: str,
    prefix: str = "",
    delimiter: str = "",
    marker: str | None = None,
    max_keys: int | None = None,
    encoding_type: str | None = None,
) -> ObjectListing:
    """One page of the bucket's keys (S3's ListObjects, version 1): ``NextMarker`` is given
    when a delimiter is (else the caller resumes after the last key). Raises NoSuchBucket,
    AccessDenied, InvalidArgument."""
    row = access.find_bucket(bucket)
    limit = _check_max_keys(max_keys)
    encoding = _check_encoding(encoding_type)
    prefix, delimiter = prefix or "", delimiter or ""
    access.check(
        actor,
        "s3:ListBucket",
        row,
        context=_list_context(prefix, delimiter, max_keys if max_keys is not None else MAX_KEYS),
    )
    owner = access.canonical_owner(row.account_id)
    contents, prefixes, truncated, last = _scan(
        row,
        prefix=key_bytes(prefix),
        delimiter=key_bytes(delimiter),
        after=key_bytes(marker) if marker else None,
        max_keys=limit,
        owner=owner,
    )
    listing = ObjectListing(
        name=row.name,
        prefix=prefix,
        delimiter=delimiter,
        max_keys=max_keys if max_keys is not None else MAX_KEYS,
        contents=contents,
        common_prefixes=prefixes,
        is_truncated=truncated,
        encoding_type=encoding,
        marker=marker or "",
        next_marker=last.decode("utf-8") if truncated and delimiter and last is not None else None,
    )
    return _encoded(listing)

"""Objects: PutObject, GetObject, HeadObject, DeleteObject, CopyObject.

An upload is received, hashed and verified before anything is stored (``storage.receive``
writes a staging file outside any transaction, so that a slow client holds no database lock),
then the object's row is written and its blob moved into place in one transaction: an upload
that is refused, interrupted or fails a check (Content-MD5, x-amz-content-sha256, a checksum)
leaves no object and no change to the object it would have replaced.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import add_detail
from accounts.errors import IAMError
from accounts.services.base import iam_action, iam_read

from .. import conf, storage
from ..errors import (
    BadDigest,
    EntityTooLarge,
    IncompleteBody,
    InvalidArgument,
    InvalidDigest,
    InvalidRange,
    InvalidRequest,
    KeyTooLongError,
    MetadataTooLarge,
    MissingContentLength,
    NoSuchBucket,
    NoSuchKey,
    NotModified,
    PreconditionFailed,
    XAmzContentSHA256Mismatch,
)
from ..models import S3Object
from ..naming import KEY_MAX_BYTES, key_bytes, key_problem
from ..shapes import CopyObjectResult, ObjectBody, ObjectInfo, PutObjectResult
from . import access, rows

MAX_METADATA_BYTES = 2048  # user-defined metadata (names and values, UTF-8)
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
# The system metadata S3 stores with an object and returns on GET and HEAD.
STORED_HEADERS = ("cache-control", "content-disposition", "content-encoding", "content-language", "expires")
HEX64 = re.compile(r"[0-9a-f]{64}")


def check_key(key: str) -> bytes:
    """The key's UTF-8 bytes; KeyTooLongError (over 1,024 bytes) or InvalidArgument."""
    problem = key_problem(key)
    if problem == "too-long":
        raise KeyTooLongError(Size=str(len(key.encode("utf-8"))), MaxSizeAllowed=str(KEY_MAX_BYTES))
    if problem is not None:
        raise InvalidArgument("Object key is not valid UTF-8 text of 1 to 1024 bytes.")
    return key_bytes(key)


def _metadata_size(metadata: dict[str, str]) -> int:
    return sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in metadata.items())


def _check_metadata(metadata: dict[str, str] | None) -> dict[str, str]:
    metadata = {str(k).lower(): str(v) for k, v in (metadata or {}).items()}
    size = _metadata_size(metadata)
    if size > MAX_METADATA_BYTES:
        raise MetadataTooLarge(Size=str(size), MaxSizeAllowed=str(MAX_METADATA_BYTES))
    return metadata


def _stored_headers(headers: dict[str, str] | None) -> dict[str, str]:
    out = {}
    for name, value in (headers or {}).items():
        lowered = name.lower()
        if lowered == "content-encoding":
            # aws-chunked is how the body travelled, not how it is stored
            value = ",".join(p.strip() for p in value.split(",") if p.strip().lower() != "aws-chunked")
        if lowered in STORED_HEADERS and value:
            out[lowered] = value
    return out


def _md5_of(content_md5: str | None) -> str | None:
    if content_md5 is None:
        return None
    try:
        digest = base64.b64decode(content_md5.strip(), validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        raise InvalidDigest(**{"Content-MD5": content_md5})
    return digest.hex()


def _info(bucket: str, row: S3Object) -> ObjectInfo:
    return ObjectInfo(
        bucket=bucket,
        key=row.key_text,
        size=row.size,
        etag=f'"{row.etag}"',
        last_modified=row.last_modified,
        content_type=row.content_type,
        metadata=dict(row.metadata or {}),
        headers=dict(row.headers or {}),
        storage_class=row.storage_class,
    )


def _find_object(bucket_row, key: str, kb: bytes) -> S3Object | None:
    return rows.object_at(bucket_row.pk, kb)


def _receive(
    stream,
    *,
    content_length: int | None,
    content_md5: str | None,
    payload_sha256: str | None,
    checksums: dict[str, str] | None,
    checksum_algorithms=(),
) -> storage.Staged:
    """Read and verify a body; the staged file, or an S3 error with nothing left behind."""
    limit = conf.max_object_size()
    if content_length is not None and content_length > limit:
        raise EntityTooLarge(ProposedSize=str(content_length), MaxSizeAllowed=str(limit))
    expected_md5 = _md5_of(content_md5)
    expected = {k.lower(): v for k, v in (checksums or {}).items()}
    names = {n for n in ({*expected, *checksum_algorithms}) if n in storage.CHECKSUMS}
    want_sha = payload_sha256 is not None and HEX64.fullmatch(payload_sha256.lower()) is not None
    try:
        staged, body_sha = storage.receive(
            stream, length=content_length, limit=limit, checksums=sorted(names), sha256=want_sha
        )
    except storage.BodyError as exc:
        if exc.kind == "too-large":
            raise EntityTooLarge(MaxSizeAllowed=str(limit)) from None
        raise IncompleteBody() from None
    try:
        if want_sha and body_sha != payload_sha256.lower():
            raise XAmzContentSHA256Mismatch(
                ClientComputedContentSHA256=payload_sha256, S3ComputedContentSHA256=body_sha
            )
        if expected_md5 is not None and expected_md5 != staged.md5_hex:
            raise BadDigest(
                ExpectedDigest=expected_md5,
                CalculatedDigest=base64.b64encode(bytes.fromhex(staged.md5_hex)).decode(),
            )
        trailers = getattr(stream, "trailers", None) or {}
        for name in names:
            want = expected.get(name) or trailers.get(f"x-amz-checksum-{name}")
            if want is not None and want != staged.checksums.get(name):
                raise BadDigest(
                    f"The {storage.CHECKSUMS[name]} you specified did not match the calculated checksum."
                )
    except BaseException:
        staged.discard()
        raise
    return staged


def _store(bucket_row, kb: bytes, staged: storage.Staged, **fields) -> S3Object:
    """Write the object's row and move its blob into place (inside the caller's transaction);
    the blob it replaces is deleted once the transaction commits. A bucket deleted meanwhile
    fails the row's foreign key (the transaction rolls back, the new blob is removed)."""
    blob = storage.commit(staged, bucket_row.pk)
    try:
        values = {**fields, "size": staged.size, "etag": staged.md5_hex, "blob": blob}
        obj = rows.object_at(bucket_row.pk, kb, for_update=True)
        old_blob = obj.blob if obj is not None else None
        if obj is None:
            try:
                with transaction.atomic():
                    obj = rows.insert_object(S3Object(bucket=bucket_row, key=kb, **values))
            except IntegrityError:  # a concurrent upload of the same key created it
                obj = S3Object.objects.select_for_update().get(bucket=bucket_row, key=kb)
                old_blob = obj.blob
        if old_blob is not None:
            rows.update_object(obj, values)
    except BaseException:
        storage.delete_blob(blob)
        raise
    if old_blob:
        transaction.on_commit(lambda: storage.delete_blob(old_blob))
    return obj


def _receive_put(
    actor,
    *,
    bucket: str,
    key: str,
    body,
    content_length: int | None,
    content_md5: str | None = None,
    metadata: dict | None = None,
    payload_sha256: str | None = None,
    checksums: dict | None = None,
    checksum_algorithms=(),
    **_,
) -> dict:
    """PutObject's slow part, before its transaction: the checks, then the body."""
    check_key(key)
    row = access.find_bucket(bucket)
    access.check(actor, "s3:PutObject", row, key)
    _check_metadata(metadata)
    if content_length is None and body is not None and not hasattr(body, "trailers"):
        raise MissingContentLength()
    staged = _receive(
        body,
        content_length=content_length,
        content_md5=content_md5,
        payload_sha256=payload_sha256,
        checksums=checksums,
        checksum_algorithms=checksum_algorithms,
    )
    return {"staged": staged, "bucket_row": row}


@iam_action("s3:PutObject", prepare=_receive_put)
def put_object(
    actor,
    *,
    bucket: str,
    key: str,
    body,
    content_length: int | None,
    content_type: str | None = None,
    content_md5: str | None = None,
    metadata: dict | None = None,
    headers: dict | None = None,
    payload_sha256: str | None = None,
    checksums: dict | None = None,
    checksum_algorithms=(),
    staged: storage.Staged | None = None,
    bucket_row=None,
) -> PutObjectResult:
    """Store ``body`` (a file-like object, ``content_length`` bytes) as ``key``, replacing the
    object there. Verifies Content-MD5 (BadDigest), x-amz-content-sha256
    (XAmzContentSHA256Mismatch), x-amz-checksum-crc32/sha1/sha256 (BadDigest), the size limit
    (EntityTooLarge) and the length (IncompleteBody) before anything is stored. Also raises
    NoSuchBucket, AccessDenied, KeyTooLongError, MetadataTooLarge."""
    try:
        obj = _store(
            bucket_row,
            key_bytes(key),
            staged,
            content_type=content_type or DEFAULT_CONTENT_TYPE,
            metadata=_check_metadata(metadata),
            headers=_stored_headers(headers),
            last_modified=timezone.now(),
        )
    finally:
        staged.discard()
    add_detail(size=obj.size)
    return PutObjectResult(etag=f'"{obj.etag}"', checksums=dict(staged.checksums))


def _object_for_read(actor, bucket: str, key: str):
    check_key(key)
    row = access.find_bucket(bucket)
    access.check(actor, "s3:GetObject", row, key)
    obj = _find_object(row, key, key_bytes(key))
    if obj is None:
        # AWS: NoSuchKey only for a caller who may list the bucket; others learn nothing
        access.check(actor, "s3:ListBucket", row)
        raise NoSuchKey(Key=key)
    return row, obj


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _etag_matches(header: str, etag: str) -> bool:
    wanted = [t.strip() for t in header.split(",")]
    return "*" in wanted or any(t.strip('"') == etag for t in wanted)


def _check_conditions(obj: S3Object, conditions: dict) -> None:
    """S3's conditional GET/HEAD: If-Match and If-Unmodified-Since fail with 412,
    If-None-Match and If-Modified-Since answer 304."""
    modified = obj.last_modified.replace(microsecond=0)
    if_match = conditions.get("if_match")
    if_unmodified = _http_date(conditions.get("if_unmodified_since"))
    if_none_match = conditions.get("if_none_match")
    if_modified = _http_date(conditions.get("if_modified_since"))
    if if_match is not None and not _etag_matches(if_match, obj.etag):
        raise PreconditionFailed(Condition="If-Match")
    if if_match is None and if_unmodified is not None and modified > if_unmodified:
        raise PreconditionFailed(Condition="If-Unmodified-Since")
    if if_none_match is not None and _etag_matches(if_none_match, obj.etag):
        raise NotModified(f'"{obj.etag}"', obj.last_modified)
    if if_none_match is None and if_modified is not None and modified <= if_modified:
        raise NotModified(f'"{obj.etag}"', obj.last_modified)


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (start, end) a Range header asks of an object of ``size`` bytes (S3 serves one range
    of bytes; anything else is ignored and the whole object served). InvalidRange when it
    starts past the end."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if match is None or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if not first:  # the last N bytes
        length = int(last)
        if length == 0:
            raise InvalidRange(RangeRequested=header, ActualObjectSize=str(size))
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise InvalidRange(RangeRequested=header, ActualObjectSize=str(size))
    return start, min(end, size - 1)


@iam_read("s3:GetObject")
def get_object(actor, *, bucket: str, key: str, range: str | None = None, **conditions) -> ObjectBody:  # noqa: A002
    """The object and its bytes (``range``: one byte range, 206 Partial Content). Raises
    NoSuchBucket, AccessDenied, NoSuchKey, InvalidRange, PreconditionFailed, and NotModified
    (not an error: 304)."""
    row, obj = _object_for_read(actor, bucket, key)
    _check_conditions(obj, conditions)
    wanted = parse_range(range, obj.size)
    start, end = wanted if wanted is not None else (0, obj.size - 1)
    handle = storage.open_blob(obj.blob)
    if start:
        handle.seek(start)
    return ObjectBody(
        info=_info(row.name, obj), file=handle, start=start, end=end, partial=wanted is not None
    )


@iam_read("s3:GetObject")
def head_object(actor, *, bucket: str, key: str, range: str | None = None, **conditions) -> ObjectBody:  # noqa: A002
    """GetObject's answer without the bytes (``file`` is None)."""
    row, obj = _object_for_read(actor, bucket, key)
    _check_conditions(obj, conditions)
    wanted = parse_range(range, obj.size)
    start, end = wanted if wanted is not None else (0, obj.size - 1)
    return ObjectBody(info=_info(row.name, obj), file=None, start=start, end=end, partial=wanted is not None)


@iam_action("s3:DeleteObject")
def delete_object(actor, *, bucket: str, key: str) -> None:
    """Delete the object (nothing to do when there is none, as S3 answers). Raises
    NoSuchBucket, AccessDenied."""
    check_key(key)
    row = access.find_bucket(bucket)
    access.check(actor, "s3:DeleteObject", row, key)
    obj = rows.object_at(row.pk, key_bytes(key), for_update=True)
    if obj is None:
        return
    blob = obj.blob
    obj.delete()
    transaction.on_commit(lambda: storage.delete_blob(blob))


def _receive_copy(
    actor,
    *,
    bucket: str,
    key: str,
    source_bucket: str,
    source_key: str,
    metadata_directive: str = "COPY",
    **_,
) -> dict:
    check_key(key)
    check_key(source_key)
    if metadata_directive not in ("COPY", "REPLACE"):
        raise InvalidArgument(
            "Unknown metadata directive.",
            ArgumentName="x-amz-metadata-directive",
            ArgumentValue=metadata_directive,
        )
    source_row = access.find_bucket(source_bucket)
    access.check(actor, "s3:GetObject", source_row, source_key)
    target = access.find_bucket(bucket)
    access.check(
        actor,
        "s3:PutObject",
        target,
        key,
        context={
            "s3:x-amz-copy-source": f"{source_bucket}/{source_key}",
            "s3:x-amz-metadata-directive": metadata_directive,
        },
    )
    source = _find_object(source_row, source_key, key_bytes(source_key))
    if source is None:
        raise NoSuchKey(Key=source_key)
    if (source_bucket, source_key) == (bucket, key) and metadata_directive == "COPY":
        raise InvalidRequest(
            "This copy request is illegal because it is trying to copy an object to itself without "
            "changing the object's metadata, storage class, website redirect location or encryption "
            "attributes."
        )
    with storage.open_blob(source.blob) as handle:
        staged = _receive(
            handle, content_length=source.size, content_md5=None, payload_sha256=None, checksums=None
        )
    return {"staged": staged, "source_row": source, "bucket_row": target}


@iam_action("s3:PutObject", prepare=_receive_copy)
def copy_object(
    actor,
    *,
    bucket: str,
    key: str,
    source_bucket: str,
    source_key: str,
    metadata_directive: str = "COPY",
    content_type: str | None = None,
    metadata: dict | None = None,
    headers: dict | None = None,
    staged: storage.Staged | None = None,
    source_row: S3Object | None = None,
    bucket_row=None,
) -> CopyObjectResult:
    """Copy an object (S3's CopyObject: s3:GetObject on the source, s3:PutObject on the
    target); its metadata too unless ``metadata_directive`` is REPLACE. Raises NoSuchBucket,
    NoSuchKey, AccessDenied, InvalidRequest (a copy onto itself that changes nothing)."""
    if metadata_directive == "REPLACE":
        fields = {
            "content_type": content_type or DEFAULT_CONTENT_TYPE,
            "metadata": _check_metadata(metadata),
            "headers": _stored_headers(headers),
        }
    else:
        fields = {
            "content_type": source_row.content_type,
            "metadata": dict(source_row.metadata or {}),
            "headers": dict(source_row.headers or {}),
        }
    try:
        obj = _store(bucket_row, key_bytes(key), staged, last_modified=timezone.now(), **fields)
    finally:
        staged.discard()
    add_detail(source=f"{source_bucket}/{source_key}")
    return CopyObjectResult(etag=f'"{obj.etag}"', last_modified=obj.last_modified)


def delete_objects(actor, *, bucket: str, keys: list[str]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """S3's DeleteObjects: DeleteObject for each key, each decided and audited on its own;
    returns (deleted keys, [(key, code, message)] of those refused or failed). Raises
    NoSuchBucket."""
    deleted, errors = [], []
    for key in keys:
        try:
            delete_object(actor, bucket=bucket, key=key)
        except NoSuchBucket:
            raise
        except IAMError as exc:
            errors.append((key, exc.code, exc.message))
            continue
        deleted.append(key)
    return deleted, errors


def console_delete_objects(
    actor, *, bucket: str, keys: list[str], prefixes: list[str]
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The console's Delete objects: the chosen objects, and every object under each chosen
    folder (found with ListObjectsV2, page by page), as DeleteObjects would."""
    from .listing import list_objects_v2

    wanted = list(keys)
    for prefix in prefixes:
        token = None
        while True:
            page = list_objects_v2(actor, bucket=bucket, prefix=prefix, continuation_token=token)
            wanted.extend(item.key for item in page.contents)
            if not page.is_truncated:
                break
            token = page.next_continuation_token
    return delete_objects(actor, bucket=bucket, keys=list(dict.fromkeys(wanted)))

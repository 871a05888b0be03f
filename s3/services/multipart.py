"""Multipart uploads (what ``aws s3 cp`` and boto3's upload_file use for large files):
CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, all
authorized as s3:PutObject on the object (AbortMultipartUpload as itself).

Each part is received and verified like a PutObject body and kept in the staging area; the
completion assembles the parts, in order, into one staged file (streamed, never in memory) and
stores it as the object in one transaction. The object's ETag is AWS's multipart form: the
MD5 of the parts' binary MD5s, a dash, the number of parts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.audit import add_detail
from accounts.services.base import iam_action

from .. import conf, storage
from ..errors import (
    EntityTooLarge,
    EntityTooSmall,
    InvalidArgument,
    InvalidPart,
    InvalidPartOrder,
    NoSuchUpload,
)
from ..models import MultipartUpload, UploadPart
from ..naming import key_bytes
from . import access
from .objects import DEFAULT_CONTENT_TYPE, _check_metadata, _receive, _store, _stored_headers, check_key

MIN_PART_SIZE = 5 * 1024 * 1024  # every part but the last (AWS's minimum)
MAX_PARTS = 10_000


@dataclass(frozen=True)
class CompletedUpload:
    bucket: str
    key: str
    etag: str


def _upload(bucket_row, key: str, upload_id: str, *, for_update: bool = False) -> MultipartUpload:
    qs = MultipartUpload.objects.filter(bucket=bucket_row, key=key_bytes(key), upload_id=upload_id)
    found = (qs.select_for_update() if for_update else qs).first()
    if found is None:
        raise NoSuchUpload(UploadId=upload_id)
    return found


@iam_action("s3:PutObject")
def create_multipart_upload(
    actor,
    *,
    bucket: str,
    key: str,
    content_type: str | None = None,
    metadata: dict | None = None,
    headers: dict | None = None,
) -> str:
    """Start an upload; returns its UploadId. Raises NoSuchBucket, AccessDenied,
    KeyTooLongError, MetadataTooLarge."""
    kb = check_key(key)
    row = access.find_bucket(bucket)
    access.check(actor, "s3:PutObject", row, key)
    upload = MultipartUpload.objects.create(
        bucket=row,
        key=kb,
        upload_id=secrets.token_urlsafe(48),
        initiator_arn=actor.arn,
        content_type=content_type or DEFAULT_CONTENT_TYPE,
        metadata=_check_metadata(metadata),
        headers=_stored_headers(headers),
    )
    return upload.upload_id


def _check_part_number(part_number) -> int:
    if not isinstance(part_number, int) or not 1 <= part_number <= MAX_PARTS:
        raise InvalidArgument(
            "Part number must be an integer between 1 and 10000, inclusive",
            ArgumentName="partNumber",
            ArgumentValue=str(part_number),
        )
    return part_number


def _receive_part(
    actor,
    *,
    bucket: str,
    key: str,
    upload_id: str,
    part_number: int,
    body,
    content_length: int | None,
    content_md5: str | None = None,
    payload_sha256: str | None = None,
    checksums: dict | None = None,
    checksum_algorithms=(),
    **_,
) -> dict:
    check_key(key)
    _check_part_number(part_number)
    row = access.find_bucket(bucket)
    access.check(actor, "s3:PutObject", row, key)
    _upload(row, key, upload_id)
    staged = _receive(
        body,
        content_length=content_length,
        content_md5=content_md5,
        payload_sha256=payload_sha256,
        checksums=checksums,
        checksum_algorithms=checksum_algorithms,
    )
    return {"staged": staged}


@iam_action("s3:PutObject", prepare=_receive_part)
def upload_part(
    actor,
    *,
    bucket: str,
    key: str,
    upload_id: str,
    part_number: int,
    body,
    content_length: int | None,
    content_md5: str | None = None,
    payload_sha256: str | None = None,
    checksums: dict | None = None,
    checksum_algorithms=(),
    staged: storage.Staged | None = None,
) -> str:
    """Receive one part (replacing an earlier part of the same number); returns its ETag.
    Raises NoSuchBucket, AccessDenied, NoSuchUpload, InvalidArgument, and PutObject's body
    errors (BadDigest, IncompleteBody, EntityTooLarge …)."""
    try:
        row = access.find_bucket(bucket)
        upload = _upload(row, key, upload_id, for_update=True)
        old = UploadPart.objects.filter(upload=upload, part_number=part_number).first()
        UploadPart.objects.update_or_create(
            upload=upload,
            part_number=part_number,
            defaults={
                "size": staged.size,
                "etag": staged.md5_hex,
                "path": staged.path,
                "last_modified": timezone.now(),
            },
        )
    except BaseException:
        staged.discard()
        raise
    if old is not None and old.path != staged.path:
        transaction.on_commit(lambda: _unlink(old.path))
    add_detail(part_number=part_number, size=staged.size)
    return f'"{staged.md5_hex}"'


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _assemble(actor, *, bucket: str, key: str, upload_id: str, parts: list[tuple[int, str]], **_) -> dict:
    """CompleteMultipartUpload's slow part: check the part list, then join the parts into one
    staged file (streamed)."""
    check_key(key)
    row = access.find_bucket(bucket)
    access.check(actor, "s3:PutObject", row, key)
    upload = _upload(row, key, upload_id)
    if not parts:
        raise InvalidArgument("You must specify at least one part", ArgumentName="CompleteMultipartUpload")
    numbers = [n for n, _ in parts]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        raise InvalidPartOrder(UploadId=upload_id)
    stored = {p.part_number: p for p in UploadPart.objects.filter(upload=upload)}
    chosen = []
    for number, etag in parts:
        part = stored.get(number)
        if part is None or etag.strip().strip('"') != part.etag:
            raise InvalidPart(UploadId=upload_id, PartNumber=str(number), ETag=etag)
        chosen.append(part)
    for part in chosen[:-1]:
        if part.size < MIN_PART_SIZE:
            raise EntityTooSmall(
                ProposedSize=str(part.size),
                MinSizeAllowed=str(MIN_PART_SIZE),
                PartNumber=str(part.part_number),
            )
    total = sum(p.size for p in chosen)
    limit = conf.max_object_size()
    if total > limit:
        raise EntityTooLarge(ProposedSize=str(total), MaxSizeAllowed=str(limit))
    digest = hashlib.md5(usedforsecurity=False)
    for part in chosen:
        digest.update(bytes.fromhex(part.etag))
    staged = _join([p.path for p in chosen], total)
    return {
        "staged": staged,
        "multipart_etag": f"{digest.hexdigest()}-{len(chosen)}",
        "upload_row": upload,
        "bucket_row": row,
    }


def _join(paths: list[str], total: int) -> storage.Staged:
    fd, path = tempfile.mkstemp(dir=conf.staging_dir(), prefix="complete-")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in paths:
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, out, storage.CHUNK)
    except BaseException:
        _unlink(path)
        raise
    return storage.Staged(path=path, size=total, md5_hex="")


@iam_action("s3:PutObject", prepare=_assemble)
def complete_multipart_upload(
    actor,
    *,
    bucket: str,
    key: str,
    upload_id: str,
    parts: list[tuple[int, str]],
    staged: storage.Staged | None = None,
    multipart_etag: str = "",
    upload_row: MultipartUpload | None = None,
    bucket_row=None,
) -> CompletedUpload:
    """Join the listed parts (ascending part numbers, each with its ETag) into the object.
    Raises NoSuchBucket, AccessDenied, NoSuchUpload, InvalidPart, InvalidPartOrder,
    EntityTooSmall (a part but the last under 5 MiB), EntityTooLarge."""
    staged.md5_hex = multipart_etag
    try:
        locked = MultipartUpload.objects.select_for_update().filter(pk=upload_row.pk).first()
        if locked is None:
            raise NoSuchUpload(UploadId=upload_id)
        _store(
            bucket_row,
            key_bytes(key),
            staged,
            content_type=locked.content_type,
            metadata=dict(locked.metadata or {}),
            headers=dict(locked.headers or {}),
            last_modified=timezone.now(),
        )
        paths = [p.path for p in UploadPart.objects.filter(upload=locked)]
        locked.delete()
    finally:
        staged.discard()
    transaction.on_commit(lambda: [_unlink(p) for p in paths])
    add_detail(parts=len(parts))
    return CompletedUpload(bucket=bucket, key=key, etag=f'"{multipart_etag}"')


@iam_action("s3:AbortMultipartUpload")
def abort_multipart_upload(actor, *, bucket: str, key: str, upload_id: str) -> None:
    """Drop an upload and its parts. Raises NoSuchBucket, AccessDenied, NoSuchUpload."""
    check_key(key)
    row = access.find_bucket(bucket)
    access.check(actor, "s3:AbortMultipartUpload", row, key)
    upload = _upload(row, key, upload_id, for_update=True)
    paths = [p.path for p in UploadPart.objects.filter(upload=upload)]
    upload.delete()
    transaction.on_commit(lambda: [_unlink(p) for p in paths])

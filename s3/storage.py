"""Object bytes: received into a staging file while they are hashed and counted, moved into
the object store only once verified, read back in chunks.

An upload is never written where an object lives: :func:`receive` writes a staging file (on
the store's own file system, so that :func:`commit` is an atomic rename for the default
``FileSystemStorage``), and a failed or interrupted upload only ever leaves a staging file,
which :meth:`Staged.discard` removes. Each stored object has a blob of its own (a fresh name
per upload), so that replacing an object never overwrites bytes a download may be reading; the
replaced blob is deleted once the new row is committed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import tempfile
import uuid
import zlib
from dataclasses import dataclass, field

from django.core.files import File

from . import conf

CHUNK = 1024 * 1024
# The checksum headers S3 verifies (x-amz-checksum-<name>), and how to compute each here.
CHECKSUMS = {"crc32": "CRC32", "sha1": "SHA1", "sha256": "SHA256"}


class _Crc32:
    def __init__(self):
        self.value = 0

    def update(self, data) -> None:
        self.value = zlib.crc32(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(4, "big")


def _checksum(name: str):
    return _Crc32() if name == "crc32" else hashlib.new(name)


class StagedFile(File):
    """A staging file as Django's storage API takes it: ``FileSystemStorage`` moves a file
    that has a ``temporary_file_path`` instead of copying it."""

    def temporary_file_path(self) -> str:
        return self.file.name


@dataclass
class Staged:
    """A received body, verified, waiting to be committed."""

    path: str
    size: int
    md5_hex: str
    checksums: dict[str, str] = field(default_factory=dict)  # name -> base64 digest

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


class BodyError(Exception):
    """The body could not be received: ``kind`` says why (``incomplete``, ``too-large``)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def receive(
    stream, *, length: int | None, limit: int, checksums=(), sha256: bool = False
) -> tuple[Staged, str]:
    """Read ``stream`` into a staging file, hashing as it goes; returns the staged file and
    the hex SHA-256 of the body (when ``sha256``). Reads exactly ``length`` bytes when given
    (fewer: ``BodyError("incomplete")``), else to the end of the stream; more than ``limit``
    bytes: ``BodyError("too-large")``. Never holds more than one chunk in memory."""
    md5 = hashlib.md5(usedforsecurity=False)
    sums = {name: _checksum(name) for name in checksums}
    body_sha = hashlib.sha256() if sha256 else None
    fd, path = tempfile.mkstemp(dir=conf.staging_dir(), prefix="upload-")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                want = CHUNK if length is None else min(CHUNK, length - size)
                if want <= 0:
                    break
                data = stream.read(want)
                if not data:
                    if length is not None:
                        raise BodyError("incomplete")
                    break
                size += len(data)
                if size > limit:
                    raise BodyError("too-large")
                md5.update(data)
                for h in sums.values():
                    h.update(data)
                if body_sha is not None:
                    body_sha.update(data)
                out.write(data)
    except BaseException:
        _unlink(path)
        raise
    staged = Staged(
        path=path,
        size=size,
        md5_hex=md5.hexdigest(),
        checksums={name: base64.b64encode(h.digest()).decode("ascii") for name, h in sums.items()},
    )
    return staged, body_sha.hexdigest() if body_sha is not None else ""


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def commit(staged: Staged, bucket_id: int) -> str:
    """Move a staged body into the object store under a fresh name; returns that name."""
    token = uuid.uuid4().hex
    name = f"{bucket_id}/{token[:2]}/{token}"
    storage = conf.object_storage()
    with open(staged.path, "rb") as handle:
        saved = storage.save(name, StagedFile(handle, name=name))
    staged.discard()  # gone already when the store moved it
    return saved


def open_blob(name: str):
    """The stored bytes of an object, as a file opened for reading."""
    return conf.object_storage().open(name, "rb")


def delete_blob(name: str) -> None:
    if name:
        conf.object_storage().delete(name)

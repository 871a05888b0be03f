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
import queue
import tempfile
import threading
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


class _BackgroundDigest:
    """Hashes fed from the reading thread and computed in another one: hashlib lets go of the
    GIL for large buffers, so MD5 (the ETag) and SHA-256 (the signed payload's) run beside the
    reading, the file write and the other checksums. At most ``depth`` chunks wait (memory stays bounded)."""

    def __init__(self, hashes: list, depth: int = 4):
        self._hashes = hashes
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            for h in self._hashes:
                h.update(data)

    def update(self, data: bytes) -> None:
        self._queue.put(data)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()


def receive(
    stream, *, length: int | None, limit: int, checksums=(), sha256: bool = False
) -> tuple[Staged, str]:
    """Read ``stream`` into a staging file, hashing as it goes; returns the staged file and
    the hex SHA-256 of the body (when ``sha256``). Reads exactly ``length`` bytes when given
    (fewer: ``BodyError("incomplete")``), else to the end of the stream; more than ``limit``
    bytes: ``BodyError("too-large")``. Holds a few chunks in memory at most."""
    md5 = hashlib.md5(usedforsecurity=False)
    sums = {name: _checksum(name) for name in checksums}
    body_sha = hashlib.sha256() if sha256 else None
    inline = list(sums.values())
    backgrounds = []
    if length is None or length > 2 * CHUNK:
        # a large body: MD5 and the payload's SHA-256 (the two slow ones) each on a thread of
        # its own, beside the reading and the file write
        backgrounds = [_BackgroundDigest([h]) for h in (md5, body_sha) if h is not None]
    else:
        inline += [h for h in (md5, body_sha) if h is not None]
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
                for background in backgrounds:
                    background.update(data)
                for h in inline:
                    h.update(data)
                out.write(data)
    except BaseException:
        _unlink(path)
        raise
    finally:
        for background in backgrounds:
            background.finish()
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

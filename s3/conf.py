"""The S3 app's settings, each read from Django's settings first, then the environment.

``S3_MAX_OBJECT_SIZE`` (``IAMCONSOLE_S3_MAX_OBJECT_SIZE``, bytes): the demo's size limit of one
object (AWS's is 5 GB for a single PutObject); larger uploads answer EntityTooLarge.

Object bytes go to the storage named ``s3objects`` in ``settings.STORAGES`` when there is one
(``django-storages``' ``storages.backends.s3.S3Storage`` keeps them in a real S3-compatible
store), else to a ``FileSystemStorage`` under ``VAR_DIR/s3/objects``. Metadata stays in the
database either way.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

DEFAULT_MAX_OBJECT_SIZE = 128 * 1024 * 1024
STORAGE_ALIAS = "s3objects"


def max_object_size() -> int:
    value = getattr(settings, "S3_MAX_OBJECT_SIZE", None)
    if value is None:
        value = os.environ.get("IAMCONSOLE_S3_MAX_OBJECT_SIZE", "").strip() or DEFAULT_MAX_OBJECT_SIZE
    return int(value)


def data_dir() -> Path:
    return Path(settings.VAR_DIR) / "s3"


def object_storage() -> Storage:
    if STORAGE_ALIAS in settings.STORAGES:
        return storages[STORAGE_ALIAS]
    return _filesystem(str(data_dir() / "objects"))


_filesystems: dict[str, FileSystemStorage] = {}


def _filesystem(location: str) -> FileSystemStorage:
    found = _filesystems.get(location)
    if found is None:
        found = _filesystems[location] = FileSystemStorage(location=location)
    return found


def staging_dir() -> Path:
    """Where uploads are written before they are verified: on the object store's own file
    system when it is one (so that moving an object into place is an atomic rename)."""
    storage = object_storage()
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.location).parent / "staging"
    else:
        path = data_dir() / "staging"
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Credential downloads: AWS's CSV formats and the one-time hand-over from the Retrieve step.

A fresh secret (console password, access key) is shown once. Its CSV can be downloaded from
that step only, as often as the learner clicks while the step is open (as in AWS's console),
and never once the learner leaves it: the bytes wait in a ``PendingDownload`` row, encrypted
at rest, named by the hash of a random token and bound to the session that made them (by the
hash of a random owner id kept in that session), for ten minutes at most. The session marks
that a step is open; the next console page the session loads (anything but the download
itself) deletes the row (``close_step``), so leaving the step costs one query, and other
pages none.

Spreadsheet formula injection: a cell that starts with ``= + - @`` (or a tab or CR) is run
as a formula by Excel and others. Only the cells a person chose (user names) are escaped
with a leading quote; a generated secret or a password is written as it is, since a changed
secret is a wrong one (an access key's secret starts with ``+`` once in 64 keys).
"""

import csv
import hashlib
import io
import secrets
from datetime import timedelta

from django.utils import timezone

from . import crypto
from .models import PendingDownload

PASSWORD_CSV_HEADER = ("User name", "Password", "Console sign-in URL")
ACCESS_KEY_CSV_HEADER = ("Access key ID", "Secret access key")
_OWNER_KEY = "iam_download_owner"
_OPEN_KEY = "iam_download_open"  # a Retrieve step with a download is open in this session
_TTL_SECONDS = 600


def escape_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ gets a leading quote."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def to_csv(header, rows, *, chosen=()) -> bytes:
    """The CSV of ``rows``; the columns whose index is in ``chosen`` (text a person typed) are
    escaped, every other cell is written as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell(str(cell)) if i in chosen else str(cell) for i, cell in enumerate(row)])
    return buffer.getvalue().encode("utf-8")


def password_csv(user_name: str, password: str, signin_url: str) -> bytes:
    return to_csv(PASSWORD_CSV_HEADER, [(user_name, password, signin_url)], chosen={0})


def access_key_csv(access_key_id: str, secret_access_key: str) -> bytes:
    return to_csv(ACCESS_KEY_CSV_HEADER, [(access_key_id, secret_access_key)])


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _owner(request, *, create: bool) -> str | None:
    owner = request.session.get(_OWNER_KEY)
    if owner is None and create:
        owner = request.session[_OWNER_KEY] = secrets.token_urlsafe(24)
    return owner


def stash(request, *, filename: str, content: bytes) -> str:
    """Keep ``content`` for one download from this session; returns the download token.

    Only the latest Retrieve step's file stays downloadable."""
    owner_hash = _hash(_owner(request, create=True))
    now = timezone.now()
    PendingDownload.objects.filter(owner_hash=owner_hash).delete()
    PendingDownload.objects.filter(expires_at__lte=now).delete()
    token = secrets.token_urlsafe(24)
    request.session[_OPEN_KEY] = True
    request.download_step_opened = True
    PendingDownload.objects.create(
        token_hash=_hash(token),
        owner_hash=owner_hash,
        filename=filename,
        content_encrypted=crypto.encrypt(content.decode("utf-8")),
        expires_at=now + timedelta(seconds=_TTL_SECONDS),
    )
    return token


def fetch(request, token: str):
    """The (filename, bytes) stashed under ``token`` by this session while its Retrieve step is
    open; None when gone (the learner left the step), expired or another session's."""
    owner = _owner(request, create=False)
    if owner is None:
        return None
    item = PendingDownload.objects.filter(
        token_hash=_hash(token), owner_hash=_hash(owner), expires_at__gt=timezone.now()
    ).first()
    if item is None:
        return None
    return item.filename, crypto.decrypt(item.content_encrypted).encode("utf-8")


def close_step(request) -> None:
    """The learner left the Retrieve step: its download is gone (no query unless one was open)."""
    if getattr(request, "download_step_opened", False) or not request.session.get(_OPEN_KEY):
        return
    del request.session[_OPEN_KEY]
    discard(request)


def discard(request) -> None:
    owner = _owner(request, create=False)
    if owner is not None:
        PendingDownload.objects.filter(owner_hash=_hash(owner)).delete()

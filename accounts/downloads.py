"""Credential downloads: AWS's CSV formats and the one-time hand-over from the Retrieve step.

A fresh secret (console password, later an access key) is shown once. Its CSV can be
downloaded from that step only, once: the bytes wait in the session encrypted (Fernet,
key derived from SECRET_KEY), expire after ten minutes, and are removed when taken.
"""

import base64
import csv
import hashlib
import io
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

PASSWORD_CSV_HEADER = ("User name", "Password", "Console sign-in URL")
ACCESS_KEY_CSV_HEADER = ("Access key ID", "Secret access key")
_SESSION_KEY = "iam_pending_downloads"
_TTL_SECONDS = 600


def escape_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ gets a leading quote."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def to_csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell(str(cell)) for cell in row])
    return buffer.getvalue().encode("utf-8")


def password_csv(user_name: str, password: str, signin_url: str) -> bytes:
    return to_csv(PASSWORD_CSV_HEADER, [(user_name, password, signin_url)])


def access_key_csv(access_key_id: str, secret_access_key: str) -> bytes:
    return to_csv(ACCESS_KEY_CSV_HEADER, [(access_key_id, secret_access_key)])


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"iamconsole.downloads:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def stash(request, *, filename: str, content: bytes) -> str:
    """Keep ``content`` for one download from this session; returns the download token."""
    token = secrets.token_urlsafe(24)
    # Only the latest Retrieve step's file stays downloadable.
    pending = {token: {"filename": filename, "content": _fernet().encrypt(content).decode()}}
    request.session[_SESSION_KEY] = pending
    return token


def take(request, token: str):
    """The (filename, bytes) stashed under ``token``, removed as it is taken; None if gone."""
    pending = request.session.get(_SESSION_KEY) or {}
    item = pending.pop(token, None)
    request.session[_SESSION_KEY] = pending
    if item is None:
        return None
    try:
        content = _fernet().decrypt(item["content"].encode(), ttl=_TTL_SECONDS)
    except InvalidToken:
        return None
    return item["filename"], content


def discard(request) -> None:
    request.session.pop(_SESSION_KEY, None)

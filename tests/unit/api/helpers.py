"""Shared helpers of the SigV4 tests: reading AWS's suite files, signing with botocore."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from accounts.api.sigv4 import SignedRequest

SUITE = Path(__file__).resolve().parent / "sigv4_suite"
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_TIME = datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)
SUITE_SCOPE = "20150830/us-east-1/service/aws4_request"

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def suite_cases() -> list[Path]:
    """Each case's directory (the one holding its .req file), sorted by name."""
    return sorted((req.parent for req in SUITE.rglob("*.req")), key=lambda p: p.name)


def suite_file(case: Path, ext: str) -> str:
    return (case / f"{case.name}.{ext}").read_text(encoding="utf-8")


def parse_http(text: str, *, s3: bool = False) -> SignedRequest:
    """A request in the suite's format: request line, headers (folded lines allowed), blank line, body."""
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    method, _, rest = lines[0].partition(" ")
    target = rest.rsplit(" ", 1)[0]
    path, _, query = target.partition("?")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + "\n" + line)
            continue
        name, _, value = line.partition(":")
        headers.append((name, value))
    return SignedRequest(
        method=method,
        path=path,
        query_string=query,
        headers=headers,
        body=body.encode("utf-8") if sep else b"",
        s3=s3,
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def from_botocore(aws_request, *, s3: bool = False, body: bytes | None = None) -> SignedRequest:
    """The SignedRequest a server would see for a botocore AWSRequest signed in place."""
    prepared = aws_request.prepare()
    parts = urlsplit(prepared.url)
    headers = [
        (name, value.decode() if isinstance(value, bytes) else value)
        for name, value in prepared.headers.items()
    ]
    if not any(name.lower() == "host" for name, _ in headers):
        headers.append(("Host", parts.netloc))
    if body is None:
        data = prepared.body
        if data is None:
            body = b""
        elif isinstance(data, str):
            body = data.encode("utf-8")
        else:
            body = bytes(data)
    return SignedRequest(
        method=prepared.method,
        path=parts.path or "/",
        query_string=parts.query,
        headers=headers,
        body=body,
        s3=s3,
    )

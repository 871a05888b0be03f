"""Helpers of the tests against the live server: access keys (from the console's one-time CSV
or the services), boto3 clients, raw HTTP, SigV4 signing of hand-made requests."""

from __future__ import annotations

import csv
import hashlib
import hmac
import http.client
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from accounts.api import sigv4

DOWNLOAD = re.compile(r'action="(/iam/credentials/[^"/]+\.csv)"')
REGION = "us-east-1"


@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret_access_key: str


def keys_from_console(client, user_name: str) -> Keys:
    """An access key made on the user's Security credentials tab, read from the one-time CSV."""
    base = f"/iam/users/{user_name}/access-keys/create/"
    page = client.post(base, {"use_case": "cli", "confirm": "on", "description": "s3 tests"})
    assert page.status_code == 200, page.status_code
    link = DOWNLOAD.search(page.content.decode())
    assert link is not None, "the Retrieve step offers no CSV download"
    rows = list(csv.reader(io.StringIO(client.post(link.group(1)).content.decode("utf-8"))))
    assert rows[0] == ["Access key ID", "Secret access key"]
    return Keys(*rows[1][:2])


def keys_from_services(actor, user_name: str | None = None) -> Keys:
    from accounts.services import access_keys

    made = access_keys.create_access_key(actor, user_name=user_name)
    return Keys(made.access_key_id, made.secret_access_key)


def s3_client(endpoint: str, keys: Keys | None, **config):
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    options = {
        "retries": {"max_attempts": 1, "mode": "standard"},
        "s3": {"addressing_style": "path"},
        **config,
    }
    if keys is None:
        options["signature_version"] = UNSIGNED
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=keys.access_key_id if keys else "unused",
        aws_secret_access_key=keys.secret_access_key if keys else "unused",
        config=Config(**options),
    )


def error_of(excinfo) -> tuple[str, str, int]:
    error = excinfo.value.response["Error"]
    return (
        error.get("Code"),
        error.get("Message"),
        excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"],
    )


def raw(
    endpoint: str,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict | None = None,
    host: str | None = None,
):
    """(status, headers, body) of a request sent as given (nothing signed unless the caller did)."""
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        all_headers = {"Host": host or parts.netloc, **(headers or {})}
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def sign(method: str, host: str, path: str, headers: dict, keys: Keys, payload_hash: str, query: str = ""):
    """Headers of a SigV4-signed S3 request (Authorization added), and the seed signature."""
    now = datetime.now(UTC)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    signed = {"host": host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash, **headers}
    names = sorted(k.lower() for k in signed)
    request = sigv4.SignedRequest(method, path, query, list(signed.items()), None, s3=True)
    canonical = sigv4.canonical_request(request, names, payload_hash)
    key = sigv4.signing_key(keys.secret_access_key, amz_date[:8], REGION, "s3")
    signature = hmac.new(
        key, sigv4.string_to_sign(canonical, amz_date, scope).encode(), hashlib.sha256
    ).hexdigest()
    signed["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={keys.access_key_id}/{scope}, SignedHeaders={';'.join(names)}, "
        f"Signature={signature}"
    )
    return signed, signature, key, amz_date, scope


def aws_chunked(data: bytes, chunk: int, *, key: bytes, seed: str, amz_date: str, scope: str) -> bytes:
    """``data`` as a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body: signed chunks, then the empty one."""
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)] + [b""]
    previous, out = seed, []
    for piece in pieces:
        to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256-PAYLOAD",
                amz_date,
                scope,
                previous,
                sigv4.EMPTY_SHA256,
                hashlib.sha256(piece).hexdigest(),
            ]
        )
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        out.append(f"{len(piece):x};chunk-signature={signature}\r\n".encode() + piece + b"\r\n")
        previous = signature
    return b"".join(out)

"""Recognize S3 requests before URL resolution, and answer them.

A request is S3's when its SigV4 credential scope names the ``s3`` service (the Authorization
header, or a presigned URL's ``X-Amz-Credential``), when it carries S3's older ``AWS
key:signature`` header (answered with S3's refusal of that mechanism), when its Host is
virtual-host style (``<bucket>.s3.<host>``, ``<host>`` one of ALLOWED_HOSTS or ``amazonaws.com``)
or S3's own endpoint (``s3.<host>``), or, unsigned (public access), when its path is not the
console's and its first segment names an existing bucket. Everything else goes on to the
console (and ``/`` to the IAM/STS endpoint), untouched.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http.request import validate_host
from django.urls import Resolver404, resolve

from ..models import Bucket
from ..naming import REGIONS, is_valid_bucket_name
from . import endpoint

_S3_SCOPE = re.compile(r"Credential=[^/,\s]+/[0-9]{8}/[^/,\s]+/s3/aws4_request")
_S3_QUERY_SCOPE = re.compile(r"(?:^|&)X-Amz-Credential=[^&]*(?:/|%2F)s3(?:/|%2F)aws4_request", re.IGNORECASE)


class Route:
    """Where an S3 request goes: its bucket (None: the service, ListBuckets) and key (None:
    the bucket itself), and whether the bucket came from the Host."""

    __slots__ = ("bucket", "key_path", "virtual")

    def __init__(self, bucket: str | None, key_path: bytes | None, virtual: bool):
        self.bucket = bucket
        self.key_path = key_path
        self.virtual = virtual


def path_bytes(request) -> bytes:
    """The percent-decoded path as bytes (Django decoded WSGI's PATH_INFO as UTF-8, putting back
    as %XX any byte that was not UTF-8)."""
    return request.path_info.encode("utf-8")


def _host_route(request) -> tuple[bool, str | None]:
    """(is S3's endpoint, the virtual-host bucket or None) for the request's Host."""
    host = request.META.get("HTTP_HOST", "").lower()
    if host.startswith("["):
        return False, None
    host = host.rsplit(":", 1)[0] if ":" in host else host
    labels = host.split(".")
    if "s3" not in labels:
        return False, None
    index = labels.index("s3")
    after = labels[index + 1 :]
    if after and after[0] in REGIONS:
        after = after[1:]
    base = ".".join(after)
    if not base or not (base == "amazonaws.com" or validate_host(base, settings.ALLOWED_HOSTS)):
        return False, None
    bucket = ".".join(labels[:index]) or None
    if bucket is not None and not is_valid_bucket_name(bucket):
        return False, None
    return True, bucket


def _signed_for_s3(request) -> bool:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("AWS4-HMAC-SHA256"):
        return _S3_SCOPE.search(auth) is not None
    if auth.startswith("AWS "):
        return True  # S3's signature version 2 (refused with S3's message)
    query = request.META.get("QUERY_STRING", "")
    if "AWSAccessKeyId=" in query and "Signature=" in query:
        return True  # a signature version 2 presigned URL (refused with S3's message)
    return "X-Amz-Credential" in query and _S3_QUERY_SCOPE.search(query) is not None


def _split(path: bytes) -> Route:
    """Path-style: /<bucket>/<key>."""
    rest = path.lstrip(b"/")
    if not rest:
        return Route(None, None, False)
    bucket, slash, key = rest.partition(b"/")
    return Route(bucket.decode("latin-1"), key if slash and key else None, False)


def _console_path(request) -> bool:
    try:
        resolve(request.path_info)
    except Resolver404:
        return False
    return True


def recognize(request) -> Route | None:
    """The route of an S3 request, or None for the console's requests."""
    s3_host, virtual_bucket = _host_route(request)
    path = path_bytes(request)
    if virtual_bucket is not None:
        key = path.lstrip(b"/") if path.startswith(b"/") else path
        return Route(virtual_bucket, key or None, True)
    if s3_host or _signed_for_s3(request):
        return _split(path)
    if request.META.get("HTTP_AUTHORIZATION") or path in (b"", b"/"):
        return None
    # unsigned path-style: a public bucket, when the path is not the console's
    route = _split(path)
    if route.bucket is None or not is_valid_bucket_name(route.bucket) or _console_path(request):
        return None
    if not Bucket.objects.filter(name=route.bucket).exists():
        return None
    return route


class S3Middleware:
    """Answer S3 requests (registered right after WhiteNoise: no session, CSRF or sign-in
    applies to them; signed requests authenticate with SigV4, unsigned ones are anonymous)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = recognize(request)
        if route is None:
            return self.get_response(request)
        return endpoint.serve(request, route)

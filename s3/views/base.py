"""What the S3 console's views share: S3's own refusals and "not found" shown inside the S3
console (AWS's message in the page), and the key and prefix of a page's query string."""

from __future__ import annotations

import functools

from django.shortcuts import render
from django.utils.translation import gettext as _

from ..errors import AccessDenied, NoSuchBucket, NoSuchKey


def s3_page(view):
    """Render a refusal (403) or a missing bucket or object (404) inside the S3 console, with
    AWS's message, when the view does not handle it itself."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AccessDenied as exc:
            return render(
                request,
                "s3/error.html",
                {
                    "title": _("Access denied"),
                    "message": exc.message,
                    "denied": True,
                    "bucket": kwargs.get("bucket"),
                },
                status=403,
            )
        except (NoSuchBucket, NoSuchKey) as exc:
            return render(
                request,
                "s3/error.html",
                {
                    "title": _("Not found"),
                    "message": exc.message,
                    "code": exc.code,
                    "bucket": kwargs.get("bucket"),
                },
                status=404,
            )

    return wrapper


def prefix_of(request) -> str:
    """The folder (a key prefix ending in "/") a page is about, from ``?prefix=``."""
    prefix = request.GET.get("prefix", "") or request.POST.get("prefix", "")
    if prefix and not prefix.endswith("/"):
        prefix = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
    return prefix


def folders_of(prefix: str) -> list[tuple[str, str]]:
    """The breadcrumbs of a prefix: (folder name, its prefix) from the bucket down."""
    out, acc = [], ""
    for part in prefix.split("/")[:-1]:
        acc += part + "/"
        out.append((part, acc))
    return out

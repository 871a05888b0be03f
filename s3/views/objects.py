"""The S3 console's objects: a bucket's Objects (folders as prefixes), Properties and
Permissions tabs, Upload, Create folder, Delete objects, an object's overview and Download."""

from __future__ import annotations

import io
import mimetypes
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from accounts.errors import IAMError

from ..errors import (
    AccessDenied,
    NoSuchBucketPolicy,
    NoSuchPublicAccessBlockConfiguration,
    NoSuchTagSet,
    S3Error,
)
from ..forms import CreateFolderForm, PermanentlyDeleteForm, UploadForm
from ..services import buckets as bucket_services
from ..services import listing, objects, policies, public_access, tagging
from .base import folders_of, prefix_of, s3_page

TABS = ("objects", "properties", "permissions")
PAGE_SIZE = 1000


def bucket_url(bucket: str, prefix: str = "", tab: str = "objects") -> str:
    query = {"tab": tab} if tab != "objects" else {}
    if prefix:
        query["prefix"] = prefix
    url = reverse("s3:bucket_detail", args=[bucket])
    return f"{url}?{urlencode(query)}" if query else url


def _attempt(fn, *args, missing=(), **kwargs):
    """(result, AWS's refusal message); ``missing`` errors answer (None, None)."""
    try:
        return fn(*args, **kwargs), None
    except AccessDenied as exc:
        return None, exc.message
    except missing:
        return None, None


@s3_page
def bucket_detail(request, bucket):
    actor = request.principal
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "objects"
    prefix = prefix_of(request)
    info = bucket_services.describe_bucket(actor, bucket=bucket)
    context = {"bucket": bucket, "info": info, "tab": tab, "prefix": prefix, "folders": folders_of(prefix)}
    if tab == "objects":
        token = request.GET.get("token") or None
        page, denied = _attempt(
            listing.list_objects_v2,
            actor,
            bucket=bucket,
            prefix=prefix,
            delimiter="/",
            max_keys=PAGE_SIZE,
            continuation_token=token,
        )
        context.update(listing=page, denied=denied)
        if page is not None:
            folders = list(page.common_prefixes)
            files = [o for o in page.contents if o.key != prefix]
            context.update(
                folder_rows=[(p, p[len(prefix) :]) for p in folders],
                files=files,
                count=len(folders) + len(files),
            )
    elif tab == "properties":
        tags, tags_denied = _attempt(
            tagging.get_bucket_tagging, actor, bucket=bucket, missing=(NoSuchTagSet,)
        )
        context.update(tags=tags or [], tags_denied=tags_denied)
    else:
        context.update(_permissions(actor, bucket))
    return render(request, "s3/bucket_detail.html", context)


def _permissions(actor, bucket: str) -> dict:
    block, block_denied = _attempt(
        public_access.get_public_access_block,
        actor,
        bucket=bucket,
        missing=(NoSuchPublicAccessBlockConfiguration,),
    )
    account_block, _ = _attempt(public_access.get_account_public_access_block, actor)
    policy, policy_denied = _attempt(
        policies.get_bucket_policy, actor, bucket=bucket, missing=(NoSuchBucketPolicy, S3Error)
    )
    public, _ = _attempt(policies.get_bucket_policy_status, actor, bucket=bucket, missing=(S3Error,))
    return {
        "block": block,
        "block_denied": block_denied,
        "account_block": account_block,
        "policy": policy,
        "policy_denied": policy_denied,
        "policy_public": public,
    }


def _upload_one(actor, bucket: str, key: str, upload) -> None:
    content_type = upload.content_type
    if not content_type or content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(upload.name)[0] or content_type or "binary/octet-stream"
    upload.seek(0)
    objects.put_object(
        actor, bucket=bucket, key=key, body=upload, content_length=upload.size, content_type=content_type
    )


@s3_page
def object_upload(request, bucket):
    actor = request.principal
    prefix = prefix_of(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"bucket": bucket, "prefix": prefix, "form": form, "folders": folders_of(prefix)}
    if request.method != "POST":
        return render(request, "s3/object_upload.html", context)
    if not form.is_valid():
        return render(request, "s3/object_upload.html", context, status=400)
    succeeded, failed = [], []
    for upload in form.cleaned_data["files"]:
        key = prefix + upload.name
        try:
            _upload_one(actor, bucket, key, upload)
        except IAMError as exc:
            if exc.code == "NoSuchBucket":
                raise
            failed.append(
                {"name": upload.name, "key": key, "size": upload.size, "code": exc.code, "error": exc.message}
            )
            continue
        succeeded.append({"name": upload.name, "key": key, "size": upload.size})
    if not failed:
        total = sum(item["size"] for item in succeeded)
        messages.success(
            request,
            gettext("Upload succeeded: %(count)s file(s), %(total)s B uploaded to %(destination)s")
            % {"count": len(succeeded), "total": total, "destination": f"s3://{bucket}/{prefix}"},
        )
        return redirect(bucket_url(bucket, prefix))
    context.update(succeeded=succeeded, failed=failed)
    status = 403 if any(item["code"] == "AccessDenied" for item in failed) else 400
    return render(request, "s3/object_upload.html", context, status=status)


@s3_page
def folder_create(request, bucket):
    prefix = prefix_of(request)
    form = CreateFolderForm(request.POST or None)
    context = {"bucket": bucket, "prefix": prefix, "form": form, "folders": folders_of(prefix)}
    if request.method != "POST":
        return render(request, "s3/folder_create.html", context)
    if not form.is_valid():
        return render(request, "s3/folder_create.html", context, status=400)
    name = form.cleaned_data["folder_name"]
    try:
        objects.put_object(
            request.principal, bucket=bucket, key=f"{prefix}{name}/", body=io.BytesIO(b""), content_length=0
        )
    except AccessDenied as exc:
        context["denied"] = exc.message
        return render(request, "s3/folder_create.html", context, status=403)
    except S3Error as exc:
        if exc.code == "NoSuchBucket":
            raise
        form.add_error("folder_name", exc.message)
        return render(request, "s3/folder_create.html", context, status=400)
    messages.success(request, gettext('Successfully created folder "%(name)s".') % {"name": name})
    return redirect(bucket_url(bucket, prefix))


@s3_page
def objects_delete(request, bucket):
    """Delete objects: the objects and folders chosen on the Objects tab, confirmed by typing
    "permanently delete"."""
    if request.method != "POST":
        return redirect(bucket_url(bucket, prefix_of(request)))
    prefix = prefix_of(request)
    chosen = [k for k in request.POST.getlist("keys") if k]
    keys = [k for k in chosen if not k.endswith("/")]
    prefixes = [k for k in chosen if k.endswith("/")]
    confirming = "confirmation" in request.POST
    form = PermanentlyDeleteForm(request.POST if confirming else None)
    context = {
        "bucket": bucket,
        "prefix": prefix,
        "keys": keys,
        "prefixes": prefixes,
        "form": form,
        "folders": folders_of(prefix),
    }
    if not chosen:
        messages.error(request, gettext("Select the objects to delete."))
        return redirect(bucket_url(bucket, prefix))
    if not confirming:
        return render(request, "s3/objects_delete.html", context)
    if not form.is_valid():
        return render(request, "s3/objects_delete.html", context, status=400)
    deleted, errors = objects.console_delete_objects(
        request.principal, bucket=bucket, keys=keys, prefixes=prefixes
    )
    if not errors:
        messages.success(
            request, gettext("Successfully deleted %(count)s object(s).") % {"count": len(deleted)}
        )
        return redirect(bucket_url(bucket, prefix))
    context.update(
        deleted=deleted,
        errors=[{"key": k, "code": c, "message": m} for k, c, m in errors],
        done=True,
    )
    status = 403 if any(c == "AccessDenied" for _, c, _ in errors) else 400
    return render(request, "s3/objects_delete.html", context, status=status)


def _key_of(request) -> str:
    return request.GET.get("prefix", "")


@s3_page
def object_detail(request, bucket):
    key = _key_of(request)
    if not key:
        return redirect(bucket_url(bucket))
    head = objects.head_object(request.principal, bucket=bucket, key=key)
    prefix = key.rsplit("/", 1)[0] + "/" if "/" in key.rstrip("/") else ""
    base = request.build_absolute_uri("/").rstrip("/")
    context = {
        "bucket": bucket,
        "key": key,
        "info": head.info,
        "prefix": prefix,
        "folders": folders_of(prefix),
        "name": key.rstrip("/").rsplit("/", 1)[-1],
        "object_url": f"{base}/{bucket}/{_quote(key)}",
        "region": getattr(
            bucket_services.describe_bucket(request.principal, bucket=bucket), "bucket_region", None
        ),
    }
    return render(request, "s3/object_detail.html", context)


def _quote(key: str) -> str:
    return quote(key, safe="/~")


@s3_page
def object_download(request, bucket):
    key = _key_of(request)
    if not key:
        return redirect(bucket_url(bucket))
    body = objects.get_object(request.principal, bucket=bucket, key=key)
    name = key.rstrip("/").rsplit("/", 1)[-1] or "download"
    response = FileResponse(body.file, as_attachment=True, filename=name, content_type=body.info.content_type)
    response["Content-Length"] = str(body.content_length)
    response["ETag"] = body.info.etag
    return response

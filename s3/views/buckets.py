"""The S3 console's buckets: the Buckets list, Create bucket, Delete bucket."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms.common import ConfirmDeleteForm

from ..errors import AccessDenied, S3Error
from ..forms import CreateBucketForm
from ..services import buckets as bucket_services
from .base import s3_page

ALREADY_EXISTS = _("Bucket with the same name already exists")
NOT_EMPTY = _(
    "This bucket is not empty. Buckets must be empty before they can be deleted. To delete all objects "
    "in the bucket, delete them from its Objects tab first."
)


def bucket_list(request):
    try:
        listing = bucket_services.list_buckets(request.principal, with_access=True)
        buckets, denied = listing.buckets, None
    except AccessDenied as exc:
        buckets, denied = [], exc.message
    return render(
        request, "s3/bucket_list.html", {"buckets": buckets, "denied": denied}, status=403 if denied else 200
    )


def bucket_create(request):
    form = CreateBucketForm(request.POST or None)
    context = {"form": form}
    if request.method != "POST":
        return render(request, "s3/bucket_create.html", context)
    if not form.is_valid():
        return render(request, "s3/bucket_create.html", context, status=400)
    data = form.cleaned_data
    try:
        created = bucket_services.console_create_bucket(
            request.principal,
            bucket=data["bucket_name"],
            region=data["region"],
            public_access_block=form.configuration(),
        )
    except AccessDenied as exc:
        context["denied"] = exc.message
        return render(request, "s3/bucket_create.html", context, status=403)
    except S3Error as exc:
        if exc.code in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou"):
            form.add_error(
                "bucket_name",
                gettext("%(reason)s (%(code)s: %(message)s)")
                % {"reason": ALREADY_EXISTS, "code": exc.code, "message": exc.message},
            )
        else:
            form.add_error("bucket_name" if exc.code == "InvalidBucketName" else None, exc.message)
        return render(
            request, "s3/bucket_create.html", context, status=exc.status if exc.status < 500 else 400
        )
    messages.success(request, gettext('Successfully created bucket "%(name)s"') % {"name": created.name})
    return redirect("s3:bucket_list")


@s3_page
def bucket_delete(request, bucket):
    form = ConfirmDeleteForm(request.POST or None, expected=bucket, noun=gettext("name of the bucket"))
    context = {"form": form, "bucket": bucket}
    if request.method != "POST":
        return render(request, "s3/bucket_delete.html", context)
    if not form.is_valid():
        return render(request, "s3/bucket_delete.html", context, status=400)
    try:
        bucket_services.delete_bucket(request.principal, bucket=bucket)
    except AccessDenied as exc:
        context["denied"] = exc.message
        return render(request, "s3/bucket_delete.html", context, status=403)
    except S3Error as exc:
        if exc.code == "NoSuchBucket":
            raise
        form.add_error(None, str(NOT_EMPTY) if exc.code == "BucketNotEmpty" else exc.message)
        return render(
            request, "s3/bucket_delete.html", context, status=exc.status if exc.status < 500 else 400
        )
    messages.success(request, gettext('Successfully deleted bucket "%(name)s"') % {"name": bucket})
    return redirect("s3:bucket_list")

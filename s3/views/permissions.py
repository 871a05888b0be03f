"""The S3 console's permissions: the bucket policy editor (S3's validation, the faulty line
marked), Delete bucket policy, and the Block Public Access switches of a bucket and of the
account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms.common import ConfirmWordForm

from ..errors import (
    AccessDenied,
    MalformedPolicy,
    NoSuchBucketPolicy,
    NoSuchPublicAccessBlockConfiguration,
    S3Error,
)
from ..forms import BucketPolicyForm, PublicAccessBlockForm
from ..services import buckets as bucket_services
from ..services import policies, public_access
from ..shapes import NO_BLOCK
from .base import s3_page
from .objects import bucket_url


# What the editor offers for a bucket without a policy: a statement to complete, as AWS's
# policy generator starts (its Principal must be filled in).
def policy_template(bucket: str, account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Statement1",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                }
            ],
        },
        indent=4,
    )


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=4, ensure_ascii=False)
    except ValueError:
        return text


@s3_page
def bucket_policy_edit(request, bucket):
    actor = request.principal
    info = bucket_services.describe_bucket(actor, bucket=bucket)
    current, denied = None, None
    try:
        current = policies.get_bucket_policy(actor, bucket=bucket)
    except NoSuchBucketPolicy:
        current = None
    except AccessDenied as exc:
        denied = exc.message
    initial = {"policy_document": _pretty(current) if current else policy_template(bucket, actor.account_id)}
    form = BucketPolicyForm(request.POST or None, bucket=bucket, initial=initial)
    context = {
        "bucket": bucket,
        "info": info,
        "form": form,
        "bucket_arn": f"arn:aws:s3:::{bucket}",
        "read_denied": denied,
        "has_policy": current is not None,
    }
    if request.method != "POST":
        return render(request, "s3/bucket_policy_edit.html", context)
    if not form.is_valid():
        return render(request, "s3/bucket_policy_edit.html", context, status=400)
    try:
        policies.put_bucket_policy(actor, bucket=bucket, policy=form.cleaned_data["policy_document"])
    except AccessDenied as exc:
        context["denied"] = exc.message
        return render(request, "s3/bucket_policy_edit.html", context, status=403)
    except MalformedPolicy as exc:
        form.mark(exc)
        form.add_error("policy_document", exc.message)
        return render(request, "s3/bucket_policy_edit.html", context, status=400)
    except S3Error as exc:
        if exc.code == "NoSuchBucket":
            raise
        form.add_error(None, f"{exc.code}: {exc.message}")
        return render(
            request, "s3/bucket_policy_edit.html", context, status=exc.status if exc.status < 500 else 400
        )
    messages.success(request, _("Successfully edited bucket policy."))
    return redirect(bucket_url(bucket, tab="permissions"))


@s3_page
def bucket_policy_delete(request, bucket):
    form = ConfirmWordForm(request.POST or None)
    context = {"bucket": bucket, "form": form}
    if request.method != "POST":
        return render(request, "s3/bucket_policy_delete.html", context)
    if not form.is_valid():
        return render(request, "s3/bucket_policy_delete.html", context, status=400)
    try:
        policies.delete_bucket_policy(request.principal, bucket=bucket)
    except AccessDenied as exc:
        context["denied"] = exc.message
        return render(request, "s3/bucket_policy_delete.html", context, status=403)
    messages.success(request, _("Successfully deleted bucket policy."))
    return redirect(bucket_url(bucket, tab="permissions"))


@s3_page
def public_access_edit(request, bucket):
    actor = request.principal
    try:
        current = public_access.get_public_access_block(actor, bucket=bucket)
    except NoSuchPublicAccessBlockConfiguration:
        current = NO_BLOCK
    form = PublicAccessBlockForm(request.POST or None, initial_block=current)
    context = {"bucket": bucket, "form": form, "scope": "bucket"}
    if request.method != "POST":
        return render(request, "s3/public_access_edit.html", context)
    if not form.is_valid():
        return render(request, "s3/public_access_edit.html", context, status=400)
    try:
        public_access.put_public_access_block(actor, bucket=bucket, configuration=form.configuration())
    except AccessDenied as exc:
        context["denied"] = exc.message
        return render(request, "s3/public_access_edit.html", context, status=403)
    messages.success(request, _("Successfully edited Block Public Access settings for this bucket."))
    return redirect(bucket_url(bucket, tab="permissions"))


@s3_page
def account_public_access(request):
    block = public_access.get_account_public_access_block(request.principal)
    return render(request, "s3/account_public_access.html", {"block": block})


@s3_page
def account_public_access_edit(request):
    actor = request.principal
    current = public_access.get_account_public_access_block(actor)
    form = PublicAccessBlockForm(request.POST or None, initial_block=current)
    context = {"form": form, "scope": "account"}
    if request.method != "POST":
        return render(request, "s3/public_access_edit.html", context)
    if not form.is_valid():
        return render(request, "s3/public_access_edit.html", context, status=400)
    try:
        public_access.put_account_public_access_block(actor, configuration=form.configuration())
    except AccessDenied as exc:
        context["denied"] = exc.message
        return render(request, "s3/public_access_edit.html", context, status=403)
    messages.success(request, _("Successfully edited Block Public Access settings for this account."))
    return redirect("s3:account_public_access")

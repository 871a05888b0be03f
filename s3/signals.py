"""What the S3 app hears from ``accounts``: the demo account was seeded (add the S3 demo world)
and an account was reset for the next class (its buckets go, with their objects, uploads in
progress and settings; the bytes leave the object store once the reset has committed)."""

import contextlib
import os

from django.db import transaction


def connect() -> None:
    from accounts.signals import account_reset, demo_account_seeded

    from . import demo

    demo_account_seeded.connect(demo.seed, dispatch_uid="s3.demo.seed")
    account_reset.connect(reset_account, dispatch_uid="s3.reset_account")


def reset_account(sender, account_id, counts, **kwargs):
    """Delete the account's buckets (inside the reset's transaction) and its account-level
    Block Public Access settings; the objects' bytes and the parts of unfinished multipart
    uploads are removed from disk after the commit (a rolled-back reset keeps them all)."""
    from . import storage
    from .models import AccountPublicAccessBlock, Bucket, S3Object, UploadPart

    buckets = Bucket.objects.filter(account_id=account_id)
    blobs = list(S3Object.objects.filter(bucket__in=buckets).values_list("blob", flat=True))
    parts = list(UploadPart.objects.filter(upload__bucket__in=buckets).values_list("path", flat=True))
    deleted = buckets.delete()[1]
    AccountPublicAccessBlock.objects.filter(account_id=account_id).delete()
    counts["s3_buckets"] = deleted.get("s3.Bucket", 0)
    counts["s3_objects"] = deleted.get("s3.S3Object", 0)

    def remove_files():
        for name in blobs:
            storage.delete_blob(name)
        for path in parts:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    transaction.on_commit(remove_files)

"""Resetting an account for the next class empties its S3: buckets, objects, multipart
uploads in progress, account-level Block Public Access; the bytes leave the object store once
the reset has committed. Another account's buckets stay."""

import io

import pytest

from accounts.services import account as account_services
from s3.models import AccountPublicAccessBlock, Bucket, MultipartUpload, S3Object
from s3.services import multipart, public_access
from s3.shapes import PublicAccessBlock

from .conftest import blobs, principal, read, staged_files


def test_reset_deletes_the_accounts_buckets_objects_and_bytes(
    root, root_factory, make_bucket, put, object_store, django_capture_on_commit_callbacks
):
    mine, other = principal(root), principal(root_factory())
    make_bucket(mine, "class-bucket")
    make_bucket(mine, "class-empty")
    put(mine, "class-bucket", "a.txt", b"a")
    put(mine, "class-bucket", "docs/b.txt", b"bb")
    started = multipart.create_multipart_upload(mine, bucket="class-bucket", key="big.bin")
    multipart.upload_part(
        mine,
        bucket="class-bucket",
        key="big.bin",
        upload_id=started,
        part_number=1,
        body=io.BytesIO(b"part"),
        content_length=4,
    )
    public_access.put_account_public_access_block(
        mine, configuration=PublicAccessBlock(True, True, True, True)
    )
    make_bucket(other, "other-class-bucket")
    put(other, "other-class-bucket", "keep.txt", b"keep")
    assert len(blobs(object_store)) == 3 and len(staged_files(object_store)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        counts = account_services.reset_account(mine)

    assert counts["s3_buckets"] == 2 and counts["s3_objects"] == 2
    assert not Bucket.objects.filter(account_id=root.account_id).exists()
    assert not S3Object.objects.filter(bucket__account_id=root.account_id).exists()
    assert not MultipartUpload.objects.filter(bucket__account_id=root.account_id).exists()
    assert not AccountPublicAccessBlock.objects.filter(account_id=root.account_id).exists()
    assert len(blobs(object_store)) == 1 and staged_files(object_store) == []
    assert read(other, "other-class-bucket", "keep.txt") == b"keep"


def test_a_reset_that_rolls_back_keeps_the_bytes(root, make_bucket, put, object_store, monkeypatch):
    from accounts import signals

    mine = principal(root)
    make_bucket(mine, "class-bucket")
    put(mine, "class-bucket", "a.txt", b"a")

    def fail(**kwargs):
        raise RuntimeError("a later receiver failed")

    signals.account_reset.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError):
            account_services.reset_account(mine)
    finally:
        signals.account_reset.disconnect(dispatch_uid="test.fail")
    assert Bucket.objects.filter(name="class-bucket").exists()
    assert read(mine, "class-bucket", "a.txt") == b"a" and len(blobs(object_store)) == 1

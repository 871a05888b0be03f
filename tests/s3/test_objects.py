"""Objects through the services: PutObject (ETag, metadata, checks before anything is stored),
GetObject (ranges, conditions), HeadObject, DeleteObject, CopyObject, multipart uploads."""

import base64
import hashlib
import io

import pytest

from accounts.errors import AccessDenied
from s3.errors import NotModified, S3Error
from s3.models import S3Object
from s3.services import multipart, objects
from tests.s3.conftest import blobs, principal, read, staged_files


@pytest.fixture
def bucket(root, make_bucket):
    make_bucket(root, "objects-bucket")
    return "objects-bucket"


def put_stream(actor, bucket, key, stream, length, **options):
    return objects.put_object(actor, bucket=bucket, key=key, body=stream, content_length=length, **options)


def test_put_get_head_delete(root, bucket, put, object_store, django_capture_on_commit_callbacks):
    data = b"hello world"
    result = put(
        root,
        bucket,
        "docs/hello.txt",
        data,
        content_type="text/plain",
        metadata={"Owner": "Kim"},
        headers={"Cache-Control": "max-age=60", "Content-Encoding": "aws-chunked"},
    )
    assert result.etag == f'"{hashlib.md5(data).hexdigest()}"'
    assert read(root, bucket, "docs/hello.txt") == data
    head = objects.head_object(root, bucket=bucket, key="docs/hello.txt")
    assert (head.info.size, head.info.content_type, head.info.metadata) == (
        11,
        "text/plain",
        {"owner": "Kim"},
    )
    assert head.info.headers == {"cache-control": "max-age=60"}  # aws-chunked is transport, not stored
    assert len(blobs(object_store)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        objects.delete_object(root, bucket=bucket, key="docs/hello.txt")
    objects.delete_object(root, bucket=bucket, key="docs/hello.txt")  # nothing there: still fine
    with pytest.raises(S3Error) as caught:
        objects.head_object(root, bucket=bucket, key="docs/hello.txt")
    assert (caught.value.code, caught.value.status) == ("NoSuchKey", 404)
    assert blobs(object_store) == []
    assert staged_files(object_store) == []


def test_replacing_an_object_keeps_one_blob(
    root, bucket, put, object_store, django_capture_on_commit_callbacks
):
    put(root, bucket, "k", b"one")
    with django_capture_on_commit_callbacks(execute=True):
        put(root, bucket, "k", b"two, longer")
    assert read(root, bucket, "k") == b"two, longer"
    assert len(blobs(object_store)) == 1 and S3Object.objects.count() == 1


def test_zero_byte_and_limit_size_objects(root, bucket, put, settings):
    settings.S3_MAX_OBJECT_SIZE = 4096
    put(root, bucket, "empty", b"")
    assert read(root, bucket, "empty") == b""
    assert (
        objects.head_object(root, bucket=bucket, key="empty").info.etag == f'"{hashlib.md5(b"").hexdigest()}"'
    )
    put(root, bucket, "limit", b"x" * 4096)
    assert len(read(root, bucket, "limit")) == 4096
    with pytest.raises(S3Error) as caught:
        put(root, bucket, "too-big", b"x" * 4097)
    assert (caught.value.code, caught.value.fields["MaxSizeAllowed"]) == ("EntityTooLarge", "4096")
    # a body longer than it said is refused while it is read, too
    with pytest.raises(S3Error) as caught:
        put_stream(root, bucket, "liar", io.BytesIO(b"y" * 5000), None)
    assert caught.value.code in ("EntityTooLarge", "MissingContentLength")


def test_bad_digest_and_truncated_bodies_leave_nothing(root, bucket, put, object_store):
    put(root, bucket, "keep", b"original")
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(S3Error) as caught:
        put(root, bucket, "keep", b"replacement", content_md5=wrong)
    assert (caught.value.code, caught.value.message) == (
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    )
    with pytest.raises(S3Error) as caught:
        put(root, bucket, "keep", b"replacement", content_md5="not-base64!")
    assert caught.value.code == "InvalidDigest"
    with pytest.raises(S3Error) as caught:
        put_stream(root, bucket, "keep", io.BytesIO(b"short"), 100)
    assert caught.value.code == "IncompleteBody"
    with pytest.raises(S3Error) as caught:
        put_stream(root, bucket, "new-key", io.BytesIO(b"short"), 100)
    assert caught.value.code == "IncompleteBody"
    with pytest.raises(S3Error) as caught:
        put(root, bucket, "keep", b"data", payload_sha256=hashlib.sha256(b"other").hexdigest())
    assert caught.value.code == "XAmzContentSHA256Mismatch"
    with pytest.raises(S3Error) as caught:
        put(root, bucket, "keep", b"data", checksums={"crc32": "AAAAAA=="})
    assert caught.value.message == "The CRC32 you specified did not match the calculated checksum."
    assert read(root, bucket, "keep") == b"original"
    assert S3Object.objects.count() == 1 and len(blobs(object_store)) == 1
    assert staged_files(object_store) == []
    good = base64.b64encode(hashlib.md5(b"replacement").digest()).decode()
    put(root, bucket, "keep", b"replacement", content_md5=good)
    assert read(root, bucket, "keep") == b"replacement"


def test_an_interrupted_stream_leaves_no_object(root, bucket, object_store):
    class Broken(io.RawIOBase):
        def __init__(self):
            self.sent = 0

        def read(self, size=-1):
            if self.sent:
                raise ConnectionResetError("client went away")
            self.sent = 1
            return b"z" * 10

    with pytest.raises(ConnectionResetError):
        put_stream(root, bucket, "half", Broken(), 1000)
    assert not S3Object.objects.exists()
    assert blobs(object_store) == [] and staged_files(object_store) == []


def test_keys_and_metadata_limits(root, bucket, put):
    with pytest.raises(S3Error) as caught:
        put(root, bucket, "k" * 1025)
    assert (caught.value.code, caught.value.message) == ("KeyTooLongError", "Your key is too long")
    with pytest.raises(S3Error) as caught:
        put(root, bucket, "meta", metadata={"big": "v" * 2100})
    assert caught.value.code == "MetadataTooLarge"


def test_ranges_and_conditions(root, bucket, put):
    put(root, bucket, "digits", b"0123456789")
    assert read(root, bucket, "digits", range="bytes=2-4") == b"234"
    assert read(root, bucket, "digits", range="bytes=7-") == b"789"
    assert read(root, bucket, "digits", range="bytes=-3") == b"789"
    assert read(root, bucket, "digits", range="bytes=5-100") == b"56789"
    assert read(root, bucket, "digits", range="pages=1-2") == b"0123456789"  # not a byte range: ignored
    body = objects.get_object(root, bucket=bucket, key="digits", range="bytes=2-4")
    body.file.close()
    assert (body.partial, body.start, body.end) == (True, 2, 4)
    with pytest.raises(S3Error) as caught:
        objects.get_object(root, bucket=bucket, key="digits", range="bytes=10-")
    assert (caught.value.code, caught.value.status) == ("InvalidRange", 416)
    etag = objects.head_object(root, bucket=bucket, key="digits").info.etag
    with pytest.raises(NotModified):
        objects.get_object(root, bucket=bucket, key="digits", if_none_match=etag)
    with pytest.raises(S3Error) as caught:
        objects.get_object(root, bucket=bucket, key="digits", if_match='"0000"')
    assert (caught.value.code, caught.value.status) == ("PreconditionFailed", 412)
    assert read(root, bucket, "digits", if_match=etag) == b"0123456789"


def test_copy_object(root, bucket, put):
    put(root, bucket, "src.txt", b"copy me", content_type="text/plain", metadata={"a": "1"})
    result = objects.copy_object(
        root, bucket=bucket, key="dst.txt", source_bucket=bucket, source_key="src.txt"
    )
    assert result.etag == f'"{hashlib.md5(b"copy me").hexdigest()}"'
    head = objects.head_object(root, bucket=bucket, key="dst.txt").info
    assert (head.content_type, head.metadata) == ("text/plain", {"a": "1"})
    objects.copy_object(
        root,
        bucket=bucket,
        key="dst.txt",
        source_bucket=bucket,
        source_key="src.txt",
        metadata_directive="REPLACE",
        content_type="text/markdown",
        metadata={"b": "2"},
    )
    assert objects.head_object(root, bucket=bucket, key="dst.txt").info.metadata == {"b": "2"}
    with pytest.raises(S3Error) as caught:
        objects.copy_object(root, bucket=bucket, key="src.txt", source_bucket=bucket, source_key="src.txt")
    assert caught.value.code == "InvalidRequest"


def test_get_of_a_missing_key_tells_only_those_who_may_list(root, bucket, user_factory):
    from accounts.services import permissions

    reader = user_factory("getonly")
    permissions.put_user_policy(
        root,
        user_name="getonly",
        policy_name="GetOnly",
        policy_document='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    )
    with pytest.raises(AccessDenied) as caught:
        objects.get_object(principal(reader), bucket=bucket, key="missing")
    assert "s3:ListBucket" in caught.value.message
    with pytest.raises(S3Error) as caught:
        objects.get_object(root, bucket=bucket, key="missing")
    assert caught.value.code == "NoSuchKey"


def test_multipart_upload(root, bucket, object_store, django_capture_on_commit_callbacks):
    size = multipart.MIN_PART_SIZE
    first, second = b"a" * size, b"b" * 10
    upload_id = multipart.create_multipart_upload(
        root, bucket=bucket, key="big.bin", content_type="application/x-demo"
    )
    etags = []
    for number, data in ((1, first), (2, second)):
        etags.append(
            multipart.upload_part(
                root,
                bucket=bucket,
                key="big.bin",
                upload_id=upload_id,
                part_number=number,
                body=io.BytesIO(data),
                content_length=len(data),
            )
        )
    with pytest.raises(S3Error) as caught:
        multipart.complete_multipart_upload(
            root, bucket=bucket, key="big.bin", upload_id=upload_id, parts=[(2, etags[1]), (1, etags[0])]
        )
    assert caught.value.code == "InvalidPartOrder"
    with pytest.raises(S3Error) as caught:
        multipart.complete_multipart_upload(
            root, bucket=bucket, key="big.bin", upload_id=upload_id, parts=[(1, '"0000"'), (2, etags[1])]
        )
    assert caught.value.code == "InvalidPart"
    with django_capture_on_commit_callbacks(execute=True):
        done = multipart.complete_multipart_upload(
            root, bucket=bucket, key="big.bin", upload_id=upload_id, parts=[(1, etags[0]), (2, etags[1])]
        )
    expected = hashlib.md5(hashlib.md5(first).digest() + hashlib.md5(second).digest()).hexdigest()
    assert done.etag == f'"{expected}-2"'
    assert read(root, bucket, "big.bin") == first + second
    assert objects.head_object(root, bucket=bucket, key="big.bin").info.content_type == "application/x-demo"
    assert staged_files(object_store) == []
    with pytest.raises(S3Error) as caught:
        multipart.abort_multipart_upload(root, bucket=bucket, key="big.bin", upload_id=upload_id)
    assert caught.value.code == "NoSuchUpload"
    small = multipart.create_multipart_upload(root, bucket=bucket, key="small")
    one = multipart.upload_part(
        root,
        bucket=bucket,
        key="small",
        upload_id=small,
        part_number=1,
        body=io.BytesIO(b"x"),
        content_length=1,
    )
    multipart.upload_part(
        root,
        bucket=bucket,
        key="small",
        upload_id=small,
        part_number=2,
        body=io.BytesIO(b"y"),
        content_length=1,
    )
    with pytest.raises(S3Error) as caught:
        multipart.complete_multipart_upload(
            root, bucket=bucket, key="small", upload_id=small, parts=[(1, one), (2, "x")]
        )
    assert caught.value.code in ("EntityTooSmall", "InvalidPart")
    with django_capture_on_commit_callbacks(execute=True):
        multipart.abort_multipart_upload(root, bucket=bucket, key="small", upload_id=small)
    assert staged_files(object_store) == []

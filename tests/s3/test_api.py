"""S3's REST API against the live server with boto3 and raw HTTP: carol reads and is refused
uploads, bob is refused ListBuckets, a bucket policy across accounts, anonymous and presigned
access, virtual-host requests, aws-chunked and multipart uploads, S3's error codes, and bad
input (Unicode keys, empty and limit-size objects, truncated uploads, wrong Content-MD5)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import unicodedata
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from accounts.services import permissions
from s3.models import S3Object
from s3.services import policies, public_access
from s3.shapes import NO_BLOCK
from tests.s3.conftest import read
from tests.s3.live import (
    Keys,
    aws_chunked,
    error_of,
    keys_from_console,
    keys_from_services,
    raw,
    s3_client,
    sign,
)

BUCKET = "live-reports"


@pytest.fixture
def endpoint(live_server):
    return live_server.url


@pytest.fixture
def reports(root, make_bucket, put):
    make_bucket(root, BUCKET)
    put(root, BUCKET, "reports/q1.csv", b"region,amount\nseoul,1200\n", content_type="text/csv")
    put(root, BUCKET, "reports/q2.csv", b"region,amount\nseoul,1500\n", content_type="text/csv")
    put(root, BUCKET, "README.txt", b"hello")
    return BUCKET


def test_carol_lists_and_downloads_and_is_refused_uploads(endpoint, root, carol, client_for, reports):
    s3 = s3_client(endpoint, keys_from_console(client_for(root), "carol"))
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [BUCKET]
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="reports/")
    assert [o["Key"] for o in listed["Contents"]] == ["reports/q1.csv", "reports/q2.csv"]
    folders = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")
    assert [p["Prefix"] for p in folders["CommonPrefixes"]] == ["reports/"]
    got = s3.get_object(Bucket=BUCKET, Key="reports/q1.csv")
    assert got["Body"].read() == b"region,amount\nseoul,1200\n" and got["ContentType"] == "text/csv"
    q1_md5 = hashlib.md5(b"region,amount\nseoul,1200\n").hexdigest()
    assert got["ETag"] == f'"{q1_md5}"'
    assert s3.head_object(Bucket=BUCKET, Key="README.txt")["ContentLength"] == 5
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=BUCKET, Key="reports/q3.csv", Body=b"nope")
    assert error_of(caught) == (
        "AccessDenied",
        f'User: {carol.arn} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::{BUCKET}/reports/q3.csv" '
        "because no identity-based policy allows the s3:PutObject action",
        403,
    )
    assert not S3Object.objects.filter(key=b"reports/q3.csv").exists()
    with pytest.raises(ClientError) as caught:
        s3.delete_object(Bucket=BUCKET, Key="README.txt")
    assert error_of(caught)[0] == "AccessDenied"


def test_bob_is_refused_list_buckets(endpoint, root, bob, reports):
    s3 = s3_client(endpoint, keys_from_services(root, "bob"))
    with pytest.raises(ClientError) as caught:
        s3.list_buckets()
    assert error_of(caught) == (
        "AccessDenied",
        f"User: {bob.arn} is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy "
        "allows the s3:ListAllMyBuckets action",
        403,
    )


def test_cross_account_bucket_policy(endpoint, root, root_factory, user_factory, reports):
    other_root = root_factory()
    user_factory("lee", actor=other_root)
    permissions.attach_user_policy(
        other_root, user_name="lee", policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    s3 = s3_client(endpoint, keys_from_services(other_root, "lee"))
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=BUCKET, Key="reports/q1.csv")
    assert error_of(caught) == ("AccessDenied", "Access Denied", 403)
    owner = s3_client(endpoint, keys_from_services(root))
    owner.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PartnerReadsReports",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{other_root.account_id}:root"},
                        "Action": ["s3:GetObject", "s3:ListBucket"],
                        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/reports/*"],
                    }
                ],
            }
        ),
    )
    assert s3.get_object(Bucket=BUCKET, Key="reports/q1.csv")["Body"].read().startswith(b"region")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="reports/")["Contents"]] == [
        "reports/q1.csv",
        "reports/q2.csv",
    ]
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=BUCKET, Key="README.txt")  # outside the granted prefix
    assert error_of(caught)[:2] == ("AccessDenied", "Access Denied")
    with pytest.raises(ClientError):
        s3.put_object(Bucket=BUCKET, Key="reports/x.csv", Body=b"x")  # lee's own policies are read-only
    # another account's caller never sees the owner's bucket in ListBuckets
    assert s3.list_buckets()["Buckets"] == []
    # the other account's identity side matters too
    permissions.detach_user_policy(
        other_root, user_name="lee", policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    with pytest.raises(ClientError):
        s3.get_object(Bucket=BUCKET, Key="reports/q1.csv")


def test_anonymous_presigned_and_virtual_host(endpoint, root, reports):
    keys = keys_from_services(root)
    port = urlsplit(endpoint).port
    status, _, body = raw(endpoint, "GET", f"/{BUCKET}/README.txt")
    assert status == 403 and b"<Code>AccessDenied</Code><Message>Access Denied</Message>" in body
    public_access.put_public_access_block(root, bucket=BUCKET, configuration=NO_BLOCK)
    policies.put_bucket_policy(
        root,
        bucket=BUCKET,
        policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    }
                ],
            }
        ),
    )
    status, headers, body = raw(endpoint, "GET", f"/{BUCKET}/README.txt")
    assert (status, body, headers["Content-Type"]) == (200, b"hello", "binary/octet-stream")
    # objects come from the console's origin: whatever they hold renders sandboxed, scripts off
    assert headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert headers["X-Content-Type-Options"] == "nosniff"
    anonymous = s3_client(endpoint, None)
    assert anonymous.get_object(Bucket=BUCKET, Key="reports/q1.csv")["Body"].read().startswith(b"region")
    with pytest.raises(ClientError) as caught:
        anonymous.list_objects_v2(Bucket=BUCKET)
    assert error_of(caught)[0] == "AccessDenied"
    # virtual-host style: the bucket in the Host
    status, _, body = raw(endpoint, "GET", "/README.txt", host=f"{BUCKET}.s3.localhost:{port}")
    assert (status, body) == (200, b"hello")
    signed, *_ = sign(
        "GET", f"{BUCKET}.s3.localhost:{port}", "/", {}, keys, sigv4_empty(), query="list-type=2"
    )
    status, _, body = raw(endpoint, "GET", "/?list-type=2", headers=signed, host=signed.pop("host"))
    assert status == 200 and b"<Key>reports/q1.csv</Key>" in body
    # a presigned URL
    owner = s3_client(endpoint, keys, signature_version="s3v4")
    url = owner.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "README.txt"}, ExpiresIn=60
    )
    parts = urlsplit(url)
    status, _, body = raw(endpoint, "GET", f"{parts.path}?{parts.query}")
    assert (status, body) == (200, b"hello")
    tampered = parts.query.replace("X-Amz-Expires=60", "X-Amz-Expires=61")
    status, _, body = raw(endpoint, "GET", f"{parts.path}?{tampered}")
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body


def sigv4_empty() -> str:
    return hashlib.sha256(b"").hexdigest()


def test_errors_as_s3_answers_them(endpoint, root, root_factory, reports, settings):
    s3 = s3_client(endpoint, keys_from_services(root))
    other = s3_client(endpoint, keys_from_services(root_factory()))
    cases = [
        (
            lambda: s3.get_object(Bucket="no-such-bucket-x", Key="k"),
            ("NoSuchBucket", "The specified bucket does not exist", 404),
        ),
        (
            lambda: s3.get_object(Bucket=BUCKET, Key="missing"),
            ("NoSuchKey", "The specified key does not exist.", 404),
        ),
        (lambda: other.create_bucket(Bucket=BUCKET), ("BucketAlreadyExists", None, 409)),
        (
            lambda: s3.create_bucket(Bucket="Invalid_Name"),
            ("InvalidBucketName", "The specified bucket is not valid.", 400),
        ),
        (
            lambda: s3.delete_bucket(Bucket=BUCKET),
            ("BucketNotEmpty", "The bucket you tried to delete is not empty", 409),
        ),
        (
            lambda: s3.get_bucket_policy(Bucket=BUCKET),
            ("NoSuchBucketPolicy", "The bucket policy does not exist", 404),
        ),
        (
            lambda: s3.put_bucket_policy(Bucket=BUCKET, Policy="policy.json"),
            ("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'", 400),
        ),
        (
            lambda: s3.get_object(Bucket=BUCKET, Key="README.txt", Range="bytes=100-"),
            ("InvalidRange", None, 416),
        ),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as caught:
            call()
        code, message, status = error_of(caught)
        assert (code, status) == (expected[0], expected[2])
        if expected[1] is not None:
            assert message == expected[1]
    # HEAD errors have no body: the status says it
    with pytest.raises(ClientError) as caught:
        s3.head_object(Bucket=BUCKET, Key="missing")
    assert error_of(caught)[2] == 404
    with pytest.raises(ClientError) as caught:
        s3.head_bucket(Bucket="no-such-bucket-x")
    assert error_of(caught)[2] == 404
    # keys the server does not know, or a wrong secret
    stranger = s3_client(endpoint, Keys("AKIAXXXXXXXXXXXXXXXX", "x" * 40))
    with pytest.raises(ClientError) as caught:
        stranger.list_buckets()
    assert error_of(caught) == (
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        403,
    )
    wrong = s3_client(endpoint, Keys(s3._request_signer._credentials.access_key, "y" * 40))
    with pytest.raises(ClientError) as caught:
        wrong.list_buckets()
    assert error_of(caught)[0] == "SignatureDoesNotMatch" and error_of(caught)[2] == 403
    # the demo's size limit and a wrong Content-MD5
    settings.S3_MAX_OBJECT_SIZE = 1024
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=BUCKET, Key="big", Body=b"x" * 1025)
    assert error_of(caught)[0] == "EntityTooLarge"
    s3.put_object(Bucket=BUCKET, Key="exactly-the-limit", Body=b"x" * 1024)
    wrong_md5 = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=BUCKET, Key="README.txt", Body=b"changed", ContentMD5=wrong_md5)
    assert error_of(caught) == (
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
        400,
    )
    assert read(root, BUCKET, "README.txt") == b"hello"


def test_objects_round_trip(endpoint, root, reports):
    s3 = s3_client(endpoint, keys_from_services(root))
    s3.create_bucket(
        Bucket="seoul-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"}
    )
    assert s3.get_bucket_location(Bucket="seoul-bucket")["LocationConstraint"] == "ap-northeast-2"
    assert (
        s3.head_bucket(Bucket="seoul-bucket")["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"]
        == "ap-northeast-2"
    )
    s3.put_object(
        Bucket="seoul-bucket",
        Key="a.txt",
        Body=b"0123456789",
        ContentType="text/plain",
        Metadata={"owner": "kim"},
    )
    head = s3.head_object(Bucket="seoul-bucket", Key="a.txt")
    assert (head["ContentType"], head["Metadata"], head["ContentLength"]) == (
        "text/plain",
        {"owner": "kim"},
        10,
    )
    part = s3.get_object(Bucket="seoul-bucket", Key="a.txt", Range="bytes=2-5")
    assert part["Body"].read() == b"2345" and part["ContentRange"] == "bytes 2-5/10"
    s3.copy_object(Bucket="seoul-bucket", Key="b.txt", CopySource={"Bucket": "seoul-bucket", "Key": "a.txt"})
    assert s3.get_object(Bucket="seoul-bucket", Key="b.txt")["Body"].read() == b"0123456789"
    s3.put_object(Bucket="seoul-bucket", Key="empty", Body=b"")
    assert s3.get_object(Bucket="seoul-bucket", Key="empty")["Body"].read() == b""
    deleted = s3.delete_objects(
        Bucket="seoul-bucket", Delete={"Objects": [{"Key": "a.txt"}, {"Key": "b.txt"}, {"Key": "empty"}]}
    )
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["a.txt", "b.txt", "empty"]
    # multipart, as upload_file does it for a large file
    from boto3.s3.transfer import TransferConfig

    data = bytes(range(256)) * (6 * 4096)  # 6 MiB
    s3.upload_fileobj(
        io.BytesIO(data),
        "seoul-bucket",
        "big.bin",
        Config=TransferConfig(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20),
    )
    assert s3.head_object(Bucket="seoul-bucket", Key="big.bin")["ETag"].endswith('-2"')
    out = io.BytesIO()
    s3.download_fileobj("seoul-bucket", "big.bin", out)
    assert out.getvalue() == data
    s3.delete_object(Bucket="seoul-bucket", Key="big.bin")
    s3.delete_bucket(Bucket="seoul-bucket")
    assert "seoul-bucket" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    # policy, public access block, policy status and tags through the API
    pab = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert pab == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    s3.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{BUCKET}/*",
                }
            ],
        }
    )
    s3.put_bucket_policy(Bucket=BUCKET, Policy=document)
    assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"]) == json.loads(document)
    assert s3.get_bucket_policy_status(Bucket=BUCKET)["PolicyStatus"]["IsPublic"] is True
    s3.delete_bucket_policy(Bucket=BUCKET)
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "team", "Value": "blue"}]})
    assert s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"] == [{"Key": "team", "Value": "blue"}]
    s3.delete_public_access_block(Bucket=BUCKET)
    with pytest.raises(ClientError) as caught:
        s3.get_public_access_block(Bucket=BUCKET)
    assert error_of(caught)[0] == "NoSuchPublicAccessBlockConfiguration"


# Keys with a character of every Unicode general category (but Cs, surrogates, which UTF-8 cannot
# carry, and NUL), each once at the start, in the middle and at the end of a path.
CATEGORY_SAMPLES = {
    "Lu": "Ä",
    "Ll": "ß",
    "Lt": "ǅ",
    "Lm": "ʰ",
    "Lo": "한",
    "Mn": "\u0301",
    "Mc": "\u0903",
    "Me": "\u20dd",
    "Nd": "٣",
    "Nl": "Ⅻ",
    "No": "½",
    "Pc": "‿",
    "Pd": "—",
    "Ps": "「",
    "Pe": "」",
    "Pi": "«",
    "Pf": "»",
    "Po": "¿",
    "Sm": "∑",
    "Sc": "€",
    "Sk": "^",
    "So": "😀",
    "Zs": "\u3000",
    "Zl": "\u2028",
    "Zp": "\u2029",
    "Cc": "\x01\t\x7f",
    "Cf": "\u200d\u200f",
    "Co": "\ue000",
    "Cn": "\u0378",
}


def test_keys_with_every_unicode_class(endpoint, root, reports):
    for category, sample in CATEGORY_SAMPLES.items():
        assert unicodedata.category(sample[0]) == category
    s3 = s3_client(endpoint, keys_from_services(root))
    # a few keys, each with several classes, at the start, in the middle and at the end of a path
    items = list(CATEGORY_SAMPLES.items())
    keys = {}
    for start in range(0, len(items), 6):
        group = items[start : start + 6]
        mixed = "".join(sample for _, sample in group)
        keys[f"{mixed}/{' '.join(c for c, _ in group)} {mixed}.txt{mixed}"] = [c for c, _ in group]
    keys["spaces and +plus+ %25 ?query#hash&amp;"] = ["ascii"]
    assert sorted(c for group in keys.values() for c in group if c != "ascii") == sorted(CATEGORY_SAMPLES)
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode("utf-8"))
    listed = []
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=BUCKET, PaginationConfig={"PageSize": 3}):
        listed += [o["Key"] for o in page.get("Contents", [])]
    expected = sorted(
        [*keys, "README.txt", "reports/q1.csv", "reports/q2.csv"], key=lambda k: k.encode("utf-8")
    )
    assert listed == expected
    for key in keys:
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == key.encode("utf-8")
    assert set(keys) <= {bytes(k).decode() for k in S3Object.objects.values_list("key", flat=True)}


def test_truncated_uploads_leave_no_object(endpoint, root, reports):
    keys = keys_from_services(root)
    host = urlsplit(endpoint).netloc
    path = f"/{BUCKET}/truncated.bin"
    headers, *_ = sign("PUT", host, path, {"content-length": "100000"}, keys, "UNSIGNED-PAYLOAD")
    parts = urlsplit(endpoint)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        head = f"PUT {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode() + b"x" * 1000)
        sock.shutdown(socket.SHUT_WR)  # the client goes away after 1,000 of 100,000 bytes
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert b" 400 " in answer.split(b"\r\n", 1)[0] and b"<Code>IncompleteBody</Code>" in answer
    assert not S3Object.objects.filter(key=b"truncated.bin").exists()


def test_aws_chunked_uploads(endpoint, root, reports):
    keys = keys_from_services(root)
    host = urlsplit(endpoint).netloc
    data = b"0123456789abcdef" * 1500  # 24,000 bytes: chunks of 8 KiB and the rest
    path = f"/{BUCKET}/streamed.bin"
    extra = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))}
    headers, seed, key, amz_date, scope = sign(
        "PUT", host, path, extra, keys, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    )
    body = aws_chunked(data, 8192, key=key, seed=seed, amz_date=amz_date, scope=scope)
    headers.pop("host")
    status, response_headers, answer = raw(endpoint, "PUT", path, body=body, headers=headers)
    assert status == 200, answer
    assert response_headers["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    assert read(root, BUCKET, "streamed.bin") == data
    # a chunk whose signature does not match: refused, the object left as it was
    headers, seed, key, amz_date, scope = sign(
        "PUT", host, path, extra, keys, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    )
    headers.pop("host")
    body = aws_chunked(data, 8192, key=key, seed=seed, amz_date=amz_date, scope=scope)
    status, _, answer = raw(
        endpoint, "PUT", path, body=body.replace(b"0123456789", b"9876543210", 1), headers=headers
    )
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in answer
    assert read(root, BUCKET, "streamed.bin") == data


def test_unsigned_requests_to_console_paths_stay_the_console(endpoint, root, make_bucket):
    make_bucket(root, "signin")  # a bucket whose name is also a console path
    status, headers, _ = raw(endpoint, "GET", "/signin/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    status, _, body = raw(endpoint, "GET", "/signin/anything.txt")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    status, _, _ = raw(endpoint, "GET", "/not-a-bucket/key")
    assert status in (302, 404)  # the console's answer, not S3's

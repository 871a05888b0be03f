"""aws-chunked uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and ChunkedPayloadReader.

The vector is AWS's worked example in the S3 API Reference, "Signature Calculations for the
Authorization Header: Transferring Payload in Multiple Chunks (Chunked Upload)": PUT
/examplebucket/chunkObject.txt, 66560 bytes of "a" in a 65536-byte chunk, a 1024-byte chunk
and the final empty chunk, with its seed and chunk signatures. The body is encoded here as that
page describes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
from datetime import UTC, datetime

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from accounts.api.sigv4 import (
    EMPTY_SHA256,
    STREAMING_PAYLOAD,
    ChunkedPayloadReader,
    SignedRequest,
    SigV4Error,
    verify,
)
from tests.unit.api.helpers import ACCESS_KEY, SECRET_KEY, from_botocore

EXAMPLE_TIME = datetime(2013, 5, 24, tzinfo=UTC)
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
CHUNK_SIGNATURES = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
]
DATA = b"a" * 66560


def example_request() -> SignedRequest:
    return SignedRequest(
        method="PUT",
        path="/examplebucket/chunkObject.txt",
        query_string="",
        headers=[
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            (
                "Authorization",
                f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20130524/us-east-1/s3/aws4_request,"
                "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                f"x-amz-decoded-content-length;x-amz-storage-class,Signature={SEED}",
            ),
            ("x-amz-content-sha256", STREAMING_PAYLOAD),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("Content-Length", "66824"),
        ],
        body=None,
        s3=True,
    )


def encode_chunked(data: bytes, sizes: list[int], *, key: bytes, seed: str, amz_date: str, scope: str):
    """(body, chunk signatures): ``data`` cut into chunks of ``sizes`` then the empty chunk."""
    chunks, offset = [], 0
    for size in sizes:
        chunks.append(data[offset : offset + size])
        offset += size
    assert offset == len(data)
    chunks.append(b"")
    previous, body, signatures = seed, [], []
    for chunk in chunks:
        to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256-PAYLOAD",
                amz_date,
                scope,
                previous,
                EMPTY_SHA256,
                hashlib.sha256(chunk).hexdigest(),
            ]
        )
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        body.append(f"{len(chunk):x};chunk-signature={signature}\r\n".encode() + chunk + b"\r\n")
        signatures.append(signature)
        previous = signature
    return b"".join(body), signatures


@pytest.fixture
def verified():
    return verify(example_request(), SECRET_KEY, now=EXAMPLE_TIME)


@pytest.fixture
def body(verified):
    encoded, _ = encode_chunked(
        DATA,
        [65536, 1024],
        key=verified.signing_key,
        seed=SEED,
        amz_date="20130524T000000Z",
        scope="20130524/us-east-1/s3/aws4_request",
    )
    return encoded


class Trickle(io.RawIOBase):
    """A stream that answers at most ``step`` bytes a read, as a socket may."""

    def __init__(self, data: bytes, step: int):
        self._data, self._pos, self._step = data, 0, step

    def readable(self):
        return True

    def read(self, size=-1):
        size = self._step if size is None or size < 0 else min(size, self._step)
        piece = self._data[self._pos : self._pos + size]
        self._pos += len(piece)
        return piece


def test_the_seed_signature_is_awss(verified):
    assert verified.signature == SEED
    assert verified.payload_hash == STREAMING_PAYLOAD
    assert verified.amz_date == "20130524T000000Z"


def test_the_chunk_signatures_are_awss(verified, body):
    _, signatures = encode_chunked(
        DATA,
        [65536, 1024],
        key=verified.signing_key,
        seed=SEED,
        amz_date="20130524T000000Z",
        scope="20130524/us-east-1/s3/aws4_request",
    )
    assert signatures == CHUNK_SIGNATURES
    assert len(body) == 66824  # AWS's Content-Length
    assert body.startswith(f"10000;chunk-signature={CHUNK_SIGNATURES[0]}\r\n".encode())
    assert body.endswith(f"0;chunk-signature={CHUNK_SIGNATURES[2]}\r\n\r\n".encode())


def test_read_decodes_and_verifies(verified, body):
    reader = ChunkedPayloadReader(io.BytesIO(body), verified, decoded_length=66560)
    assert reader.read() == DATA
    assert reader.finished
    assert reader.read() == b""


@pytest.mark.parametrize("step", [1, 7, 4096, 100_000])
def test_short_reads_and_small_buffers(verified, body, step):
    reader = ChunkedPayloadReader(Trickle(body, step), verified, decoded_length=66560)
    out = bytearray()
    while piece := reader.read(1000):
        out += piece
    assert bytes(out) == DATA


def test_iteration_gives_verified_chunks(verified, body):
    reader = ChunkedPayloadReader(io.BytesIO(body), verified, decoded_length=None)
    assert [len(chunk) for chunk in reader] == [65536, 1024]


def test_readinto(verified, body):
    reader = ChunkedPayloadReader(io.BytesIO(body), verified, decoded_length=66560)
    buffer = bytearray(50_000)
    sizes = []
    while count := reader.readinto(buffer):
        sizes.append(count)
    assert sum(sizes) == 66560


def test_the_raw_stream_is_not_read_past_the_body(verified, body):
    stream = io.BytesIO(body + b"NEXT REQUEST")
    ChunkedPayloadReader(stream, verified, decoded_length=66560).read()
    assert stream.tell() == len(body)


def test_a_chunk_is_given_out_only_once_verified(verified, body):
    tampered = bytearray(body)
    tampered[200] = ord("b")  # in the first chunk's data
    reader = ChunkedPayloadReader(io.BytesIO(bytes(tampered)), verified, decoded_length=66560)
    with pytest.raises(SigV4Error) as caught:
        reader.read(10)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    )
    assert caught.value.status == 403


@pytest.mark.parametrize("where", ["second chunk data", "second signature", "final signature", "swapped"])
def test_bad_chunk_signatures(verified, body, where):
    tampered = bytearray(body)
    second = body.index(b"400;chunk-signature=")
    final = body.index(b"0;chunk-signature=", second + 10)
    if where == "second chunk data":
        tampered[second + 100] = ord("b")
    elif where == "second signature":
        tampered[second + 25] = ord("0") if tampered[second + 25] != ord("0") else ord("1")
    elif where == "final signature":
        tampered[final + 30] = ord("0") if tampered[final + 30] != ord("0") else ord("1")
    else:  # the last data chunk signed with the first chunk's signature: the chain breaks
        tampered[second + 20 : second + 84] = CHUNK_SIGNATURES[0].encode()
    reader = ChunkedPayloadReader(io.BytesIO(bytes(tampered)), verified, decoded_length=66560)
    with pytest.raises(SigV4Error) as caught:
        reader.read()
    assert caught.value.code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("cut", [0, 10, 88, 88 + 65536, 65626 + 50, 66824 - 2, 66824 - 1])
def test_a_truncated_body_is_incomplete(verified, body, cut):
    reader = ChunkedPayloadReader(io.BytesIO(body[:cut]), verified, decoded_length=66560)
    with pytest.raises(SigV4Error) as caught:
        reader.read()
    assert (caught.value.code, caught.value.status) == ("IncompleteBody", 400)
    assert (
        caught.value.message
        == "You did not provide the number of bytes specified by the Content-Length HTTP header."
    )


def test_the_decoded_length_must_match(verified, body):
    with pytest.raises(SigV4Error) as caught:
        ChunkedPayloadReader(io.BytesIO(body), verified, decoded_length=70000).read()
    assert caught.value.code == "IncompleteBody"
    with pytest.raises(SigV4Error) as caught:
        ChunkedPayloadReader(io.BytesIO(body), verified, decoded_length=60000).read()
    assert caught.value.code == "InvalidRequest"


def test_only_the_last_chunk_may_be_small(verified):
    encoded, _ = encode_chunked(
        DATA,
        [1024, 65536 - 1024, 1024],
        key=verified.signing_key,
        seed=SEED,
        amz_date="20130524T000000Z",
        scope="20130524/us-east-1/s3/aws4_request",
    )
    reader = ChunkedPayloadReader(io.BytesIO(encoded), verified, decoded_length=66560)
    assert reader.read(1024) == b"a" * 1024  # the first chunk verified, not yet known to be small
    with pytest.raises(SigV4Error) as caught:
        reader.read()
    assert caught.value.code == "InvalidChunkSizeError"
    assert caught.value.message == "Only the last chunk is allowed to have a size less than 8192 bytes"
    assert caught.value.extra == {"Chunk": "1", "BadChunkSize": "1024"}


@pytest.mark.parametrize(
    "garbage",
    [
        b"zz;chunk-signature=" + b"0" * 64 + b"\r\n",
        b"10000;chunk-signaturX=" + b"0" * 64 + b"\r\n",
        b"10000;chunk-signature=" + b"0" * 63 + b"\r\n\r\n",
        b"0x10;chunk-signature=" + b"0" * 64 + b"\r\n",
        b"+1_0;chunk-signature=" + b"0" * 64 + b"\r\n",
        b"10000;chunk-signature=" + b"0" * 64 + b"\n\n",
        b"1" * 200,
    ],
)
def test_malformed_framing(verified, garbage):
    reader = ChunkedPayloadReader(io.BytesIO(garbage + b"a" * 100_000), verified, decoded_length=None)
    with pytest.raises(SigV4Error) as caught:
        reader.read()
    assert caught.value.code == "InvalidRequest"
    assert caught.value.status == 400


def test_a_missing_crlf_after_the_data(verified, body):
    broken = body.replace(b"a\r\n400;", b"aXX400;")
    with pytest.raises(SigV4Error) as caught:
        ChunkedPayloadReader(io.BytesIO(broken), verified, decoded_length=66560).read()
    assert caught.value.code == "InvalidRequest"


def test_a_chunk_larger_than_allowed(verified, body):
    reader = ChunkedPayloadReader(io.BytesIO(body), verified, decoded_length=None, max_chunk_size=1000)
    with pytest.raises(SigV4Error) as caught:
        reader.read()
    assert caught.value.code == "InvalidRequest"


def test_only_for_streaming_requests():
    request = AWSRequest(method="PUT", url="http://s3.amazonaws.com/b/k", data=b"x")
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(request)
    plain = verify(from_botocore(request, s3=True), SECRET_KEY, now=datetime.now(UTC))
    with pytest.raises(ValueError):
        ChunkedPayloadReader(io.BytesIO(b""), plain, decoded_length=1)


def test_a_seed_signed_by_botocore():
    """botocore signs the seed; the body is chunked here.

    S3SigV4Auth replaces a preset x-amz-content-sha256 with its own payload hash, the generic
    SigV4Auth signs the preset value: it signs this S3 request (its key needs no encoding, so
    that both services' URI rules agree).
    """
    data = bytes(range(256)) * 300  # 76800 bytes
    request = AWSRequest(
        method="PUT",
        url="http://localhost:8000/my-bucket/streamed-key.bin",
        headers={
            "X-Amz-Content-SHA256": STREAMING_PAYLOAD,
            "Content-Encoding": "aws-chunked",
            "X-Amz-Decoded-Content-Length": str(len(data)),
        },
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(request)
    signed = from_botocore(request, s3=True, body=None)
    verified = verify(signed, SECRET_KEY, now=datetime.now(UTC))
    assert verified.payload_hash == STREAMING_PAYLOAD
    encoded, _ = encode_chunked(
        data,
        [8192, 65536, 76800 - 8192 - 65536],
        key=verified.signing_key,
        seed=verified.signature,
        amz_date=verified.amz_date,
        scope=verified.credential.scope,
    )
    reader = ChunkedPayloadReader(Trickle(encoded, 3000), verified, decoded_length=len(data))
    assert b"".join(reader) == data
    assert reader.finished


# --------------------------------------------------------------------------------------------
# Trailing headers: AWS's example in "Signature calculations for trailing headers (chunked
# uploads)" (same request with x-amz-trailer: x-amz-checksum-crc32c), and boto3 over HTTPS.

TRAILER_SEED = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
TRAILER_CHUNK_SIGNATURES = [
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
]
TRAILER_SIGNATURE = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"


def trailer_example_request() -> SignedRequest:
    return SignedRequest(
        method="PUT",
        path="/examplebucket/chunkObject.txt",
        query_string="",
        headers=[
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            (
                "Authorization",
                f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20130524/us-east-1/s3/aws4_request,"
                "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;"
                f"x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature={TRAILER_SEED}",
            ),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("x-amz-trailer", "x-amz-checksum-crc32c"),
        ],
        body=None,
        s3=True,
    )


def trailer_body(
    *, blank_before: bool = True, blank_after: bool = True, trailer_signature=TRAILER_SIGNATURE
) -> bytes:
    first, second, final = TRAILER_CHUNK_SIGNATURES
    return (
        f"10000;chunk-signature={first}\r\n".encode()
        + b"a" * 65536
        + f"\r\n400;chunk-signature={second}\r\n".encode()
        + b"a" * 1024
        + f"\r\n0;chunk-signature={final}\r\n".encode()
        + (b"\r\n" if blank_before else b"")
        + b"x-amz-checksum-crc32c:sOO8/Q==\r\n"
        + f"x-amz-trailer-signature:{trailer_signature}\r\n".encode()
        + (b"\r\n" if blank_after else b"")
    )


@pytest.fixture
def trailer_verified():
    return verify(trailer_example_request(), SECRET_KEY, now=EXAMPLE_TIME)


def test_the_trailer_example_seed_is_awss(trailer_verified):
    assert trailer_verified.signature == TRAILER_SEED
    assert trailer_verified.payload_hash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"


@pytest.mark.parametrize("blank_before", [True, False])
@pytest.mark.parametrize("blank_after", [True, False])
def test_signed_trailers(trailer_verified, blank_before, blank_after):
    body = trailer_body(blank_before=blank_before, blank_after=blank_after)
    # Without the closing blank line the body's end is the stream's end (bounded by Content-Length).
    stream = io.BytesIO(body + (b"NEXT" if blank_after else b""))
    reader = ChunkedPayloadReader(stream, trailer_verified, decoded_length=66560)
    assert reader.read() == DATA
    assert reader.finished
    assert reader.trailers == {"x-amz-checksum-crc32c": "sOO8/Q=="}
    if blank_after:
        assert stream.tell() == len(body)


def test_a_bad_trailer_signature(trailer_verified):
    body = trailer_body(trailer_signature="0" * 64)
    with pytest.raises(SigV4Error) as caught:
        ChunkedPayloadReader(io.BytesIO(body), trailer_verified, decoded_length=66560).read()
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.extra["StringToSign"].startswith("AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n")


def test_a_changed_trailer(trailer_verified):
    body = trailer_body().replace(b"sOO8/Q==", b"AAAAAA==")
    with pytest.raises(SigV4Error) as caught:
        ChunkedPayloadReader(io.BytesIO(body), trailer_verified, decoded_length=66560).read()
    assert caught.value.code == "SignatureDoesNotMatch"


def test_signed_trailers_need_their_signature(trailer_verified):
    body = trailer_body().replace(f"x-amz-trailer-signature:{TRAILER_SIGNATURE}\r\n".encode(), b"")
    with pytest.raises(SigV4Error) as caught:
        ChunkedPayloadReader(io.BytesIO(body), trailer_verified, decoded_length=66560).read()
    assert caught.value.code in ("SignatureDoesNotMatch", "IncompleteBody")


def test_boto3_unsigned_trailer_over_https():
    """boto3 sends PutObject over HTTPS as aws-chunked with STREAMING-UNSIGNED-PAYLOAD-TRAILER."""
    import contextlib

    import boto3
    import botocore.config
    from botocore.awsrequest import AWSResponse

    sent = []

    def capture(request, **kwargs):
        sent.append(request)

        class _Raw:
            def stream(self, *args, **kw):
                yield b""

        return AWSResponse(request.url, 599, {}, _Raw())

    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name="us-east-1"
    )
    client = session.client(
        "s3",
        endpoint_url="https://localhost:8443",
        config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    client.meta.events.register("before-send", capture)
    data = bytes(range(256)) * 100
    with contextlib.suppress(botocore.exceptions.ClientError):
        client.put_object(Bucket="my-bucket", Key="streamed key.bin", Body=io.BytesIO(data))
    prepared = sent[-1]
    signed = _from_prepared(prepared)
    verified = verify(signed, SECRET_KEY, now=datetime.now(UTC))
    assert verified.payload_hash == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    body = prepared.body.read()
    reader = ChunkedPayloadReader(Trickle(body, 999), verified, decoded_length=len(data))
    assert reader.read() == data
    assert list(reader.trailers) == ["x-amz-checksum-crc32"]


def _from_prepared(prepared) -> SignedRequest:
    from urllib.parse import urlsplit

    parts = urlsplit(prepared.url)
    headers = [(n, v.decode() if isinstance(v, bytes) else v) for n, v in prepared.headers.items()]
    headers.append(("Host", parts.netloc))
    return SignedRequest(prepared.method, parts.path, parts.query, headers, None, s3=True)


def test_unsigned_trailer_framing(trailer_verified):
    unsigned = dataclasses.replace(trailer_verified, payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    body = (
        b"2000\r\n"
        + b"a" * 8192
        + b"\r\n10\r\n"
        + b"b" * 16
        + b"\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
    )
    reader = ChunkedPayloadReader(io.BytesIO(body), unsigned, decoded_length=8208)
    assert reader.read() == b"a" * 8192 + b"b" * 16
    assert reader.trailers == {"x-amz-checksum-crc32": "AAAAAA=="}
    no_trailer = b"10\r\n" + b"b" * 16 + b"\r\n0\r\n\r\n"
    reader = ChunkedPayloadReader(io.BytesIO(no_trailer), unsigned, decoded_length=16)
    assert reader.read() == b"b" * 16 and reader.trailers == {}
    for broken in (b"10;x=y\r\n" + b"b" * 16, b"10\r\n" + b"b" * 16 + b"\r\n0\r\nbad trailer\r\n\r\n"):
        with pytest.raises(SigV4Error) as caught:
            ChunkedPayloadReader(io.BytesIO(broken), unsigned, decoded_length=None).read()
        assert caught.value.code == "InvalidRequest"

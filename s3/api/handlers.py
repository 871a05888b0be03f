"""S3's operations over REST: which operation a request is (method, bucket or object, and the
sub-resource in its query), and one handler per operation translating between HTTP and the
service it calls. ``HANDLERS`` is the whole table; anything else is NotImplemented.
"""

from __future__ import annotations

import base64
import hashlib
from email.header import Header
from urllib.parse import parse_qs, quote, unquote

from django.http import FileResponse, HttpResponse
from django.utils.http import http_date

from accounts.api import sigv4

from ..errors import (
    AccessDenied,
    BadDigest,
    IncompleteBody,
    InvalidArgument,
    InvalidDigest,
    InvalidRequest,
    InvalidURI,
    MalformedXML,
    MethodNotAllowed,
    MissingContentLength,
    NotImplemented_,
    S3Error,
    XAmzContentSHA256Mismatch,
)
from ..services import buckets, listing, multipart, objects, policies, public_access, tagging
from ..shapes import PublicAccessBlock, Tag
from . import xml
from .xml import element, optional

MAX_SMALL_BODY = 2 * 1024 * 1024  # XML and JSON request documents
MAX_DELETE_OBJECTS = 1000
# Sub-resources S3 knows (a query parameter naming one selects another operation).
SUBRESOURCES = frozenset(
    [
        "accelerate",
        "acl",
        "analytics",
        "attributes",
        "cors",
        "delete",
        "encryption",
        "intelligent-tiering",
        "inventory",
        "legal-hold",
        "lifecycle",
        "location",
        "logging",
        "metadataTable",
        "metrics",
        "notification",
        "object-lock",
        "ownershipControls",
        "partNumber",
        "policy",
        "policyStatus",
        "publicAccessBlock",
        "replication",
        "requestPayment",
        "restore",
        "retention",
        "select",
        "tagging",
        "torrent",
        "uploadId",
        "uploads",
        "versioning",
        "versions",
        "website",
    ]
)
RESPONSE_OVERRIDES = {
    "response-content-type": "Content-Type",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
    "response-cache-control": "Cache-Control",
    "response-content-disposition": "Content-Disposition",
    "response-content-encoding": "Content-Encoding",
}
CHECKSUM_HEADERS = ("crc32", "crc32c", "crc64nvme", "sha1", "sha256")


class Call:
    """One S3 request as the handlers see it."""

    def __init__(self, request, route, auth, request_id: str):
        self.request = request
        self.route = route
        self.auth = auth
        self.actor = auth.principal
        self.request_id = request_id
        self.query = {
            k: v[0] for k, v in parse_qs(request.META.get("QUERY_STRING", ""), keep_blank_values=True).items()
        }
        self.bucket = route.bucket
        self.key = self._key(route.key_path)

    @staticmethod
    def _key(path: bytes | None) -> str | None:
        if path is None:
            return None
        try:
            return path.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidURI() from None

    def header(self, name: str) -> str | None:
        meta = name.upper().replace("-", "_")
        if meta not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            meta = "HTTP_" + meta
        value = self.request.META.get(meta)
        return value if value != "" or meta != "CONTENT_LENGTH" else None

    def header_text(self, name: str) -> str | None:
        """A header's value as text (WSGI hands header bytes over as latin-1 characters)."""
        value = self.header(name)
        if value is None:
            return None
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value

    @property
    def payload_hash(self) -> str | None:
        return self.auth.verified.payload_hash if self.auth.verified is not None else None

    def content_length(self) -> int | None:
        raw = self.header("Content-Length")
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise InvalidArgument("Content-Length must be a number", ArgumentName="Content-Length") from None
        if value < 0:
            raise InvalidArgument("Content-Length must be non-negative", ArgumentName="Content-Length")
        return value

    def body_stream(self):
        """(stream, decoded length) of the request body: an aws-chunked body decoded and
        verified chunk by chunk, any other read as it comes."""
        payload = self.payload_hash
        if payload is not None and payload.startswith("STREAMING-"):
            decoded = self.header("x-amz-decoded-content-length")
            if decoded is None or not decoded.isdigit():
                raise MissingContentLength()
            reader = sigv4.ChunkedPayloadReader(
                _Body(self.request), self.auth.verified, decoded_length=int(decoded)
            )
            return _Signed(reader), int(decoded)
        if payload is None and (self.header("x-amz-content-sha256") or "").startswith("STREAMING-"):
            raise NotImplemented_("aws-chunked uploads need a verified signature")
        return _Body(self.request), self.content_length()

    def small_body(self) -> bytes:
        """A request document (XML, JSON), checked against Content-MD5 and the signed hash."""
        stream, length = self.body_stream()
        if length is not None and length > MAX_SMALL_BODY:
            raise MalformedXML()
        data = stream.read(MAX_SMALL_BODY + 1) if length is None else _read_exactly(stream, length)
        if len(data) > MAX_SMALL_BODY:
            raise MalformedXML()
        payload = self.payload_hash
        if payload and len(payload) == 64 and hashlib.sha256(data).hexdigest() != payload.lower():
            raise XAmzContentSHA256Mismatch(
                ClientComputedContentSHA256=payload, S3ComputedContentSHA256=hashlib.sha256(data).hexdigest()
            )
        md5 = self.header("Content-MD5")
        if md5 is not None:
            try:
                expected = base64.b64decode(md5, validate=True)
            except ValueError:
                expected = b""
            if len(expected) != 16:
                raise InvalidDigest(**{"Content-MD5": md5})
            if hashlib.md5(data, usedforsecurity=False).digest() != expected:
                raise BadDigest()
        return data


class _Body:
    """The request body as the services read it: a dropped connection is IncompleteBody."""

    def __init__(self, request):
        self._request = request

    def read(self, size: int = -1) -> bytes:
        try:
            return self._request.read(size)
        except (OSError, ValueError):
            return b""


class _Signed:
    """An aws-chunked body whose decoding errors are S3 errors (audited as the action's)."""

    def __init__(self, reader: sigv4.ChunkedPayloadReader):
        self._reader = reader

    @property
    def trailers(self) -> dict:
        return self._reader.trailers

    def read(self, size: int = -1) -> bytes:
        try:
            return self._reader.read(size)
        except sigv4.SigV4Error as exc:
            error = S3Error(exc.message, **exc.extra)
            error.code, error.status = exc.code, exc.status
            raise error from None


def _read_exactly(stream, length: int) -> bytes:
    parts, remaining = [], length
    while remaining > 0:
        data = stream.read(min(remaining, 65536))
        if not data:
            raise IncompleteBody()
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)


# ------------------------------------------------------------------------------ responses


def xml_response(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/xml")


def empty(status: int = 204) -> HttpResponse:
    response = HttpResponse(b"", status=status)
    del response["Content-Type"]
    return response


def _header_value(value: str) -> str:
    """A header value as S3 sends non-ASCII metadata: RFC 2047 encoded."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode()


class ObjectResponse(FileResponse):
    """An object's bytes, read in large blocks (the server may send a whole file with
    sendfile); S3's headers, not FileResponse's guesses."""

    block_size = 1024 * 1024

    def set_headers(self, filelike):
        return None


class _Slice:
    """``length`` bytes of a file from where it stands (a Range): no ``fileno``, so that no
    server sends past the range with sendfile."""

    def __init__(self, handle, length: int):
        self._handle = handle
        self._left = length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._handle.read(size)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._handle.close()


def _object_headers(response, info, body, call: Call) -> None:
    response["ETag"] = info.etag
    response["Last-Modified"] = http_date(info.last_modified.timestamp())
    response["Accept-Ranges"] = "bytes"
    response["Content-Type"] = info.content_type
    response["Content-Length"] = str(body.content_length)
    response["x-amz-server-side-encryption"] = "AES256"
    if info.storage_class != "STANDARD":
        response["x-amz-storage-class"] = info.storage_class
    for name, value in info.headers.items():
        response[name] = _header_value(value)
    for name, value in info.metadata.items():
        response[f"x-amz-meta-{name}"] = _header_value(value)
    if body.partial:
        response["Content-Range"] = f"bytes {body.start}-{body.end}/{info.size}"
    for param, header in RESPONSE_OVERRIDES.items():
        if param in call.query:
            response[header] = _header_value(call.query[param])


def _conditions(call: Call) -> dict:
    return {
        "if_match": call.header("If-Match"),
        "if_none_match": call.header("If-None-Match"),
        "if_modified_since": call.header("If-Modified-Since"),
        "if_unmodified_since": call.header("If-Unmodified-Since"),
    }


def _check_version(call: Call) -> None:
    version = call.query.get("versionId")
    if version is not None and version != "null":
        raise InvalidArgument("Invalid version id specified", ArgumentName="versionId", ArgumentValue=version)


def _check_overrides(call: Call) -> None:
    if call.actor.is_anonymous and any(p in call.query for p in RESPONSE_OVERRIDES):
        raise InvalidRequest("Request specific response headers cannot be used for anonymous GET requests.")


# ------------------------------------------------------------------------------ service


def list_buckets(call: Call):
    max_buckets = call.query.get("max-buckets")
    if max_buckets is not None:
        try:
            max_buckets = int(max_buckets)
        except ValueError:
            raise InvalidArgument("Provided max-buckets not an integer or within integer range") from None
    result = buckets.list_buckets(
        call.actor,
        prefix=call.query.get("prefix"),
        bucket_region=call.query.get("bucket-region"),
        max_buckets=max_buckets,
        continuation_token=call.query.get("continuation-token"),
    )
    items = [
        element(
            "Bucket",
            element("Name", b.name),
            element("CreationDate", xml.iso(b.creation_date)),
            element("BucketRegion", b.bucket_region),
        )
        for b in result.buckets
    ]
    owner = element(
        "Owner", element("ID", result.owner.id), element("DisplayName", result.owner.display_name)
    )
    return xml_response(
        xml.document(
            "ListAllMyBucketsResult",
            owner,
            element("Buckets", *items),
            optional("ContinuationToken", result.continuation_token),
            optional("Prefix", result.prefix),
        )
    )


# ------------------------------------------------------------------------------ bucket


def create_bucket(call: Call):
    acl = call.header("x-amz-acl")
    if acl is not None and acl != "private":
        raise _acl_refused()
    location = None
    data = (
        call.small_body() if (call.content_length() or call.header("x-amz-decoded-content-length")) else b""
    )
    if data.strip():
        try:
            root = xml.parse(data)
        except xml.BadXML:
            raise MalformedXML() from None
        if root.tag != "CreateBucketConfiguration":
            raise MalformedXML()
        location = xml.child_text(root, "LocationConstraint")
    endpoint_region = call.auth.region if call.auth.verified is not None else None
    buckets.create_bucket(
        call.actor, bucket=call.bucket, location_constraint=location, endpoint_region=endpoint_region
    )
    response = empty(200)
    response["Location"] = f"/{call.bucket}"
    return response


def _acl_refused() -> S3Error:
    error = S3Error("Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    error.code, error.status = "InvalidBucketAclWithObjectOwnership", 400
    return error


def delete_bucket(call: Call):
    buckets.delete_bucket(call.actor, bucket=call.bucket)
    return empty()


def head_bucket(call: Call):
    found = buckets.head_bucket(call.actor, bucket=call.bucket)
    response = empty(200)
    response["x-amz-bucket-region"] = found.bucket_region
    response["x-amz-access-point-alias"] = "false"
    return response


def get_bucket_location(call: Call):
    location = buckets.get_bucket_location(call.actor, bucket=call.bucket)
    return xml_response(xml.document("LocationConstraint", location) if location else _empty_location())


def _empty_location() -> bytes:
    return (xml.DECLARATION + f'<LocationConstraint xmlns="{xml.NAMESPACE}"/>').encode()


def _int_param(call: Call, name: str) -> int | None:
    raw = call.query.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidArgument(
            "Provided max-keys not an integer or within integer range", ArgumentName=name, ArgumentValue=raw
        ) from None


def _contents(listing_result, with_owner: bool):
    out = []
    for item in listing_result.contents:
        owner = None
        if with_owner and item.owner is not None:
            owner = element(
                "Owner", element("ID", item.owner.id), element("DisplayName", item.owner.display_name)
            )
        out.append(
            element(
                "Contents",
                element("Key", item.key),
                element("LastModified", xml.iso(item.last_modified)),
                element("ETag", item.etag),
                element("Size", item.size),
                owner,
                element("StorageClass", item.storage_class),
            )
        )
    return out


def _prefixes(listing_result):
    return [element("CommonPrefixes", element("Prefix", p)) for p in listing_result.common_prefixes]


def list_objects_v2(call: Call):
    fetch_owner = call.query.get("fetch-owner", "").lower() == "true"
    result = listing.list_objects_v2(
        call.actor,
        bucket=call.bucket,
        prefix=call.query.get("prefix", ""),
        delimiter=call.query.get("delimiter", ""),
        max_keys=_int_param(call, "max-keys"),
        continuation_token=call.query.get("continuation-token"),
        start_after=call.query.get("start-after"),
        fetch_owner=fetch_owner,
        encoding_type=call.query.get("encoding-type"),
    )
    return xml_response(
        xml.document(
            "ListBucketResult",
            element("Name", result.name),
            element("Prefix", result.prefix),
            optional("Delimiter", result.delimiter or None),
            element("MaxKeys", result.max_keys),
            optional("EncodingType", result.encoding_type),
            element("KeyCount", result.key_count),
            element("IsTruncated", result.is_truncated),
            optional("ContinuationToken", result.continuation_token),
            optional("NextContinuationToken", result.next_continuation_token),
            optional("StartAfter", result.start_after),
            *_contents(result, fetch_owner),
            *_prefixes(result),
        )
    )


def list_objects(call: Call):
    result = listing.list_objects(
        call.actor,
        bucket=call.bucket,
        prefix=call.query.get("prefix", ""),
        delimiter=call.query.get("delimiter", ""),
        marker=call.query.get("marker"),
        max_keys=_int_param(call, "max-keys"),
        encoding_type=call.query.get("encoding-type"),
    )
    return xml_response(
        xml.document(
            "ListBucketResult",
            element("Name", result.name),
            element("Prefix", result.prefix),
            element("Marker", result.marker or ""),
            optional("NextMarker", result.next_marker),
            element("MaxKeys", result.max_keys),
            optional("Delimiter", result.delimiter or None),
            element("IsTruncated", result.is_truncated),
            optional("EncodingType", result.encoding_type),
            *_contents(result, True),
            *_prefixes(result),
        )
    )


def put_bucket_policy(call: Call):
    data = call.small_body()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    policies.put_bucket_policy(call.actor, bucket=call.bucket, policy=text)
    return empty()


def get_bucket_policy(call: Call):
    text = policies.get_bucket_policy(call.actor, bucket=call.bucket)
    return HttpResponse(text.encode("utf-8"), content_type="application/json")


def delete_bucket_policy(call: Call):
    policies.delete_bucket_policy(call.actor, bucket=call.bucket)
    return empty()


def get_bucket_policy_status(call: Call):
    public = policies.get_bucket_policy_status(call.actor, bucket=call.bucket)
    return xml_response(xml.document("PolicyStatus", element("IsPublic", public)))


_PAB_ELEMENTS = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}


def put_public_access_block(call: Call):
    try:
        root = xml.parse(call.small_body())
    except xml.BadXML:
        raise MalformedXML() from None
    if root.tag != "PublicAccessBlockConfiguration":
        raise MalformedXML()
    values = {}
    for tag, name in _PAB_ELEMENTS.items():
        raw = (xml.child_text(root, tag, "false") or "").strip().lower()
        if raw not in ("true", "false"):
            raise MalformedXML()
        values[name] = raw == "true"
    public_access.put_public_access_block(
        call.actor, bucket=call.bucket, configuration=PublicAccessBlock(**values)
    )
    return empty(200)


def get_public_access_block(call: Call):
    block = public_access.get_public_access_block(call.actor, bucket=call.bucket)
    return xml_response(
        xml.document(
            "PublicAccessBlockConfiguration",
            *[element(tag, getattr(block, name)) for tag, name in _PAB_ELEMENTS.items()],
        )
    )


def delete_public_access_block(call: Call):
    public_access.delete_public_access_block(call.actor, bucket=call.bucket)
    return empty()


def put_bucket_tagging(call: Call):
    try:
        root = xml.parse(call.small_body())
    except xml.BadXML:
        raise MalformedXML() from None
    tag_set = root.find("TagSet")
    if root.tag != "Tagging" or tag_set is None:
        raise MalformedXML()
    tags = [
        Tag(xml.child_text(t, "Key", "") or "", xml.child_text(t, "Value", "") or "")
        for t in tag_set.findall("Tag")
    ]
    tagging.put_bucket_tagging(call.actor, bucket=call.bucket, tags=tags)
    return empty()


def get_bucket_tagging(call: Call):
    tags = tagging.get_bucket_tagging(call.actor, bucket=call.bucket)
    items = [element("Tag", element("Key", t.key), element("Value", t.value)) for t in tags]
    return xml_response(xml.document("Tagging", element("TagSet", *items)))


def delete_bucket_tagging(call: Call):
    tagging.delete_bucket_tagging(call.actor, bucket=call.bucket)
    return empty()


def delete_objects(call: Call):
    if (
        call.header("Content-MD5") is None
        and not any(call.header(f"x-amz-checksum-{n}") for n in CHECKSUM_HEADERS)
        and not call.header("x-amz-sdk-checksum-algorithm")
    ):
        raise InvalidRequest("Missing required header for this request: Content-MD5")
    try:
        root = xml.parse(call.small_body())
    except xml.BadXML:
        raise MalformedXML() from None
    if root.tag != "Delete":
        raise MalformedXML()
    quiet = (xml.child_text(root, "Quiet", "false") or "").strip().lower() == "true"
    entries = root.findall("Object")
    if not entries or len(entries) > MAX_DELETE_OBJECTS:
        raise MalformedXML()
    deleted, errors = [], []
    for entry in entries:
        key = xml.child_text(entry, "Key")
        if key is None:
            raise MalformedXML()
        try:
            objects.delete_object(call.actor, bucket=call.bucket, key=key)
        except AccessDenied as exc:
            errors.append(
                element(
                    "Error", element("Key", key), element("Code", exc.code), element("Message", exc.message)
                )
            )
            continue
        except S3Error as exc:
            if exc.code == "NoSuchBucket":
                raise
            errors.append(
                element(
                    "Error", element("Key", key), element("Code", exc.code), element("Message", exc.message)
                )
            )
            continue
        if not quiet:
            deleted.append(element("Deleted", element("Key", key)))
    return xml_response(xml.document("DeleteResult", *deleted, *errors))


# ------------------------------------------------------------------------------ object


def _metadata(call: Call) -> dict[str, str]:
    out = {}
    for meta_key, value in call.request.META.items():
        if meta_key.startswith("HTTP_X_AMZ_META_"):
            name = meta_key[len("HTTP_X_AMZ_META_") :].lower().replace("_", "-")
            try:
                out[name] = value.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                out[name] = value
    return out


def _stored_headers(call: Call) -> dict[str, str]:
    out = {}
    for name in objects.STORED_HEADERS:
        value = call.header_text(name)
        if value:
            out[name] = value
    return out


def _checksums(call: Call) -> tuple[dict[str, str], set[str]]:
    expected = {}
    for name in CHECKSUM_HEADERS:
        value = call.header(f"x-amz-checksum-{name}")
        if value:
            expected[name] = value
    algorithms = set()
    trailer = call.header("x-amz-trailer") or ""
    for part in trailer.split(","):
        part = part.strip().lower()
        if part.startswith("x-amz-checksum-"):
            algorithms.add(part[len("x-amz-checksum-") :])
    return expected, algorithms


def put_object(call: Call):
    if call.header("x-amz-copy-source") is not None:
        return copy_object(call)
    acl = call.header("x-amz-acl")
    if acl is not None and acl not in ("private", "bucket-owner-full-control"):
        raise _acl_not_supported()
    stream, length = call.body_stream()
    payload = call.payload_hash
    expected, algorithms = _checksums(call)
    result = objects.put_object(
        call.actor,
        bucket=call.bucket,
        key=call.key,
        body=stream,
        content_length=length,
        content_type=call.header_text("Content-Type"),
        content_md5=call.header("Content-MD5"),
        metadata=_metadata(call),
        headers=_stored_headers(call),
        payload_sha256=payload if payload and len(payload) == 64 else None,
        checksums=expected,
        checksum_algorithms=algorithms,
    )
    response = empty(200)
    response["ETag"] = result.etag
    response["x-amz-server-side-encryption"] = "AES256"
    for name, value in result.checksums.items():
        response[f"x-amz-checksum-{name}"] = value
    return response


def _acl_not_supported() -> S3Error:
    error = S3Error("The bucket does not allow ACLs")
    error.code, error.status = "AccessControlListNotSupported", 400
    return error


def copy_object(call: Call):
    source = unquote(call.header("x-amz-copy-source") or "")
    source, _, version = source.partition("?")
    source = source.lstrip("/")
    source_bucket, slash, source_key = source.partition("/")
    if not slash or not source_key:
        raise InvalidArgument(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            ArgumentName="x-amz-copy-source",
            ArgumentValue=call.header("x-amz-copy-source") or "",
        )
    if version and version != "versionId=null":
        raise InvalidArgument("Invalid version id specified", ArgumentName="x-amz-copy-source")
    directive = (call.header("x-amz-metadata-directive") or "COPY").upper()
    result = objects.copy_object(
        call.actor,
        bucket=call.bucket,
        key=call.key,
        source_bucket=source_bucket,
        source_key=source_key,
        metadata_directive=directive,
        content_type=call.header_text("Content-Type"),
        metadata=_metadata(call),
        headers=_stored_headers(call),
    )
    return xml_response(
        xml.document(
            "CopyObjectResult",
            element("LastModified", xml.iso(result.last_modified)),
            element("ETag", result.etag),
        )
    )


def get_object(call: Call):
    _check_version(call)
    _check_overrides(call)
    body = objects.get_object(
        call.actor, bucket=call.bucket, key=call.key, range=call.header("Range"), **_conditions(call)
    )
    stream = _Slice(body.file, body.content_length) if body.partial else body.file
    response = ObjectResponse(stream, status=206 if body.partial else 200)
    _object_headers(response, body.info, body, call)
    return response


def head_object(call: Call):
    _check_version(call)
    _check_overrides(call)
    body = objects.head_object(
        call.actor, bucket=call.bucket, key=call.key, range=call.header("Range"), **_conditions(call)
    )
    response = HttpResponse(b"", status=206 if body.partial else 200)
    _object_headers(response, body.info, body, call)
    return response


def delete_object(call: Call):
    _check_version(call)
    objects.delete_object(call.actor, bucket=call.bucket, key=call.key)
    return empty()


def create_multipart_upload(call: Call):
    upload_id = multipart.create_multipart_upload(
        call.actor,
        bucket=call.bucket,
        key=call.key,
        content_type=call.header_text("Content-Type"),
        metadata=_metadata(call),
        headers=_stored_headers(call),
    )
    return xml_response(
        xml.document(
            "InitiateMultipartUploadResult",
            element("Bucket", call.bucket),
            element("Key", call.key),
            element("UploadId", upload_id),
        )
    )


def upload_part(call: Call):
    raw = call.query.get("partNumber", "")
    try:
        number = int(raw)
    except ValueError:
        number = raw
    stream, length = call.body_stream()
    payload = call.payload_hash
    expected, algorithms = _checksums(call)
    etag = multipart.upload_part(
        call.actor,
        bucket=call.bucket,
        key=call.key,
        upload_id=call.query.get("uploadId", ""),
        part_number=number,
        body=stream,
        content_length=length,
        content_md5=call.header("Content-MD5"),
        payload_sha256=payload if payload and len(payload) == 64 else None,
        checksums=expected,
        checksum_algorithms=algorithms,
    )
    response = empty(200)
    response["ETag"] = etag
    return response


def complete_multipart_upload(call: Call):
    try:
        root = xml.parse(call.small_body())
    except xml.BadXML:
        raise MalformedXML() from None
    if root.tag != "CompleteMultipartUpload":
        raise MalformedXML()
    parts = []
    for part in root.findall("Part"):
        number, etag = xml.child_text(part, "PartNumber"), xml.child_text(part, "ETag")
        if number is None or etag is None or not number.strip().isdigit():
            raise MalformedXML()
        parts.append((int(number), etag))
    done = multipart.complete_multipart_upload(
        call.actor, bucket=call.bucket, key=call.key, upload_id=call.query.get("uploadId", ""), parts=parts
    )
    scheme = "https" if call.request.is_secure() else "http"
    path = quote(call.request.path_info.encode("utf-8"), safe="/~")
    location = f"{scheme}://{call.request.META.get('HTTP_HOST', '')}{path}"
    return xml_response(
        xml.document(
            "CompleteMultipartUploadResult",
            element("Location", location),
            element("Bucket", done.bucket),
            element("Key", done.key),
            element("ETag", done.etag),
        )
    )


def abort_multipart_upload(call: Call):
    multipart.abort_multipart_upload(
        call.actor, bucket=call.bucket, key=call.key, upload_id=call.query.get("uploadId", "")
    )
    return empty()


# ------------------------------------------------------------------------------ routing

# (method, level, sub-resource) -> (operation, handler); level is service, bucket or object
HANDLERS = {
    ("GET", "service", None): ("ListBuckets", list_buckets),
    ("PUT", "bucket", None): ("CreateBucket", create_bucket),
    ("DELETE", "bucket", None): ("DeleteBucket", delete_bucket),
    ("HEAD", "bucket", None): ("HeadBucket", head_bucket),
    ("GET", "bucket", None): ("ListObjects", list_objects),
    ("GET", "bucket", "list-type=2"): ("ListObjectsV2", list_objects_v2),
    ("GET", "bucket", "location"): ("GetBucketLocation", get_bucket_location),
    ("PUT", "bucket", "policy"): ("PutBucketPolicy", put_bucket_policy),
    ("GET", "bucket", "policy"): ("GetBucketPolicy", get_bucket_policy),
    ("DELETE", "bucket", "policy"): ("DeleteBucketPolicy", delete_bucket_policy),
    ("GET", "bucket", "policyStatus"): ("GetBucketPolicyStatus", get_bucket_policy_status),
    ("PUT", "bucket", "publicAccessBlock"): ("PutPublicAccessBlock", put_public_access_block),
    ("GET", "bucket", "publicAccessBlock"): ("GetPublicAccessBlock", get_public_access_block),
    ("DELETE", "bucket", "publicAccessBlock"): ("DeletePublicAccessBlock", delete_public_access_block),
    ("PUT", "bucket", "tagging"): ("PutBucketTagging", put_bucket_tagging),
    ("GET", "bucket", "tagging"): ("GetBucketTagging", get_bucket_tagging),
    ("DELETE", "bucket", "tagging"): ("DeleteBucketTagging", delete_bucket_tagging),
    ("POST", "bucket", "delete"): ("DeleteObjects", delete_objects),
    ("PUT", "object", None): ("PutObject", put_object),
    ("GET", "object", None): ("GetObject", get_object),
    ("HEAD", "object", None): ("HeadObject", head_object),
    ("DELETE", "object", None): ("DeleteObject", delete_object),
    ("POST", "object", "uploads"): ("CreateMultipartUpload", create_multipart_upload),
    ("PUT", "object", "uploadId"): ("UploadPart", upload_part),
    ("POST", "object", "uploadId"): ("CompleteMultipartUpload", complete_multipart_upload),
    ("DELETE", "object", "uploadId"): ("AbortMultipartUpload", abort_multipart_upload),
}


def operation_for(call: Call):
    """(operation name, handler) of a request; NotImplemented for what S3 has and this does
    not, MethodNotAllowed for what S3 has not."""
    level = "service" if call.bucket is None else "bucket" if call.key is None else "object"
    subresources = [name for name in call.query if name in SUBRESOURCES]
    sub = subresources[0] if subresources else None
    if "uploadId" in call.query and "uploads" not in call.query:
        sub = "uploadId"  # UploadPart carries partNumber too
    if sub is None and level == "bucket" and call.query.get("list-type") == "2":
        sub = "list-type=2"
    if level == "service" and call.request.method != "GET":
        raise MethodNotAllowed(Method=call.request.method, ResourceType="SERVICE")
    found = HANDLERS.get((call.request.method, level, sub))
    if found is None:
        if sub is not None or call.request.method in ("GET", "PUT", "DELETE", "HEAD", "POST"):
            raise NotImplemented_()
        raise MethodNotAllowed(Method=call.request.method, ResourceType=level.upper())
    return found

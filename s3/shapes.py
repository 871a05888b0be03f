"""What the S3 services return: plain data in S3's shapes (snake case of AWS's member names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Owner:
    id: str  # the canonical user ID (64 hex)
    display_name: str


@dataclass(frozen=True)
class Bucket:
    name: str
    creation_date: datetime
    bucket_region: str
    owner_account_id: str = ""
    # the console's "Access" column (what GetBucketPolicyStatus and Block Public Access say)
    access: str = ""

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


@dataclass(frozen=True)
class BucketList:
    buckets: list[Bucket]
    owner: Owner | None
    continuation_token: str | None = None
    prefix: str | None = None


@dataclass(frozen=True)
class PublicAccessBlock:
    block_public_acls: bool = True
    ignore_public_acls: bool = True
    block_public_policy: bool = True
    restrict_public_buckets: bool = True

    @property
    def all_on(self) -> bool:
        return (
            self.block_public_acls
            and self.ignore_public_acls
            and self.block_public_policy
            and self.restrict_public_buckets
        )

    @property
    def all_off(self) -> bool:
        return not (
            self.block_public_acls
            or self.ignore_public_acls
            or self.block_public_policy
            or self.restrict_public_buckets
        )

    def __or__(self, other: PublicAccessBlock) -> PublicAccessBlock:
        return PublicAccessBlock(
            self.block_public_acls or other.block_public_acls,
            self.ignore_public_acls or other.ignore_public_acls,
            self.block_public_policy or other.block_public_policy,
            self.restrict_public_buckets or other.restrict_public_buckets,
        )


NO_BLOCK = PublicAccessBlock(False, False, False, False)


@dataclass(frozen=True)
class ObjectSummary:
    key: str
    size: int
    etag: str  # with its quotes, as S3 shows it
    last_modified: datetime
    storage_class: str = "STANDARD"
    owner: Owner | None = None

    @property
    def name(self) -> str:
        """The last part of the key, as the console's Objects tab shows it."""
        stripped = self.key[:-1] if self.key.endswith("/") else self.key
        return stripped.rsplit("/", 1)[-1] + ("/" if self.key.endswith("/") else "")


@dataclass(frozen=True)
class ObjectListing:
    name: str
    prefix: str
    delimiter: str
    max_keys: int
    contents: list[ObjectSummary]
    common_prefixes: list[str]
    is_truncated: bool
    encoding_type: str | None = None
    # ListObjectsV2
    continuation_token: str | None = None
    next_continuation_token: str | None = None
    start_after: str | None = None
    # ListObjects (v1)
    marker: str | None = None
    next_marker: str | None = None

    @property
    def key_count(self) -> int:
        return len(self.contents) + len(self.common_prefixes)


@dataclass(frozen=True)
class ObjectInfo:
    bucket: str
    key: str
    size: int
    etag: str  # quoted
    last_modified: datetime
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    storage_class: str = "STANDARD"

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}/{self.key}"


@dataclass
class ObjectBody:
    """GetObject's answer: the object, and its bytes from ``start`` to ``end`` (inclusive)
    as an open file positioned at ``start`` (the caller closes it)."""

    info: ObjectInfo
    file: object
    start: int
    end: int
    partial: bool = False

    @property
    def content_length(self) -> int:
        return max(0, self.end - self.start + 1)


@dataclass(frozen=True)
class PutObjectResult:
    etag: str
    checksums: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CopyObjectResult:
    etag: str
    last_modified: datetime


@dataclass(frozen=True)
class DeletedObject:
    key: str


@dataclass(frozen=True)
class DeleteError:
    key: str
    code: str
    message: str


@dataclass(frozen=True)
class Tag:
    key: str
    value: str

"""The S3 side of the gate: S3's ARNs and condition keys, the bucket policy weighed as the
resource policy with the bucket owner's account, Block Public Access, and S3's wording of
AccessDenied.

S3 words a same-account refusal as IAM does, with the resource in quotes (``User: ARN is not
authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bucket/key" because no
identity-based policy allows the s3:PutObject action``), ListAllMyBuckets without a resource;
a caller of another account and an anonymous caller are told only ``Access Denied``.

Block Public Access, as its caller applies it (the engine knows nothing of it):
RestrictPublicBuckets — when the bucket's policy is public, only the bucket owner's account
is served (public and cross-account grants of that policy are ignored); BlockPublicPolicy is
PutBucketPolicy's (``policies``). The effective switches are the bucket's and the account's.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext_noop

from accounts import audit, authz
from accounts import context as call_context

from .. import bucket_policy
from ..errors import AccessDenied, NoSuchBucket
from ..models import AccountPublicAccessBlock, Bucket
from ..naming import is_valid_bucket_name
from ..shapes import NO_BLOCK, Owner, PublicAccessBlock
from . import rows

ACCESS_DENIED = "Access Denied"
ALL_BUCKETS = "arn:aws:s3:::*"
BLOCKED_BY_POLICY_SETTING = (
    "because public policies are blocked by the BlockPublicPolicy block public access setting."
)

# The console's "Access" labels (S3 console, Buckets list; the template translates them)
ACCESS_PUBLIC = gettext_noop("Public")
ACCESS_OBJECTS_CAN_BE_PUBLIC = gettext_noop("Objects can be public")
ACCESS_NOT_PUBLIC = gettext_noop("Bucket and objects not public")
ACCESS_ACCOUNT_ONLY = gettext_noop("Only authorized users of this account")


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def canonical_owner(account_id: str) -> Owner:
    """The canonical user of an account (S3's 64-hex owner ID), stable per account."""
    digest = hashlib.sha256(f"iamconsole-s3-canonical-user:{account_id}".encode()).hexdigest()
    return Owner(id=digest, display_name=account_id)


def find_bucket(name: str, *, for_update: bool = False) -> Bucket:
    """The bucket named ``name`` (buckets are global: any account's); NoSuchBucket otherwise.
    A name outside S3's rules names no bucket and costs no query."""
    if not isinstance(name, str) or not is_valid_bucket_name(name):
        raise NoSuchBucket(BucketName=name if isinstance(name, str) else "")
    found = rows.bucket_named(name, for_update=for_update)
    if found is None:
        raise NoSuchBucket(BucketName=name)
    return found


def account_block(account_id: str) -> PublicAccessBlock:
    row = AccountPublicAccessBlock.objects.filter(account_id=account_id).first()
    return _shape(row) if row is not None else NO_BLOCK


def _shape(row) -> PublicAccessBlock:
    return PublicAccessBlock(
        row.block_public_acls, row.ignore_public_acls, row.block_public_policy, row.restrict_public_buckets
    )


def bucket_block(bucket: Bucket) -> PublicAccessBlock:
    """The bucket's own switches (all off when its configuration was deleted)."""
    return _shape(bucket) if bucket.public_access_block else NO_BLOCK


def effective_block(bucket: Bucket) -> PublicAccessBlock:
    """The switches that apply to a bucket: its own and its account's (the stricter wins).
    The account's are read once per bucket row (a query only when they are needed)."""
    account = getattr(bucket, "_account_block", None)
    if account is None:
        account = bucket._account_block = account_block(bucket.account_id)
    return bucket_block(bucket) | account


def access_label(bucket: Bucket) -> str:
    """The console's Access column for a bucket."""
    block = effective_block(bucket)
    if bucket.policy and bucket_policy.is_public(bucket.policy):
        return ACCESS_ACCOUNT_ONLY if block.restrict_public_buckets else ACCESS_PUBLIC
    if block.all_on or (block.block_public_policy and block.ignore_public_acls):
        return ACCESS_NOT_PUBLIC
    return ACCESS_OBJECTS_CAN_BE_PUBLIC


def request_keys(bucket: Bucket | None, extra: dict | None = None) -> dict:
    """S3's condition keys of a request: the signature's (``s3:authType``,
    ``s3:signatureversion``, ``s3:signatureAge`` the API put in the call context), the
    bucket's tags as ``aws:ResourceTag/…``, and the action's own (``extra``)."""
    keys: dict = dict(call_context.current().extra.get("s3", {}))
    if bucket is not None:
        for tag in bucket.tags or ():
            keys[f"aws:ResourceTag/{tag['Key']}"] = tag["Value"]
    if extra:
        keys.update(extra)
    return keys


def _outsider(actor, bucket: Bucket | None) -> bool:
    return bucket is not None and (actor.is_anonymous or actor.account_id != bucket.account_id)


def decide(actor, action: str, resource: str, bucket: Bucket | None, context: dict | None = None):
    """The gate's verdict on an S3 request (``bucket`` None: an account-level action)."""
    if bucket is None:
        return authz.decide(actor, action, resource, context=request_keys(None, context))
    policy = bucket.policy or None
    if (
        policy is not None
        and _outsider(actor, bucket)
        and effective_block(bucket).restrict_public_buckets
        and bucket_policy.is_public(policy)
    ):
        return authz.Verdict(False, reason="restrict-public-buckets")
    return authz.decide(
        actor,
        action,
        resource,
        context=request_keys(bucket, context),
        resource_policy=policy,
        resource_account=bucket.account_id,
        resource_policy_label=f"bucket policy of {bucket.name}",
    )


def denial_message(actor, action: str, resource: str | None, bucket: Bucket | None, verdict) -> str:
    if actor.is_anonymous or _outsider(actor, bucket) or verdict.decision is None:
        return ACCESS_DENIED
    quoted = f'"{resource}"' if resource and resource != ALL_BUCKETS else None
    return authz.denial_message(actor, action, quoted, verdict.decision)


def check_target(bucket: Bucket, key: str | None = None) -> None:
    """Name the resource of the running action in the audit trail (for an action that the
    gate does not decide, such as the owner's root managing its bucket's policy)."""
    audit.set_target(bucket_arn(bucket.name) if key is None else object_arn(bucket.name, key))


def check(actor, action: str, bucket: Bucket | None = None, key: str | None = None, *, context=None) -> None:
    """Raise AccessDenied (S3's wording) unless ``actor`` may do ``action`` on the bucket (or
    the object ``key`` of it; no bucket: every bucket, as ListAllMyBuckets)."""
    if bucket is None:
        resource = ALL_BUCKETS
    elif key is None:
        resource = bucket_arn(bucket.name)
    else:
        resource = object_arn(bucket.name, key)
    audit.set_target(resource if bucket is not None else "")
    if _outsider(actor, bucket):
        audit.add_detail(resource_account=bucket.account_id)
    verdict = decide(actor, action, resource, bucket, context)
    if not verdict.allowed:
        raise AccessDenied(
            denial_message(actor, action, resource, bucket, verdict),
            decision=verdict.decision,
            considered=verdict.considered,
        )


def allowed(actor, action: str, bucket: Bucket, key: str | None = None, *, context=None) -> bool:
    resource = bucket_arn(bucket.name) if key is None else object_arn(bucket.name, key)
    return decide(actor, action, resource, bucket, context).allowed

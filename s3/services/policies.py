"""Bucket policies: PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy.

Only the bucket owner's account manages its bucket's policy: a caller of another account whom
the policies allow is answered 405 MethodNotAllowed, as AWS answers. The owner's root user may
always get, put and delete it, even when the policy denies it (AWS's lockout protection).
BlockPublicPolicy refuses a public policy with AccessDenied.
"""

from __future__ import annotations

from accounts.audit import add_detail
from accounts.models import Account, Identity, Role
from accounts.services.base import iam_action, iam_read

from .. import bucket_policy
from ..errors import AccessDenied, MalformedPolicy, MethodNotAllowed, NoSuchBucketPolicy, PolicyTooLarge
from . import access


def principal_exists(arn: str) -> bool:
    """Whether the account, IAM user, role or role session ``arn`` names exists in this world
    (S3 refuses a policy that names one that does not: "Invalid principal in policy")."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return False
    service, account_id, resource = parts[2], parts[4], parts[5]
    if service == "iam" and resource == "root":
        return Account.objects.filter(account_id=account_id).exists()
    if service == "sts" and resource.startswith("assumed-role/"):
        pieces = resource.split("/")
        return len(pieces) == 3 and bool(pieces[2]) and _named(Role, account_id, pieces[1]).exists()
    if service != "iam" or "/" not in resource:
        return False
    kind, _, rest = resource.partition("/")
    path, _, name = ("/" + rest).rpartition("/")
    path = path + "/"
    if kind == "user":
        return _named(Identity, account_id, name, path=path).filter(kind=Identity.USER).exists()
    if kind == "role":
        return _named(Role, account_id, name, path=path).exists()
    return False


def _named(model, account_id: str, name: str, path: str | None = None):
    qs = model.objects.filter(account_id=account_id, name__iexact=name)
    return qs.filter(path=path) if path is not None else qs


def _owner_root(actor, row) -> bool:
    return actor.is_root and actor.account_id == row.account_id


def _manage(actor, action: str, row) -> None:
    """The owner's root always; anyone else through the gate, then only the owner's account."""
    if _owner_root(actor, row):
        access.check_target(row)
        return
    access.check(actor, action, row)
    if actor.account_id != row.account_id:
        raise MethodNotAllowed(Method="PUT", ResourceType="BUCKETPOLICY")


def validate_bucket_policy(bucket: str, policy: str) -> None:
    """PutBucketPolicy's check of a document; MalformedPolicy (``line``/``column`` set where S3
    points at the fault) or PolicyTooLarge."""
    try:
        bucket_policy.validate(policy, bucket=bucket, principal_exists=principal_exists)
    except bucket_policy.PolicyProblem as exc:
        error = (PolicyTooLarge if exc.code == "PolicyTooLarge" else MalformedPolicy)(exc.message)
        error.line, error.column = exc.line, exc.column
        raise error from None


@iam_action("s3:PutBucketPolicy")
def put_bucket_policy(actor, *, bucket: str, policy: str) -> None:
    """Set the bucket's policy. Raises NoSuchBucket, AccessDenied (also for a public policy
    while BlockPublicPolicy is on), MethodNotAllowed, MalformedPolicy, PolicyTooLarge."""
    row = access.find_bucket(bucket)
    _manage(actor, "s3:PutBucketPolicy", row)
    validate_bucket_policy(row.name, policy)
    if access.effective_block(row).block_public_policy and bucket_policy.is_public(policy):
        add_detail(blocked_by="BlockPublicPolicy")
        raise AccessDenied(
            f"User: {actor.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "
            f'"{row.arn}" {access.BLOCKED_BY_POLICY_SETTING}'
        )
    row.policy = policy
    row.save(update_fields=["policy"])


@iam_read("s3:GetBucketPolicy")
def get_bucket_policy(actor, *, bucket: str) -> str:
    """The bucket's policy as it was put. Raises NoSuchBucket, AccessDenied,
    MethodNotAllowed, NoSuchBucketPolicy."""
    row = access.find_bucket(bucket)
    _manage(actor, "s3:GetBucketPolicy", row)
    if not row.policy:
        raise NoSuchBucketPolicy(BucketName=bucket)
    return row.policy


@iam_action("s3:DeleteBucketPolicy")
def delete_bucket_policy(actor, *, bucket: str) -> None:
    """Remove the bucket's policy (nothing to do when it has none). Raises NoSuchBucket,
    AccessDenied, MethodNotAllowed."""
    row = access.find_bucket(bucket)
    _manage(actor, "s3:DeleteBucketPolicy", row)
    if row.policy:
        row.policy = ""
        row.save(update_fields=["policy"])


@iam_read("s3:GetBucketPolicyStatus")
def get_bucket_policy_status(actor, *, bucket: str) -> bool:
    """Whether the bucket's policy is public in S3's sense. Raises NoSuchBucket, AccessDenied,
    NoSuchBucketPolicy."""
    row = access.find_bucket(bucket)
    access.check(actor, "s3:GetBucketPolicyStatus", row)
    if not row.policy:
        raise NoSuchBucketPolicy(BucketName=bucket)
    return bucket_policy.is_public(row.policy)

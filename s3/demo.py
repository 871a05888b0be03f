"""The S3 part of ``manage.py seed_demo``: two buckets with objects, one with a bucket policy,
and the walkthrough lines that say what bob, carol and alice may do with S3 (idempotent: what
exists is left as it is).

The bucket policy teaches the two sides of resource-based policies: it grants bob (whose
identity policies allow EC2 only) the objects under ``shared/`` by naming him, and it denies
everyone but the account's root the deletion of ``reports/`` — an explicit deny that even
alice's AdministratorAccess cannot overcome.
"""

from __future__ import annotations

import io
import json

from accounts.principals import principal_for_identity

from .errors import NoSuchBucket, NoSuchBucketPolicy
from .services import access, buckets, objects, policies

REGION = "ap-northeast-2"
REPORTS_OBJECTS = {
    "README.txt": (
        "text/plain",
        b"Quarterly reports of the demo company. Read-only for the ReadOnly group.\n",
    ),
    "reports/2025/q1-sales.csv": ("text/csv", b"region,amount\nseoul,1200\nbusan,800\n"),
    "reports/2025/q2-sales.csv": ("text/csv", b"region,amount\nseoul,1500\nbusan,950\n"),
    "shared/welcome.txt": ("text/plain", b"Welcome! The bucket policy lets bob read this folder.\n"),
}
ASSETS_OBJECTS = {
    "index.html": ("text/html", b"<!doctype html><title>Demo site</title><h1>Hello from S3</h1>\n"),
    "css/site.css": ("text/css", b"h1 { color: #ff9900; }\n"),
    "images/logo.svg": (
        "image/svg+xml",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" '
        b'fill="#ff9900"/></svg>\n',
    ),
}


def bucket_names(account_id: str) -> tuple[str, str]:
    return f"iamconsole-demo-reports-{account_id}", f"iamconsole-demo-assets-{account_id}"


def reports_policy(bucket: str, account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "BobReadsShared",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:user/bob"},
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/shared/*",
                },
                {
                    "Sid": "OnlyRootDeletesReports",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteObject",
                    "Resource": f"arn:aws:s3:::{bucket}/reports/*",
                    "Condition": {"StringNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{account_id}:root"}},
                },
            ],
        },
        indent=2,
    )


def _ensure_bucket(actor, name: str, contents: dict) -> None:
    try:
        access.find_bucket(name)
    except NoSuchBucket:
        buckets.create_bucket(actor, bucket=name, location_constraint=REGION)
        for key, (content_type, data) in contents.items():
            objects.put_object(
                actor,
                bucket=name,
                key=key,
                body=io.BytesIO(data),
                content_length=len(data),
                content_type=content_type,
            )


def seed(sender, root, base_url, lines, **kwargs):
    """Receiver of ``demo_account_seeded``: add the S3 demo data and walkthrough lines."""
    actor = principal_for_identity(root, fresh=True)
    account_id = actor.account_id
    reports, assets = bucket_names(account_id)
    _ensure_bucket(actor, reports, REPORTS_OBJECTS)
    try:
        policies.get_bucket_policy(actor, bucket=reports)
    except NoSuchBucketPolicy:  # a first run (or someone deleted it since)
        policies.put_bucket_policy(actor, bucket=reports, policy=reports_policy(reports, account_id))
    _ensure_bucket(actor, assets, ASSETS_OBJECTS)
    lines.extend(walkthrough(base_url.rstrip("/"), account_id))


def walkthrough(base_url: str, account_id: str) -> list[str]:
    reports, assets = bucket_names(account_id)
    return [
        "",
        f"S3 (console: {base_url}/s3/buckets/; Region {REGION}; buckets are global, hence the account ID in their names):",
        f"  {reports}  README.txt, reports/2025/q1-sales.csv, reports/2025/q2-sales.csv, shared/welcome.txt;",
        "      its bucket policy lets bob read shared/* and denies deleting reports/* to all but the root user",
        f"  {assets}   index.html, css/site.css, images/logo.svg (no bucket policy; Block Public Access on)",
        f"  With a user's access key (Security credentials > Create access key) and E='--endpoint-url {base_url}':",
        "  carol (ReadOnly: AmazonS3ReadOnlyAccess) lists and downloads:",
        f"      aws $E s3 ls s3://{reports} --recursive",
        f"      aws $E s3 cp s3://{reports}/reports/2025/q1-sales.csv .",
        f"    and is refused uploads: aws $E s3 cp notes.txt s3://{reports}/ -> AccessDenied: User: ...:user/carol",
        '      is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::.../notes.txt" because no',
        "      identity-based policy allows the s3:PutObject action",
        "  bob (Developers: AmazonEC2FullAccess only) is refused aws $E s3 ls -> AccessDenied: User: ...:user/bob is not",
        "      authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets",
        f"      action; yet aws $E s3 cp s3://{reports}/shared/welcome.txt - works: the bucket policy names him",
        "  alice (Admins: AdministratorAccess) may do everything in S3 (the console's Permissions tab edits the bucket",
        f"      policy), except aws $E s3 rm s3://{reports}/reports/2025/q1-sales.csv -> AccessDenied:",
        "      ... with an explicit deny in a resource-based policy (the bucket policy's OnlyRootDeletesReports)",
    ]

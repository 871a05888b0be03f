"""Build ``access_levels.json``, the catalogue of actions the policy summary classifies.

    python -m accounts.policy.build_access_levels

Run it after upgrading botocore (requirements.txt pins it; a test fails while the shipped
file and the installed botocore disagree). It reads every service model botocore ships
(``botocore/data/<service>/<date>/service-2.json``, ~450 files: seconds, which is why the
product reads the built file instead), and writes, per IAM service prefix, the actions by
access level:

* the service prefix is the model's ``signingName`` (else its ``endpointPrefix``), which is
  the IAM prefix for almost every service; :data:`PREFIXES` corrects the few that differ;
* each operation is an action of that name, classified by :func:`summary.classify` (a
  heuristic on AWS's naming conventions, see :mod:`accounts.policy.summary`);
* :data:`RENAMED` maps the S3 operations whose IAM action has another name (the Service
  Authorization Reference's "API operations defined by Amazon S3" table: ListObjectsV2 is
  authorized by ``s3:ListBucket``, HeadObject by ``s3:GetObject`` …), so that ``s3:List*``
  is not judged against names no policy can hold;
* :data:`SUPPLEMENT` adds the actions that are permissions only (``iam:PassRole``,
  ``s3:GetObjectVersion``, ``sts:TagSession`` …) with the access level the reference gives;
* :data:`LEVELS` sets the level of actions whose reference level we checked and the heuristic
  gets wrong;
* every action named (without a wildcard) in the AWS managed policies this console ships is
  added when botocore does not know it: AWS's own policies show that it exists.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .summary import CATALOGUE, LEVELS, LIST, PERMISSIONS, READ, TAGGING, WRITE, classify

MANAGED = Path(__file__).resolve().parent / "managed" / "aws_managed_policies.json"

# botocore service name -> IAM service prefix, where signingName/endpointPrefix is not it
PREFIXES = {"cloudwatch": "cloudwatch"}  # endpointPrefix "monitoring"

# Display names where the model's serviceId is not the short name AWS's console shows
NAMES = {"iam": "IAM", "sts": "STS", "s3": "S3", "ec2": "EC2", "elasticloadbalancing": "ELB"}

# (botocore service, operation) -> the IAM action that authorizes it (None: another service's)
RENAMED: dict[tuple[str, str], str | None] = {
    ("s3", op): action
    for op, action in {
        "CompleteMultipartUpload": "PutObject",
        "CopyObject": "PutObject",
        "CreateMultipartUpload": "PutObject",
        "UploadPart": "PutObject",
        "UploadPartCopy": "PutObject",
        "HeadObject": "GetObject",
        "SelectObjectContent": "GetObject",
        "HeadBucket": "ListBucket",
        "ListObjects": "ListBucket",
        "ListObjectsV2": "ListBucket",
        "ListObjectVersions": "ListBucketVersions",
        "ListBuckets": "ListAllMyBuckets",
        "ListMultipartUploads": "ListBucketMultipartUploads",
        "ListParts": "ListMultipartUploadParts",
        "DeleteObjects": "DeleteObject",
        "GetBucketCors": "GetBucketCORS",
        "PutBucketCors": "PutBucketCORS",
        "DeleteBucketCors": "PutBucketCORS",
        "GetBucketEncryption": "GetEncryptionConfiguration",
        "PutBucketEncryption": "PutEncryptionConfiguration",
        "DeleteBucketEncryption": "PutEncryptionConfiguration",
        "GetBucketLifecycle": "GetLifecycleConfiguration",
        "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
        "PutBucketLifecycle": "PutLifecycleConfiguration",
        "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
        "DeleteBucketLifecycle": "PutLifecycleConfiguration",
        "GetBucketReplication": "GetReplicationConfiguration",
        "PutBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketReplication": "PutReplicationConfiguration",
        "GetBucketNotificationConfiguration": "GetBucketNotification",
        "PutBucketNotificationConfiguration": "PutBucketNotification",
        "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
        "PutBucketAccelerateConfiguration": "PutAccelerateConfiguration",
        "GetBucketAnalyticsConfiguration": "GetAnalyticsConfiguration",
        "ListBucketAnalyticsConfigurations": "GetAnalyticsConfiguration",
        "PutBucketAnalyticsConfiguration": "PutAnalyticsConfiguration",
        "DeleteBucketAnalyticsConfiguration": "PutAnalyticsConfiguration",
        "GetBucketInventoryConfiguration": "GetInventoryConfiguration",
        "ListBucketInventoryConfigurations": "GetInventoryConfiguration",
        "PutBucketInventoryConfiguration": "PutInventoryConfiguration",
        "DeleteBucketInventoryConfiguration": "PutInventoryConfiguration",
        "GetBucketMetricsConfiguration": "GetMetricsConfiguration",
        "ListBucketMetricsConfigurations": "GetMetricsConfiguration",
        "PutBucketMetricsConfiguration": "PutMetricsConfiguration",
        "DeleteBucketMetricsConfiguration": "PutMetricsConfiguration",
        "GetBucketIntelligentTieringConfiguration": "GetIntelligentTieringConfiguration",
        "ListBucketIntelligentTieringConfigurations": "GetIntelligentTieringConfiguration",
        "PutBucketIntelligentTieringConfiguration": "PutIntelligentTieringConfiguration",
        "DeleteBucketIntelligentTieringConfiguration": "PutIntelligentTieringConfiguration",
        "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
        "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
        "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
        "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
        "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
        "DeleteBucketTagging": "PutBucketTagging",
        "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
        "CreateSession": None,  # s3express:CreateSession
        "ListDirectoryBuckets": None,  # s3express:ListAllMyDirectoryBuckets
        "WriteGetObjectResponse": None,  # s3-object-lambda:WriteGetObjectResponse
    }.items()
} | {
    ("s3control", op): action
    for op, action in {
        "GetPublicAccessBlock": "GetAccountPublicAccessBlock",
        "PutPublicAccessBlock": "PutAccountPublicAccessBlock",
        "DeletePublicAccessBlock": "PutAccountPublicAccessBlock",
        "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
        "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
        "DeleteBucketLifecycleConfiguration": "PutLifecycleConfiguration",
        "GetBucketReplication": "GetReplicationConfiguration",
        "PutBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketTagging": "PutBucketTagging",
    }.items()
}

# Actions that are permissions only (no API operation of that name), with the reference's level
SUPPLEMENT: dict[str, dict[str, str]] = {
    "iam": {"PassRole": WRITE},
    "sts": {"TagSession": TAGGING, "SetSourceIdentity": WRITE, "SetContext": WRITE},
    "s3": {
        "ListBucket": LIST,
        "ListAllMyBuckets": LIST,
        "ListBucketVersions": LIST,
        "ListBucketMultipartUploads": LIST,
        "ListMultipartUploadParts": LIST,
        "GetObjectVersion": READ,
        "GetObjectVersionAcl": READ,
        "GetObjectVersionAttributes": READ,
        "GetObjectVersionTagging": READ,
        "GetObjectVersionTorrent": READ,
        "GetObjectVersionForReplication": READ,
        "GetAccountPublicAccessBlock": READ,
        "GetBucketPublicAccessBlock": READ,
        "GetBucketObjectLockConfiguration": READ,
        "PutObjectVersionAcl": PERMISSIONS,
        "PutAccountPublicAccessBlock": PERMISSIONS,
        "PutBucketPublicAccessBlock": PERMISSIONS,
        "PutBucketOwnershipControls": PERMISSIONS,
        "BypassGovernanceRetention": PERMISSIONS,
        "ObjectOwnerOverrideToBucketOwner": PERMISSIONS,
        "PutObjectVersionTagging": TAGGING,
        "DeleteObjectVersionTagging": TAGGING,
        "ReplicateTags": TAGGING,
        "DeleteObjectVersion": WRITE,
        "ReplicateObject": WRITE,
        "ReplicateDelete": WRITE,
        "PutBucketObjectLockConfiguration": WRITE,
    },
}

# "service:Action" -> the Service Authorization Reference's level, for an action whose level
# we checked there and the heuristic gets wrong. Empty: every sample we checked (pinned in
# tests/unit/policy/test_summary.py) agrees with the heuristic; add here, not to the heuristic,
# when one does not.
LEVELS_CHECKED: dict[str, str] = {}


def _prefix(service: str, metadata: dict) -> str:
    return PREFIXES.get(service) or metadata.get("signingName") or metadata["endpointPrefix"]


def _short_name(metadata: dict) -> str:
    return metadata.get("serviceId") or metadata.get("serviceAbbreviation") or metadata["serviceFullName"]


def _managed_actions() -> set[str]:
    """The actions named without a wildcard in the shipped AWS managed policies."""
    found: set[str] = set()
    for item in json.loads(MANAGED.read_text()).values():
        statements = item["Document"]["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            for key in ("Action", "NotAction"):
                value = statement.get(key, [])
                for action in [value] if isinstance(value, str) else value:
                    if ":" in action and "*" not in action and "?" not in action:
                        found.add(action)
    return found


def build(models: dict[str, dict]) -> dict:
    """The catalogue from botocore's models (service name -> service-2 model)."""
    actions: dict[str, dict[str, str]] = {}  # prefix -> {action: level}
    names: dict[str, tuple[int, str]] = {}  # prefix -> (rank, display name)
    modelled: set[str] = set()  # the prefixes botocore has a model of
    for service, model in sorted(models.items()):
        metadata = model["metadata"]
        if "(Preview)" in metadata.get("serviceFullName", ""):
            continue
        prefix = _prefix(service, metadata)
        rank = 0 if service == prefix else len(service)
        if prefix not in names or rank < names[prefix][0]:
            names[prefix] = (rank, NAMES.get(prefix, _short_name(metadata)))
        into = actions.setdefault(prefix, {})
        modelled.add(prefix)
        for op in model["operations"]:
            action = RENAMED.get((service, op), op)
            if action is not None:
                into[action] = classify(action)
    for prefix, extra in SUPPLEMENT.items():
        actions.setdefault(prefix, {}).update(extra)
    for action in sorted(_managed_actions()):
        prefix, _, name = action.partition(":")
        into = actions.setdefault(prefix, {})
        names.setdefault(prefix, (99, prefix))
        if not any(known.lower() == name.lower() for known in into):
            into[name] = classify(name)
    partial = set(actions) - modelled
    for action, level in LEVELS_CHECKED.items():
        prefix, _, name = action.partition(":")
        actions[prefix][name] = level
    services = {}
    for prefix in sorted(actions):
        entry: dict = {"name": names[prefix][1]}
        if prefix in partial:
            entry["partial"] = True
        for level in LEVELS:
            entry[level] = sorted(a for a, lv in actions[prefix].items() if lv == level)
        services[prefix] = entry
    return {"services": services}


def load_botocore_models() -> tuple[str, dict[str, dict]]:
    import botocore
    import botocore.loaders

    loader = botocore.loaders.create_loader()
    models = {
        s: loader.load_service_model(s, "service-2") for s in loader.list_available_services("service-2")
    }
    return botocore.__version__, models


def render(catalogue: dict, source: str) -> str:
    """The JSON text: one service per line, so that a botocore upgrade diffs by service."""
    lines = ["{", f' "source": {json.dumps(source)},', ' "services": {']
    items = list(catalogue["services"].items())
    for i, (prefix, entry) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"  {json.dumps(prefix)}: {json.dumps(entry, separators=(',', ':'))}{comma}")
    lines += [" }", "}", ""]
    return "\n".join(lines)


def source_label(version: str) -> str:
    return (
        f"botocore {version} service models (operation names), S3's renamed actions and the "
        "permission-only actions of accounts/policy/build_access_levels.py; levels by its heuristic"
    )


def main() -> int:
    version, models = load_botocore_models()
    catalogue = build(models)
    CATALOGUE.write_text(render(catalogue, source_label(version)))
    count = sum(sum(len(e[lv]) for lv in LEVELS) for e in catalogue["services"].values())
    print(f"wrote {len(catalogue['services'])} services, {count} actions to {CATALOGUE}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    raise SystemExit(main())

"""Bucket policies as S3 checks them: PutBucketPolicy's validation with S3's own messages
(MalformedPolicy), and "The meaning of public" that Block Public Access applies.

Pure Python over the engine's JSON reader and grammar (no Django): the caller passes
``principal_exists`` to say whether a user, role or account a policy names exists (S3 refuses a
policy naming one that does not: "Invalid principal in policy").

S3's messages, as S3 answers them: "Policies must be valid JSON and the first byte must be
'{'", "This policy contains invalid Json", "Missing required field Statement", "Could not
parse the policy: Statement is empty!", "Missing required field Effect", "Invalid effect:
<value>", "Missing required field Principal", "Invalid principal in policy", "Policy has
invalid action", "Policy has invalid resource", "Action does not apply to any resource(s) in
statement". Where S3's wording is not known (an unknown element, a condition), the message
says what is wrong in the same style.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from accounts.policy import MalformedPolicyDocument, parse_policy
from accounts.policy.conditions import parse_operator
from accounts.policy.jsonpos import JSONPositionError, Node, Source, loads

MAX_POLICY_BYTES = 20 * 1024  # AWS: bucket policies are limited to 20 KB (white space not counted)

FIRST_BYTE = "Policies must be valid JSON and the first byte must be '{'"
INVALID_JSON = "This policy contains invalid Json"
NO_STATEMENT = "Missing required field Statement"
EMPTY_STATEMENT = "Could not parse the policy: Statement is empty!"
INVALID_PRINCIPAL = "Invalid principal in policy"
INVALID_ACTION = "Policy has invalid action"
INVALID_RESOURCE = "Policy has invalid resource"
ACTION_NOT_APPLICABLE = "Action does not apply to any resource(s) in statement"
INVALID_CONDITION_KEY = "Policy has an invalid condition key"

TOP_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

# S3's actions by the resource type they apply to (Service Authorization Reference, Amazon
# S3): "object" (arn:aws:s3:::bucket/key), "bucket" (arn:aws:s3:::bucket), "account" ("*").
OBJECT_ACTIONS = [
    "AbortMultipartUpload",
    "BypassGovernanceRetention",
    "DeleteObject",
    "DeleteObjectTagging",
    "DeleteObjectVersion",
    "DeleteObjectVersionTagging",
    "GetObject",
    "GetObjectAcl",
    "GetObjectAttributes",
    "GetObjectLegalHold",
    "GetObjectRetention",
    "GetObjectTagging",
    "GetObjectTorrent",
    "GetObjectVersion",
    "GetObjectVersionAcl",
    "GetObjectVersionAttributes",
    "GetObjectVersionForReplication",
    "GetObjectVersionTagging",
    "GetObjectVersionTorrent",
    "InitiateReplication",
    "ListMultipartUploadParts",
    "ObjectOwnerOverrideToBucketOwner",
    "PutObject",
    "PutObjectAcl",
    "PutObjectLegalHold",
    "PutObjectRetention",
    "PutObjectTagging",
    "PutObjectVersionAcl",
    "PutObjectVersionTagging",
    "ReplicateDelete",
    "ReplicateObject",
    "ReplicateTags",
    "RestoreObject",
]
BUCKET_ACTIONS = [
    "CreateBucket",
    "DeleteBucket",
    "DeleteBucketOwnershipControls",
    "DeleteBucketPolicy",
    "DeleteBucketWebsite",
    "GetAccelerateConfiguration",
    "GetAnalyticsConfiguration",
    "GetBucketAcl",
    "GetBucketCORS",
    "GetBucketLocation",
    "GetBucketLogging",
    "GetBucketNotification",
    "GetBucketObjectLockConfiguration",
    "GetBucketOwnershipControls",
    "GetBucketPolicy",
    "GetBucketPolicyStatus",
    "GetBucketPublicAccessBlock",
    "GetBucketRequestPayment",
    "GetBucketTagging",
    "GetBucketVersioning",
    "GetBucketWebsite",
    "GetEncryptionConfiguration",
    "GetIntelligentTieringConfiguration",
    "GetInventoryConfiguration",
    "GetLifecycleConfiguration",
    "GetMetricsConfiguration",
    "GetReplicationConfiguration",
    "ListBucket",
    "ListBucketMultipartUploads",
    "ListBucketVersions",
    "PutAccelerateConfiguration",
    "PutAnalyticsConfiguration",
    "PutBucketAcl",
    "PutBucketCORS",
    "PutBucketLogging",
    "PutBucketNotification",
    "PutBucketObjectLockConfiguration",
    "PutBucketOwnershipControls",
    "PutBucketPolicy",
    "PutBucketPublicAccessBlock",
    "PutBucketRequestPayment",
    "PutBucketTagging",
    "PutBucketVersioning",
    "PutBucketWebsite",
    "PutEncryptionConfiguration",
    "PutIntelligentTieringConfiguration",
    "PutInventoryConfiguration",
    "PutLifecycleConfiguration",
    "PutMetricsConfiguration",
    "PutReplicationConfiguration",
]
ACCOUNT_ACTIONS = [
    "CreateAccessPoint",
    "CreateJob",
    "GetAccessPoint",
    "GetAccountPublicAccessBlock",
    "ListAccessPoints",
    "ListAllMyBuckets",
    "ListJobs",
    "ListStorageLensConfigurations",
    "PutAccountPublicAccessBlock",
]
ACTION_TYPES: dict[str, str] = {
    **{f"s3:{a}".lower(): "object" for a in OBJECT_ACTIONS},
    **{f"s3:{a}".lower(): "bucket" for a in BUCKET_ACTIONS},
    **{f"s3:{a}".lower(): "account" for a in ACCOUNT_ACTIONS},
}

# Block Public Access: keys that fix who may call (a fixed value makes a grant non-public),
# and the actions whose grant to everyone makes a policy public.
FIXING_KEYS = {
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:userid",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
}
FIXING_OPERATORS = {"stringequals", "stringequalsignorecase", "arnequals", "arnlike", "stringlike"}
BAD_ACTION_PREFIXES = ("s3:get", "s3:list", "s3:delete", "s3:put")
BAD_ACTIONS = {"s3:abortmultipartupload", "s3:restoreobject"}


class PolicyProblem(Exception):
    """A bucket policy S3 refuses: ``code`` (MalformedPolicy or PolicyTooLarge), the message,
    and where (1-based ``line``/``column``, None when unknown) for an editor to mark."""

    def __init__(self, message: str, *, code: str = "MalformedPolicy", line=None, column=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line
        self.column = column


def _glob_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@dataclass
class _Checker:
    text: str
    bucket: str
    principal_exists: Callable[[str], bool]

    def __post_init__(self):
        self.source = Source(self.text)

    def fail(self, message: str, node: Node | None = None, offset: int | None = None, code="MalformedPolicy"):
        where = offset if offset is not None else (node.start if node is not None else None)
        line = column = None
        if where is not None:
            line, column = self.source.line_col(where)
        raise PolicyProblem(message, code=code, line=line, column=column)

    @staticmethod
    def child(node: Node | None, key: str) -> Node | None:
        if node is None or node.children is None:
            return None
        return node.children.get(key)

    @staticmethod
    def key_at(node: Node | None, key: str) -> int | None:
        if node is None or node.keys is None:
            return None
        return node.keys.get(key)

    def item(self, node: Node | None, index: int) -> Node | None:
        if node is None or node.items is None or index >= len(node.items):
            return node
        return node.items[index]

    # -- the document

    def run(self) -> dict:
        stripped = self.text.lstrip(" \t\r\n")
        if not stripped.startswith("{"):
            self.fail(FIRST_BYTE, offset=len(self.text) - len(stripped))
        try:
            value, root = loads(self.text)
        except JSONPositionError as exc:
            self.fail(INVALID_JSON, offset=exc.offset)
        try:
            compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError):  # pragma: no cover - loads only returns JSON values
            self.fail(INVALID_JSON)
        if len(compact.encode("utf-8")) > MAX_POLICY_BYTES:
            self.fail("Policy exceeds the maximum allowed document size.", code="PolicyTooLarge")
        for key in value:
            if key not in TOP_ELEMENTS:
                self.fail(f"Unknown field {key}", offset=self.key_at(root, key))
        if "Statement" not in value:
            self.fail(NO_STATEMENT, root)
        statements = value["Statement"]
        node = self.child(root, "Statement")
        if isinstance(statements, dict):
            statements, nodes = [statements], [node]
        elif isinstance(statements, list):
            nodes = [self.item(node, i) for i in range(len(statements))]
        else:
            self.fail(INVALID_JSON, node)
        if not statements:
            self.fail(EMPTY_STATEMENT, node)
        for statement, st_node in zip(statements, nodes, strict=True):
            self.statement(statement, st_node)
        return value

    def statement(self, st, node: Node | None) -> None:
        if not isinstance(st, dict):
            self.fail(INVALID_JSON, node)
        for key in st:
            if key not in STATEMENT_ELEMENTS:
                self.fail(f"Unknown field {key}", offset=self.key_at(node, key))
        for a, b in (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource")):
            if a in st and b in st:
                self.fail(f"Statement may not contain both {a} and {b}", offset=self.key_at(node, b))
        if "Sid" in st and not isinstance(st["Sid"], str):
            self.fail(INVALID_JSON, self.child(node, "Sid"))
        if "Effect" not in st:
            self.fail("Missing required field Effect", node)
        if st["Effect"] not in ("Allow", "Deny"):
            effect = st["Effect"]
            shown = effect if isinstance(effect, str) else json.dumps(effect)
            self.fail(f"Invalid effect: {shown}", self.child(node, "Effect"))
        principal_key = "Principal" if "Principal" in st else "NotPrincipal" if "NotPrincipal" in st else None
        if principal_key is None:
            self.fail("Missing required field Principal", node)
        self.principal(st[principal_key], self.child(node, principal_key))
        action_key = "Action" if "Action" in st else "NotAction" if "NotAction" in st else None
        if action_key is None:
            self.fail("Missing required field Action", node)
        actions = self.actions(st[action_key], self.child(node, action_key))
        resource_key = "Resource" if "Resource" in st else "NotResource" if "NotResource" in st else None
        if resource_key is None:
            self.fail("Missing required field Resource", node)
        covers = self.resources(
            st[resource_key], self.child(node, resource_key), negated=resource_key == "NotResource"
        )
        applicable = any(self.applies(action, covers) for action in actions)
        if action_key == "Action" and resource_key == "Resource" and not applicable:
            self.fail(ACTION_NOT_APPLICABLE, self.child(node, "Action"))
        if "Condition" in st:
            self.condition(st["Condition"], self.child(node, "Condition"))

    # -- elements

    def principal(self, value, node: Node | None) -> None:
        if value == "*":
            return
        if not isinstance(value, dict) or not value:
            self.fail(INVALID_PRINCIPAL, node)
        for ptype, entries in value.items():
            entry_node = self.child(node, ptype)
            items = _as_list(entries)
            if ptype not in PRINCIPAL_TYPES or not items or not all(isinstance(e, str) for e in items):
                self.fail(INVALID_PRINCIPAL, entry_node or node)
            for item in items:
                if ptype == "AWS" and not self.aws_principal_ok(item):
                    self.fail(INVALID_PRINCIPAL, entry_node)
                if ptype == "CanonicalUser" and not re.fullmatch(r"[0-9a-f]{64}", item):
                    self.fail(INVALID_PRINCIPAL, entry_node)
                if ptype in ("Service", "Federated") and (not item or "*" in item):
                    self.fail(INVALID_PRINCIPAL, entry_node)

    def aws_principal_ok(self, item: str) -> bool:
        if item == "*":
            return True
        if re.fullmatch(r"[0-9]{12}", item):
            return self.principal_exists(f"arn:aws:iam::{item}:root")
        if "*" in item or "?" in item:
            return False
        if re.fullmatch(r"arn:aws:(iam|sts)::[0-9]{12}:.+", item):
            return self.principal_exists(item)
        return False

    def actions(self, value, node: Node | None) -> list[str]:
        items = _as_list(value)
        if not items or not all(isinstance(a, str) for a in items):
            self.fail(INVALID_ACTION, node)
        known: list[str] = []
        for action in items:
            matched = self.expand(action)
            if not matched:
                self.fail(INVALID_ACTION, node)
            known.extend(matched)
        return known

    @staticmethod
    def expand(action: str) -> list[str]:
        """The S3 actions an Action entry names (lower case); [] when it names none."""
        lowered = action.lower()
        if lowered == "*":
            return list(ACTION_TYPES)
        if not lowered.startswith("s3:"):
            return []
        if "*" not in lowered and "?" not in lowered:
            return [lowered] if lowered in ACTION_TYPES else []
        rx = _glob_regex(lowered)
        return [a for a in ACTION_TYPES if rx.fullmatch(a)]

    def resources(self, value, node: Node | None, *, negated: bool) -> set[str]:
        """The resource types (``bucket``, ``object``, ``account``) the Resource element covers."""
        items = _as_list(value)
        if not items or not all(isinstance(r, str) and r for r in items):
            self.fail(INVALID_RESOURCE, node)
        covers: set[str] = set()
        bucket_arn = f"arn:aws:s3:::{self.bucket}"
        for resource in items:
            if resource == "*":
                covers.update(("bucket", "object", "account"))
                continue
            rx = _glob_regex(resource)
            found = set()
            if rx.fullmatch(bucket_arn):
                found.add("bucket")
            tail = resource.split("/", 1)[1] if "/" in resource else "x"
            probe = tail.replace("*", "").replace("?", "a") or "x"
            if rx.fullmatch(f"{bucket_arn}/{probe}"):
                found.add("object")
            if not found:
                self.fail(INVALID_RESOURCE, node)
            covers |= found
        return {"bucket", "object", "account"} if negated else covers

    @staticmethod
    def applies(action: str, covers: set[str]) -> bool:
        return ACTION_TYPES.get(action) in covers

    def condition(self, value, node: Node | None) -> None:
        if not isinstance(value, dict):
            self.fail(INVALID_JSON, node)
        for operator, block in value.items():
            block_node = self.child(node, operator)
            if parse_operator(operator) is None:
                self.fail(f"Invalid Condition type : {operator}", offset=self.key_at(node, operator))
            if not isinstance(block, dict) or not block:
                self.fail(INVALID_JSON, block_node)
            for key, values in block.items():
                prefix, sep, name = key.partition(":")
                if not sep or not prefix or not name:
                    self.fail(INVALID_CONDITION_KEY, offset=self.key_at(block_node, key))
                items = _as_list(values)
                if not items or not all(isinstance(v, str | bool | int | float) for v in items):
                    self.fail(INVALID_JSON, self.child(block_node, key))


def validate(text: str, *, bucket: str, principal_exists: Callable[[str], bool]) -> None:
    """Check ``text`` as a bucket policy of ``bucket`` the way PutBucketPolicy does; raises
    :class:`PolicyProblem`. A policy that passes compiles in the engine as well."""
    _Checker(text, bucket, principal_exists).run()
    try:
        parse_policy(text, kind="resource", policy_id=f"bucket policy of {bucket}")
    except MalformedPolicyDocument as exc:
        raise PolicyProblem(exc.message, line=exc.line, column=exc.column) from None


# -------------------------------------------------------------------- public or not


def is_public(text: str) -> bool:
    """Whether a (valid) bucket policy is public in S3's sense ("The meaning of public"): some
    Allow statement grants a bad action (s3:Get*, s3:List*, s3:Put*, s3:Delete*,
    s3:AbortMultipartUpload, s3:RestoreObject) to everyone — a wildcard principal or a
    NotPrincipal — without a condition that fixes who may call (a fixed aws:SourceArn,
    aws:SourceVpc(e), aws:SourceOwner, aws:SourceAccount, aws:userid, aws:PrincipalOrgID …, or a
    set of CIDRs no broader than /8 for IPv4 and /32 for IPv6, private ranges excepted)."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for st in _as_list(statements):
        if isinstance(st, dict) and st.get("Effect") == "Allow" and _public_statement(st):
            return True
    return False


def _public_statement(st: dict) -> bool:
    if not _grants_everyone(st):
        return False
    if not _has_bad_action(st):
        return False
    return not _fixed_by_condition(st.get("Condition") or {})


def _grants_everyone(st: dict) -> bool:
    if "NotPrincipal" in st:
        return True
    principal = st.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in str(item) for item in _as_list(principal.get("AWS", [])))
    return False


def _has_bad_action(st: dict) -> bool:
    if "NotAction" in st:
        return True
    for action in _as_list(st.get("Action", [])):
        lowered = str(action).lower()
        if lowered in ("*", "s3:*"):
            return True
        expanded = _Checker.expand(lowered) if ("*" in lowered or "?" in lowered) else [lowered]
        if any(a.startswith(BAD_ACTION_PREFIXES) or a in BAD_ACTIONS for a in expanded):
            return True
    return False


def _fixed_by_condition(condition: dict) -> bool:
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        if not isinstance(block, dict):
            continue
        op = operator.lower()
        if op.endswith("ifexists") or op.startswith("forallvalues:"):
            continue  # a missing key or an empty set would satisfy them: nothing is fixed
        op = op.removeprefix("foranyvalue:")
        for key, values in block.items():
            items = [str(v) for v in _as_list(values)]
            if not items:
                continue
            if key.lower() == "aws:sourceip" and op == "ipaddress":
                if all(_narrow_cidr(v) for v in items):
                    return True
                continue
            if key.lower() in FIXING_KEYS and op in FIXING_OPERATORS:
                if key.lower() == "aws:userid" and any(v.endswith(":*") for v in items):
                    continue
                if all("*" not in v and "?" not in v for v in items):
                    return True
    return False


def _narrow_cidr(text: str) -> bool:
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return False
    if network.is_private:
        return True
    return network.prefixlen >= (8 if network.version == 4 else 32)

"""Parse, validate and compile a policy document into the model (:mod:`accounts.policy.model`).

:func:`parse_policy` is the only way in. It accepts text (``str``/``bytes``) or an already
decoded ``dict``, checks it with AWS's rules, in AWS's order, raising
:class:`~accounts.policy.errors.MalformedPolicyDocument` with AWS's message, and returns
an immutable, compiled :class:`Policy` ready for :func:`accounts.policy.evaluate`.

The order of checks follows what the IAM API reports first (mirrored by moto's
``policy_validation`` and by the error strings seen in public issue reports):

1. JSON syntax and the shape of every element ............ "Syntax errors in policy."
2. ``Version`` when the caller requires 2012-10-17 ....... "Policy document must be version 2012-10-17 or greater."
3. the legacy parser (Effect case, dates, ARN shape) ..... "The policy failed legacy parsing"
4. unique and alphanumeric ``Sid`` values
5. every statement has actions
6. ``Principal`` present where required / absent where forbidden
7. resource ARN format (partition, vendor, IAM and S3 specifics)
8. action and condition-key vendor prefixes
9. resources present (or, for trust policies, absent and STS-only actions).

Then the checked document is compiled into :mod:`accounts.policy.model` objects (statement
positions for the simulator included).
"""

from __future__ import annotations

import json
import re

from . import errors as E
from .conditions import Condition, parse_date, parse_operator
from .errors import MalformedPolicyDocument
from .jsonpos import JSONPositionError, Node, Source, loads
from .model import (
    ACCOUNT_ID,
    KINDS,
    MatchedStatement,
    Policy,
    Position,
    PrincipalSpec,
    ResourceMatcher,
    Statement,
)
from .patterns import ActionPattern

VALID_VERSIONS = ("2008-10-17", "2012-10-17")
CURRENT_VERSION = "2012-10-17"
TOP_ELEMENTS = frozenset({"Version", "Id", "Statement"})
STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
IAM_RESOURCE_PREFIXES = (
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
)
TRUST_ACTIONS = (
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
)
_SID = re.compile(r"[0-9A-Za-z]*")
_VENDOR = re.compile(r"[A-Za-z0-9\-.]+")
_UNIQUE_ID = re.compile(r"A[A-Z0-9]{15,127}")


# --------------------------------------------------------------------------- parsing


def parse_policy(
    document: str | bytes | dict,
    *,
    kind: str = "identity",
    policy_id: str = "",
    version_id: str = "",
    strict_version: bool = False,
) -> Policy:
    """Validate ``document`` as a policy of ``kind`` and compile it.

    ``kind``: ``"identity"`` (managed, inline, permissions boundary and session policies),
    ``"trust"`` (a role's trust policy), ``"resource"`` (a resource-based policy) or
    ``"scp"``. ``strict_version=True`` rejects a missing or ``2008-10-17`` Version the way
    CreatePolicy/CreatePolicyVersion do ("Policy document must be version 2012-10-17 or
    greater."); without it a missing Version is read as 2008-10-17 (variables literal).

    Raises :class:`MalformedPolicyDocument` and nothing else.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown policy kind {kind!r}; expected one of {KINDS}")
    try:
        return _Compiler(document, kind, policy_id, version_id, strict_version).run()
    except MalformedPolicyDocument:
        raise
    except RecursionError:
        raise MalformedPolicyDocument(E.SYNTAX_ERROR) from None
    except Exception as exc:  # pragma: no cover - defensive: never leak another exception type
        raise MalformedPolicyDocument(E.SYNTAX_ERROR) from exc


class _StatementParts:
    """A statement's decoded value with its position node (``None`` for dict input)."""

    __slots__ = ("index", "value", "node", "start", "end")

    def __init__(self, index: int, value: dict, node: Node | None):
        self.index = index
        self.value = value
        self.node = node
        self.start: int | None = None
        self.end: int | None = None


class _Compiler:
    def __init__(self, document, kind, policy_id, version_id, strict_version):
        self.document = document
        self.kind = kind
        self.policy_id = policy_id
        self.version_id = version_id
        self.strict_version = strict_version
        self.source: Source | None = None
        self.text: str | None = None
        self.track = True

    # -- error helpers

    def fail(self, message: str, offset: int | None = None):
        line = column = None
        if offset is not None and self.track and self.source is not None:
            line, column = self.source.line_col(offset)
        raise MalformedPolicyDocument(message, line=line, column=column)

    def syntax(self, offset: int | None = None):
        self.fail(E.SYNTAX_ERROR, offset)

    @staticmethod
    def at(node: Node | None) -> int | None:
        return node.start if node is not None else None

    @staticmethod
    def key_at(node: Node | None, key: str) -> int | None:
        if node is None or node.keys is None:
            return None
        return node.keys.get(key)

    @staticmethod
    def child(node: Node | None, key: str) -> Node | None:
        if node is None or node.children is None:
            return None
        return node.children.get(key)

    # -- decoding

    def decode(self) -> tuple[object, Node]:
        doc = self.document
        if isinstance(doc, dict):
            self.track = False
            try:
                text = json.dumps(doc, allow_nan=False)
            except (TypeError, ValueError, RecursionError):
                raise MalformedPolicyDocument(E.SYNTAX_ERROR) from None
        elif isinstance(doc, (bytes, bytearray)):
            try:
                text = bytes(doc).decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedPolicyDocument(E.SYNTAX_ERROR) from None
        elif isinstance(doc, str):
            text = doc
        else:
            raise MalformedPolicyDocument(E.SYNTAX_ERROR)
        self.text = None if isinstance(doc, dict) else text
        self.source = Source(text)
        try:
            return loads(text)
        except JSONPositionError as exc:
            self.fail(E.SYNTAX_ERROR, exc.offset)
            raise  # pragma: no cover

    # -- main

    def run(self) -> Policy:
        value, root = self.decode()
        statements = self.check_syntax(value, root)
        assert isinstance(value, dict)
        version = value.get("Version")
        if self.strict_version and version != CURRENT_VERSION:
            self.fail(E.VERSION_ERROR, self.at(self.child(root, "Version")) or root.start)
        resource_error = self.check_legacy(statements)
        self.check_sids(statements)
        self.check_actions_present(statements)
        self.check_principals(statements)
        if resource_error is not None:
            self.fail(*resource_error)
        self.check_action_prefixes(statements)
        self.check_condition_keys(statements)
        self.check_kind_specific(statements)
        return self.compile(value, version, statements)

    # -- 1. syntax

    def check_syntax(self, value: object, root: Node) -> list[_StatementParts]:
        if not isinstance(value, dict):
            self.syntax(root.start)
        for key in value:
            if key not in TOP_ELEMENTS:
                self.syntax(self.key_at(root, key))
        if "Version" in value and value["Version"] not in VALID_VERSIONS:
            self.syntax(self.at(self.child(root, "Version")))
        if "Id" in value and not isinstance(value["Id"], str):
            self.syntax(self.at(self.child(root, "Id")))
        if "Statement" not in value:
            self.syntax(root.start)
        raw = value["Statement"]
        node = self.child(root, "Statement")
        parts: list[_StatementParts] = []
        if isinstance(raw, dict):
            part = _StatementParts(0, raw, node)
            if node is not None:
                part.start, part.end = node.start + 1, node.end
            parts.append(part)
        elif isinstance(raw, list) and raw:
            previous_end = node.open_end if node is not None else None
            for i, item in enumerate(raw):
                item_node = node.items[i] if node is not None and node.items is not None else None
                if not isinstance(item, dict):
                    self.syntax(self.at(item_node))
                part = _StatementParts(i, item, item_node)
                if item_node is not None:
                    part.start, part.end = previous_end, item_node.end
                    previous_end = item_node.end
                parts.append(part)
        else:
            self.syntax(self.at(node))
        for part in parts:
            self.check_statement_syntax(part)
        return parts

    def check_statement_syntax(self, part: _StatementParts) -> None:
        st, node = part.value, part.node
        for key in st:
            if key not in STATEMENT_ELEMENTS:
                self.syntax(self.key_at(node, key))
        for a, b in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
            if a in st and b in st:
                self.syntax(self.key_at(node, b))
        effect = st.get("Effect")
        if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
            self.syntax(self.at(self.child(node, "Effect")) if "Effect" in st else self.at(node))
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in st and not _is_string_or_string_list(st[key]):
                self.syntax(self.at(self.child(node, key)))
        if "Sid" in st and not isinstance(st["Sid"], str):
            self.syntax(self.at(self.child(node, "Sid")))
        for key in ("Principal", "NotPrincipal"):
            if key in st:
                self.check_principal_syntax(st[key], self.child(node, key))
        if "Condition" in st:
            self.check_condition_syntax(st["Condition"], self.child(node, "Condition"))

    def check_principal_syntax(self, value: object, node: Node | None) -> None:
        if value == "*":
            return
        if not isinstance(value, dict) or not value:
            self.syntax(self.at(node))
        for ptype, entries in value.items():
            if ptype not in PRINCIPAL_TYPES:
                self.syntax(self.key_at(node, ptype))
            ok = isinstance(entries, str) or (
                isinstance(entries, list) and entries and all(isinstance(e, str) for e in entries)
            )
            if not ok:
                self.syntax(self.at(self.child(node, ptype)))

    def check_condition_syntax(self, value: object, node: Node | None) -> None:
        if not isinstance(value, dict):
            self.syntax(self.at(node))
        for operator, block in value.items():
            block_node = self.child(node, operator)
            if not isinstance(block, dict):
                self.syntax(self.at(block_node))
            if parse_operator(operator) is None:
                self.syntax(self.key_at(node, operator))
            for key, values in block.items():
                if not _is_condition_values(values):
                    self.syntax(self.at(self.child(block_node, key)))

    # -- 3. legacy parser

    def check_legacy(self, parts: list[_StatementParts]) -> tuple[str, int | None] | None:
        first_resource_error: tuple[str, int | None] | None = None
        for part in parts:
            st, node = part.value, part.node
            if st["Effect"] not in ("Allow", "Deny"):
                self.fail(E.LEGACY_PARSING_ERROR, self.at(self.child(node, "Effect")))
            for operator, block in st.get("Condition", {}).items():
                spec = parse_operator(operator)
                if spec is not None and spec.family.startswith("date"):
                    for key, values in block.items():
                        for v in _as_value_list(values):
                            if not _legacy_date_ok(v):
                                self.fail(
                                    E.LEGACY_PARSING_ERROR,
                                    self.at(
                                        self.child(self.child(self.child(node, "Condition"), operator), key)
                                    ),
                                )
            for key in ("Resource", "NotResource"):
                if key not in st:
                    continue
                resources = [r for r in _as_list(st[key]) if r]
                error = None
                for r in sorted(resources, reverse=True):
                    error = _resource_format_error(r) or error
                if error is not None:
                    if first_resource_error is None:
                        first_resource_error = (error, self.at(self.child(node, key)))
                    continue
                for r in resources:
                    if r != "*" and not _legacy_resource_ok(r):
                        self.fail(E.LEGACY_PARSING_ERROR, self.at(self.child(node, key)))
        return first_resource_error

    # -- 4. Sids

    def check_sids(self, parts: list[_StatementParts]) -> None:
        seen: set[str] = set()
        for part in parts:
            sid = part.value.get("Sid")
            if sid:
                if sid in seen:
                    self.fail(E.SID_UNIQUE_ERROR, self.at(self.child(part.node, "Sid")))
                seen.add(sid)
        if self.kind == "resource":
            return  # resource policies (e.g. S3) allow spaces and more in Sid
        for part in parts:
            sid = part.value.get("Sid")
            if sid and not _SID.fullmatch(sid):
                self.fail(E.SID_ALNUM_ERROR, self.at(self.child(part.node, "Sid")))

    # -- 5. actions present

    def check_actions_present(self, parts: list[_StatementParts]) -> None:
        for part in parts:
            st = part.value
            key = "Action" if "Action" in st else "NotAction" if "NotAction" in st else None
            if key is None or not [a for a in _as_list(st[key]) if a is not None]:
                self.fail(
                    E.NO_ACTIONS_ERROR, self.at(self.child(part.node, key)) if key else self.at(part.node)
                )

    # -- 6. principals

    def check_principals(self, parts: list[_StatementParts]) -> None:
        for part in parts:
            st, node = part.value, part.node
            has = "Principal" in st or "NotPrincipal" in st
            if self.kind in ("identity", "scp") and has:
                key = "Principal" if "Principal" in st else "NotPrincipal"
                self.fail(E.PRINCIPAL_NOT_ALLOWED_ERROR, self.key_at(node, key))
            if self.kind in ("trust", "resource") and not has:
                self.fail(E.PRINCIPAL_REQUIRED_ERROR, self.at(node))
            for key in ("Principal", "NotPrincipal"):
                value = st.get(key)
                if isinstance(value, dict) and "AWS" in value:
                    for item in _as_list(value["AWS"]):
                        if not _aws_principal_ok(item):
                            self.fail(
                                E.invalid_principal_error("AWS", item),
                                self.at(self.child(self.child(node, key), "AWS")),
                            )

    # -- 8. prefixes

    def check_action_prefixes(self, parts: list[_StatementParts]) -> None:
        for part in parts:
            st = part.value
            for key in ("Action", "NotAction"):
                for action in _as_list(st.get(key, [])):
                    if action is None:
                        continue
                    message = _action_error(action)
                    if message is not None:
                        self.fail(message, self.at(self.child(part.node, key)))

    def check_condition_keys(self, parts: list[_StatementParts]) -> None:
        for part in parts:
            cond_node = self.child(part.node, "Condition")
            for operator, block in part.value.get("Condition", {}).items():
                for key in block:
                    if ":" not in key or key.startswith(":"):
                        self.fail(E.VENDOR_PREFIX_ERROR, self.key_at(self.child(cond_node, operator), key))

    # -- 9. kind-specific

    def check_kind_specific(self, parts: list[_StatementParts]) -> None:
        for part in parts:
            st, node = part.value, part.node
            has_resource = "Resource" in st or "NotResource" in st
            if self.kind in ("identity", "resource"):
                key = "Resource" if "Resource" in st else "NotResource" if "NotResource" in st else None
                if key is None or not [r for r in _as_list(st[key]) if r]:
                    self.fail(E.NO_RESOURCES_ERROR, self.at(self.child(node, key)) if key else self.at(node))
            elif self.kind == "trust":
                actions = st.get("Action", st.get("NotAction"))
                if "NotAction" in st or not all(_trust_action_ok(a) for a in _as_list(actions) if a):
                    key = "Action" if "Action" in st else "NotAction"
                    self.fail(E.TRUST_ACTIONS_ERROR, self.at(self.child(node, key)))
                if has_resource:
                    key = "Resource" if "Resource" in st else "NotResource"
                    self.fail(E.RESOURCE_PROHIBITED_ERROR, self.key_at(node, key))

    # -- compile

    def compile(self, value: dict, version: str | None, parts: list[_StatementParts]) -> Policy:
        allow_variables = version == CURRENT_VERSION
        statements = []
        for part in parts:
            st = part.value
            s = Statement()
            s.index = part.index
            s.sid = st.get("Sid") or None
            s.effect = st["Effect"]
            s.allow = st["Effect"] == "Allow"
            action_key = "Action" if "Action" in st else "NotAction"
            s.action_patterns = tuple(ActionPattern(a) for a in _as_list(st[action_key]) if a is not None)
            s.not_action = action_key == "NotAction"
            resource_key = "Resource" if "Resource" in st else "NotResource" if "NotResource" in st else None
            if resource_key is None:
                s.resources = None  # trust policies (no Resource) and SCPs without one
                s.resource_any = True
            else:
                patterns = [r for r in _as_list(st[resource_key]) if r]
                s.resources = ResourceMatcher(patterns, resource_key == "NotResource", allow_variables)
                s.resource_any = s.resources.any
            if "Principal" in st:
                s.principal = PrincipalSpec(st["Principal"], negated=False)
            elif "NotPrincipal" in st:
                s.principal = PrincipalSpec(st["NotPrincipal"], negated=True)
            else:
                s.principal = None
            conditions = []
            cond_node = self.child(part.node, "Condition")
            for operator, block in st.get("Condition", {}).items():
                spec = parse_operator(operator)
                assert spec is not None
                block_node = self.child(cond_node, operator)
                for key, values in block.items():
                    texts = _condition_texts(values, self.child(block_node, key))
                    conditions.append(Condition(spec, key, texts, allow_variables))
            s.conditions = tuple(conditions) if conditions else None
            start = end = None
            if self.track and self.source is not None and part.start is not None:
                start = Position(*self.source.line_col(part.start))
                end = Position(*self.source.line_col(part.end))
            s.ref = MatchedStatement(self.policy_id, s.sid, part.index, s.effect, self.kind, start, end)
            s.finish()
            statements.append(s)
        return Policy(
            policy_id=self.policy_id,
            version_id=self.version_id,
            kind=self.kind,
            version=version,
            statements=tuple(statements),
            _document=value,
            text=self.text,
        )


# ---------------------------------------------------------------------------- helpers


def _as_list(value: object) -> list:
    if isinstance(value, list):
        return value
    return [value]


def _is_string_or_string_list(value: object) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(v is None or isinstance(v, str) for v in value)


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, bool, int, float))


def _is_condition_values(value: object) -> bool:
    if _is_scalar(value):
        return True
    return isinstance(value, list) and all(_is_scalar(v) for v in value)


def _as_value_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _condition_texts(values: object, node: Node | None) -> list[str]:
    items = _as_value_list(values)
    nodes = node.items if node is not None and node.items is not None else None
    out = []
    for i, v in enumerate(items):
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (int, float)):
            raw = None
            if nodes is not None and i < len(nodes):
                raw = nodes[i].raw
            elif node is not None and not isinstance(values, list):
                raw = node.raw
            out.append(raw if raw is not None else repr(v) if isinstance(v, float) else str(v))
        else:
            out.append(v)
    return out


def _legacy_date_ok(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value >= 0
    text = str(value).strip()
    if "t" in text.lower() or "-" in text:
        return not text.startswith("-") and parse_date(text) is not None
    try:
        return 0 <= int(text) <= 9223372036854775807
    except ValueError:
        return False


def _resource_format_error(resource: str) -> str | None:
    if resource == "*":
        return None
    head, sep, rest = resource.partition(":")
    if not sep:
        return E.arn_format_error(resource)
    partition, sep, rest = rest.partition(":")
    if partition != "*" and partition not in PARTITIONS:
        return E.partition_error(partition, rest.split(":"))
    if not sep:
        return E.RESOURCE_VENDOR_ERROR
    service, _sep, after_service = rest.partition(":")
    region, _sep, after_region = after_service.partition(":")
    _account, _sep, resource_id = after_region.partition(":")
    if service == "iam":
        if region:
            return E.iam_region_error(resource)
        if not resource_id.startswith(IAM_RESOURCE_PREFIXES) and not resource_id.startswith("*"):
            return E.IAM_PATH_ERROR
    elif service == "s3" and region and not resource_id.startswith("accesspoint/"):
        return E.s3_region_error(resource)
    return None


def _legacy_resource_ok(resource: str) -> bool:
    parts = resource.split(":")
    if not (resource.count(":") >= 5 or "::" not in resource):
        return False
    return len(parts) > 2 and parts[2] != ""


def _aws_principal_ok(item: object) -> bool:
    if not isinstance(item, str):
        return False
    if item == "*" or ACCOUNT_ID.fullmatch(item) or _UNIQUE_ID.fullmatch(item):
        return True
    return item.startswith("arn:") and "*" not in item and item.count(":") >= 5


def _action_error(action: str) -> str | None:
    parts = action.split(":")
    if len(parts) == 1 and parts[0] != "*":
        return E.VENDOR_PREFIX_ERROR
    if len(parts) > 2:
        return E.ONE_COLON_ERROR
    vendor = parts[0]
    if vendor != "*" and not _VENDOR.fullmatch(vendor):
        return E.vendor_error(vendor)
    return None


def _trust_action_ok(action: str) -> bool:
    low = action.lower()
    if low in TRUST_ACTIONS:
        return True
    if low == "*" or (low.startswith("sts:") and ("*" in low or "?" in low)):
        pattern = ActionPattern(low)
        return any(pattern.matches(a) for a in TRUST_ACTIONS)
    return False

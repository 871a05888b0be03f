"""Server side of the AWS Query (IAM, STS) and EC2 protocols, driven by botocore's service models.

``parse_params`` turns a request's decoded form parameters into a dict shaped like boto3's client
parameters (the inverse of botocore's client serializer), validating them against the model's
constraints; ``serialize_result`` turns a dict shaped like boto3's response into the XML body that
botocore's response parser reads; ``serialize_error`` writes the error body. Everything is planned
once per operation and shape (cached), so a request costs a walk over its own parameters only.
Pure Python: no Django import.

What AWS answers, and where it was learnt (public GitHub issues quoting real AWS responses):

* Constraint violations (query protocol: IAM, STS) are ``ValidationError`` (400) with Coral's wording,
  all violations collected and joined with ``"; "``::

      1 validation error detected: Value 'x y' at 'userName' failed to satisfy constraint:
      Member must satisfy regular expression pattern: [\\w+=,.@-]+
      2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must
      satisfy regular expression pattern: [...]+; Value '' at 'roleArn' failed to satisfy constraint:
      Member must have length greater than or equal to 20

  (newscorpaus/consigliere#18 and mmmorris1975/aws-runas#80, STS; ministryofjustice/
  cloud-platform-environments#5737, IAM ``userName`` length ≤ 64.) For one value the pattern is
  reported before the length, as in those messages. Ranges read ``Member must have value less than or
  equal to 50`` (flanksource/config-db#35), enums ``Member must satisfy enum value set: [a, b]``.
* The member path is the member name with its first letter lower-cased (``sAMLOptions`` in
  ministryofjustice/cloud-platform-infrastructure#4097), nested members joined by dots, and a list
  element of structures is ``<list>.<n>.member``: ``tags.6.member.value`` from IAM CreateUser
  (SWO-GS/auto-tag#90) and CloudFormation (szuecs/kube-static-egress-controller#35). Map keys and
  values are reported once for the whole map, listing every constraint of the key or value shape:
  ``Value '{k=v}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member
  must have length less than or equal to 256, Member must have length greater than or equal to 0,
  Member must satisfy regular expression pattern: ...]`` (SWO-GS/auto-tag#77,
  awslabs/aws-service-catalog-factory#279); a list of scalars is reported the same way with
  ``Member must satisfy constraint: [...]`` (by analogy; not seen quoted).
* A missing required member in IAM and STS is *not* ``MissingParameter`` but the same validation
  error: ``1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint:
  Member must not be null`` (STS, aws/aws-sdk-cpp#1252). For IAM the same form, ``1 validation
  error(s) detected: Value null at 'groupName' ...``, is listed in the error table of an
  IAM-compatible service that copies IAM's answers (shangyun51.com documentdetail?id=958); no IAM
  answer with ``MissingParameter`` was found.
* A value that cannot be read as its type (query protocol) is ``MalformedInput`` (400), raised before
  any validation: STS answered it to AssumeRoleWithSAML when the client sent ``DurationSeconds``
  computed as ``Math.round(undefined * 3600)``, i.e. ``NaN`` (aws-azure-login/aws-azure-login#30),
  and Elastic Beanstalk, another query service, to a bad timestamp with the message ``timestamp must
  follow ISO8601`` (briandilley/ebs-deploy#33). The message for numbers and booleans was not found
  quoted; ours says which parameter and what was expected.
* An unknown action: IAM/STS ``InvalidAction`` ``Could not find operation Foo for version
  2010-05-08`` (the same IAM-compatible error table); EC2 ``InvalidAction`` ``The action Foo is not
  valid for this web service.`` (cognitect-labs/aws-api#6).
* EC2 reports one error at a time, in its own words: ``MissingParameter`` ``The request must contain
  the parameter InstanceId`` (wire names); ``InvalidParameterValue`` ``Invalid value 't3.nanoo' for
  InstanceType.`` for a value outside the model's enum (as quoted in getmoto/moto#1695) and, by
  extension, for a wrong type or another violated constraint; ``UnknownParameter`` ``The parameter
  Description is not recognized`` for an unknown top-level parameter (aws/aws-sdk-cpp#327).
  IAM and STS ignore unknown parameters.

Choices where no fact was found: booleans are ``true``/``false`` in any case; integers are ASCII
decimal with an optional sign, within 32 bits (``long``: 64); timestamps are ISO 8601 (``Z``/offset
optional, UTC assumed), epoch seconds or RFC 822; blobs strict base64. String lengths count code
points. A repeated parameter keeps its first value. List indices are sparse (sorted, gaps closed)
and must be ≤ ``MAX_LIST_INDEX``; index 0 and non-numeric tokens name no element. More than
``MAX_PARAMS`` parameters, a key longer than ``MAX_KEY_LENGTH`` or deeper than ``MAX_KEY_DEPTH``
segments, a larger index, or more elements than ``MAX_LIST_LENGTH`` (or the shape's own larger
maximum) is a 400 (``MalformedInput``, or ``InvalidParameterValue`` for EC2) before anything big is
allocated; an element count above the shape's maximum is the usual validation error. A string holding a character that
XML 1.0 cannot carry (NUL and other C0 controls, lone surrogates, U+FFFE/U+FFFF) fails an implicit
pattern ``[\\u0009\\u000A\\u000D\\u0020-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]*`` (STS's own
wording for such a class), so nothing stored can later break a response. Unions are not checked
for "exactly one member".
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import email.utils
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping

import botocore.loaders
import botocore.model

__all__ = [
    "MAX_KEY_DEPTH",
    "MAX_KEY_LENGTH",
    "MAX_LIST_INDEX",
    "MAX_LIST_LENGTH",
    "MAX_PARAMS",
    "ProtocolError",
    "operation",
    "parse_params",
    "serialize_error",
    "serialize_result",
    "service_model",
]

MAX_PARAMS = 10_000  # parameters in one request
MAX_KEY_LENGTH = 512  # characters in one parameter name
MAX_KEY_DEPTH = 32  # dot-separated segments in one parameter name
MAX_LIST_INDEX = 10_000  # largest accepted Name.member.N
MAX_LIST_LENGTH = 1_000  # elements in a list (or map) whose shape sets no larger maximum

# Parameters that every EC2 request may carry besides the operation's own (authentication, etc.).
_EC2_COMMON_PARAMS = frozenset(
    {
        "Action",
        "Version",
        "AWSAccessKeyId",
        "Expires",
        "Timestamp",
        "SecurityToken",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
    }
)


class ProtocolError(Exception):
    """An error answered to the client: ``code``, ``message`` and HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int = 400, *, sender: bool = True):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender


# --------------------------------------------------------------------------------------------------
# Models


_LOADER = botocore.loaders.Loader()


@functools.cache
def service_model(name: str) -> botocore.model.ServiceModel:
    """botocore's model of service ``name`` ("iam", "sts", "ec2"), loaded once."""
    try:
        data = _LOADER.load_service_model(name, "service-2")
    except Exception as exc:  # botocore's UnknownServiceError / DataNotFoundError
        raise ValueError(f"no botocore model for service {name!r}") from exc
    return botocore.model.ServiceModel(data, service_name=name)


@functools.cache
def _operation_names(service: str) -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


def operation(service: str, action: str) -> botocore.model.OperationModel:
    """The operation ``action`` of ``service``; an unknown action is AWS's ``InvalidAction``."""
    model = service_model(service)
    if action not in _operation_names(service):
        if model.protocol == "ec2":
            message = f"The action {action} is not valid for this web service."
        else:
            message = f"Could not find operation {action} for version {model.api_version}"
        raise ProtocolError("InvalidAction", message, 400)
    return model.operation_model(action)


def _namespace(model: botocore.model.ServiceModel) -> str:
    """The model's ``xmlNamespace`` as AWS sends it: EC2's model lacks the final slash that EC2 writes."""
    ns = model.metadata.get("xmlNamespace") or ""
    if model.protocol == "ec2" and ns and not ns.endswith("/"):
        ns += "/"
    return ns


# --------------------------------------------------------------------------------------------------
# Java regular expressions (the models' patterns) in Python


# Code points outside these spans are unassigned or private use (never L, N, Z, ... in Python's tables).
_ASSIGNED_SPANS = ((0, 0x40000), (0xE0000, 0xE1000))


@functools.cache
def _category_class(category: str) -> str | None:
    """A regex class body for a Unicode general category (``Lu``) or major class (``L``)."""
    if not category.isalpha() or len(category) > 2:
        return None
    lookup = unicodedata.category
    spans: list[list[int]] = []
    for start, stop in _ASSIGNED_SPANS:
        for cp in range(start, stop):
            if lookup(chr(cp)).startswith(category):
                if spans and spans[-1][1] == cp - 1:
                    spans[-1][1] = cp
                else:
                    spans.append([cp, cp])
    if not spans:
        return None
    return "".join(f"\\U{a:08X}" if a == b else f"\\U{a:08X}-\\U{b:08X}" for a, b in spans)


_PROP_RE = re.compile(r"\\([pP])\{(?:Is)?([A-Za-z]{1,2})\}")


def _java_to_python_regex(pattern: str) -> str:
    """Rewrite the Java-only constructs the models use (``\\p{L}`` etc.) for Python's ``re``."""
    if "\\p" not in pattern and "\\P" not in pattern:
        return pattern
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            m = _PROP_RE.match(pattern, i)
            if m:
                negate, cat = m.group(1) == "P", m.group(2)
                body = _category_class(cat)
                if body is None or (negate and in_class):
                    raise ValueError(f"unsupported property {m.group(0)}")
                out.append(body if in_class else ("[^" if negate else "[") + body + "]")
                i = m.end()
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        if c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


@functools.cache
def _compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    """Java's ``\\w``, ``\\d`` and ``\\s`` are ASCII: compile with ``re.ASCII``. ``None``: unusable."""
    try:
        return re.compile(_java_to_python_regex(pattern), re.ASCII)
    except (re.error, ValueError):
        return None


_XML_CHARS_PATTERN = "[\\u0009\\u000A\\u000D\\u0020-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]*"
_XML_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------------------------------
# Parsing: plans


_ABSENT = object()
_INDEX_RE = re.compile(r"[0-9]+", re.ASCII)
_INT_RE = re.compile(r"[+-]?[0-9]{1,40}", re.ASCII)
_FLOAT_RE = re.compile(r"[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)", re.ASCII)
_ISO_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?",
    re.ASCII,
)
_EPOCH_RE = re.compile(r"[+-]?[0-9]{1,12}(?:\.[0-9]{1,9})?", re.ASCII)
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


class _Ctx:
    """Per-request state: the protocol and the collected validation errors."""

    __slots__ = ("ec2", "errors")

    def __init__(self, ec2: bool):
        self.ec2 = ec2
        self.errors: list[str] = []

    def structural(self, message: str) -> ProtocolError:
        return ProtocolError("InvalidParameterValue" if self.ec2 else "MalformedInput", message, 400)

    def violation(self, value, path: str, constraint: str) -> None:
        if self.ec2:
            raise ProtocolError("InvalidParameterValue", f"Invalid value '{_render(value)}' for {path}.")
        self.errors.append(f"Value '{_render(value)}' at '{path}' failed to satisfy constraint: {constraint}")

    def missing(self, path: str) -> None:
        if self.ec2:
            raise ProtocolError("MissingParameter", f"The request must contain the parameter {path}")
        self.errors.append(f"Value null at '{path}' failed to satisfy constraint: Member must not be null")


def _render(value) -> str:
    """A value as Coral writes it into messages (Java's toString)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_render(k)}={_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, _dt.datetime):
        return _iso(value, millis=False)
    if value is None:
        return "null"
    return str(value)


def _num(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Scalar:
    __slots__ = ("kind", "min", "max", "pattern", "enum", "enum_set", "label", "type_name")

    def __init__(self, shape: botocore.model.Shape):
        meta = shape.metadata
        self.type_name = shape.type_name
        self.kind = {"character": "string", "long": "integer", "double": "float"}.get(
            shape.type_name, shape.type_name
        )
        self.min = meta.get("min")
        self.max = meta.get("max")
        self.pattern = meta.get("pattern") if self.kind == "string" else None
        enum = list(meta.get("enum") or ()) if self.kind == "string" else []
        self.enum = enum
        self.enum_set = frozenset(enum)
        self.label = {
            "string": "a string",
            "integer": "an integer",
            "boolean": "a boolean (true or false)",
            "float": "a number",
            "timestamp": "a timestamp",
            "blob": "base64-encoded data",
        }.get(self.kind, "a value")

    # conversion ------------------------------------------------------------------------------
    def convert(self, raw: str, wire: str, ctx: _Ctx):
        kind = self.kind
        if kind == "string":
            return raw
        try:
            if kind == "integer":
                if _INT_RE.fullmatch(raw) is None:
                    raise ValueError
                value = int(raw)
                lo, hi = _INT64 if self.type_name == "long" else _INT32
                if not lo <= value <= hi:
                    raise ValueError
                return value
            if kind == "boolean":
                low = raw.lower()
                if low == "true":
                    return True
                if low == "false":
                    return False
                raise ValueError
            if kind == "float":
                if _FLOAT_RE.fullmatch(raw) is None:
                    raise ValueError
                return float(raw)
            if kind == "timestamp":
                return _parse_timestamp(raw)
            if kind == "blob":
                return base64.b64decode(raw.encode("ascii"), validate=True)
        except (
            ValueError,
            TypeError,
            IndexError,
            OverflowError,
            OSError,
            binascii.Error,
            UnicodeEncodeError,
        ):
            pass
        if ctx.ec2:
            raise ProtocolError("InvalidParameterValue", f"Invalid value '{raw}' for {wire}.")
        if kind == "timestamp":
            raise ProtocolError("MalformedInput", "timestamp must follow ISO8601")
        raise ProtocolError(
            "MalformedInput", f"Invalid value '{raw}' for parameter {wire}: expected {self.label}"
        )

    # constraints -----------------------------------------------------------------------------
    def failures(self, value) -> list[str]:
        """Messages of the constraints that ``value`` violates, in Coral's order for one value."""
        out: list[str] = []
        kind = self.kind
        if kind == "string":
            bad_pattern = False
            if self.pattern is not None:
                rx = _compiled_pattern(self.pattern)
                if rx is not None and rx.fullmatch(value) is None:
                    out.append(f"Member must satisfy regular expression pattern: {self.pattern}")
                    bad_pattern = True
            if not bad_pattern and _XML_BAD_CHAR.search(value) is not None:
                out.append(f"Member must satisfy regular expression pattern: {_XML_CHARS_PATTERN}")
            length = len(value)
        elif kind == "blob":
            length = len(value)
        else:
            length = None
        if length is not None:
            if self.max is not None and length > self.max:
                out.append(f"Member must have length less than or equal to {self.max}")
            if self.min is not None and length < self.min:
                out.append(f"Member must have length greater than or equal to {self.min}")
        elif kind in ("integer", "float"):
            if self.max is not None and value > self.max:
                out.append(f"Member must have value less than or equal to {_num(self.max)}")
            if self.min is not None and value < self.min:
                out.append(f"Member must have value greater than or equal to {_num(self.min)}")
        if self.enum and value not in self.enum_set:
            out.append(f"Member must satisfy enum value set: [{', '.join(self.enum)}]")
        return out

    def all_constraints(self) -> list[str]:
        """Every constraint of the shape, as Coral lists them for map keys/values and list members."""
        out: list[str] = []
        if self.kind in ("string", "blob"):
            if self.max is not None:
                out.append(f"Member must have length less than or equal to {self.max}")
            if self.min is not None:
                out.append(f"Member must have length greater than or equal to {self.min}")
        elif self.kind in ("integer", "float"):
            if self.max is not None:
                out.append(f"Member must have value less than or equal to {_num(self.max)}")
            if self.min is not None:
                out.append(f"Member must have value greater than or equal to {_num(self.min)}")
        if self.pattern is not None:
            out.append(f"Member must satisfy regular expression pattern: {self.pattern}")
        elif self.kind == "string":
            out.append(f"Member must satisfy regular expression pattern: {_XML_CHARS_PATTERN}")
        if self.enum:
            out.append(f"Member must satisfy enum value set: [{', '.join(self.enum)}]")
        return out

    def parse(self, node: dict, path: str, wire: str, ctx: _Ctx):
        raw = node.get(None)
        if raw is None:
            return _ABSENT
        value = self.convert(raw, wire, ctx)
        if self.kind in ("string", "blob", "integer", "float") or self.enum:
            for failure in self.failures(value):
                ctx.violation(value, wire if ctx.ec2 else path, failure)
        return value

    def parse_unchecked(self, node: dict, wire: str, ctx: _Ctx):
        raw = node.get(None)
        if raw is None:
            return _ABSENT
        return self.convert(raw, wire, ctx)


def _parse_timestamp(raw: str) -> _dt.datetime:
    text = raw.strip()
    m = _ISO_RE.fullmatch(text)
    if m is not None:
        year, month, day, hh, mm, ss, frac, z, sign, oh, om = m.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        tz = _dt.UTC
        if sign is not None:
            offset = _dt.timedelta(hours=int(oh), minutes=int(om))
            tz = _dt.timezone(-offset if sign == "-" else offset)
        value = _dt.datetime(
            int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0), micro, tzinfo=tz
        )
        return value.astimezone(_dt.UTC)
    if _EPOCH_RE.fullmatch(text) is not None:
        whole, _, frac = text.partition(".")
        seconds = int(whole)
        micro = int(frac[:6].ljust(6, "0")) if frac else 0
        if seconds < 0 and micro:
            micro = -micro
        return _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC) + _dt.timedelta(seconds=seconds, microseconds=micro)
    value = email.utils.parsedate_to_datetime(text)  # RFC 822; raises ValueError/TypeError
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    return value.astimezone(_dt.UTC)


class _Struct:
    __slots__ = ("members",)

    def __init__(self):
        # (python name, wire name, path name, plan, required)
        self.members: list[tuple[str, str, str, object, bool]] = []

    def parse(self, node: dict, path: str, wire: str, ctx: _Ctx):
        out = {}
        ec2 = ctx.ec2
        for name, mwire, pname, plan, required in self.members:
            child = node.get(mwire)
            if ec2:
                cpath = cwire = f"{wire}.{mwire}" if wire else mwire
            else:
                cpath = f"{path}.{pname}" if path else pname
                cwire = f"{wire}.{mwire}" if wire else mwire
            if child is None:
                if required:
                    ctx.missing(cpath)
                continue
            value = plan.parse(child, cpath, cwire, ctx)
            if value is _ABSENT:
                if required:
                    ctx.missing(cpath)
                continue
            out[name] = value
        if not out:
            return _ABSENT
        return out


def _indexed(container: dict, wire: str, ctx: _Ctx) -> list[tuple[int, dict]]:
    items = []
    for token, sub in container.items():
        if token is None or _INDEX_RE.fullmatch(token) is None:
            continue
        index = int(token) if len(token) <= 9 else MAX_LIST_INDEX + 1
        if index == 0:
            continue
        if index > MAX_LIST_INDEX:
            raise ctx.structural(f"List index {token[:20]} of {wire} is larger than {MAX_LIST_INDEX}")
        items.append((index, sub))
    items.sort(key=lambda item: item[0])
    return items


class _List:
    __slots__ = ("member", "wrapper", "min", "max", "cap", "scalar_member")

    def parse(self, node: dict, path: str, wire: str, ctx: _Ctx):
        if self.wrapper is not None:
            container = node.get(self.wrapper)
            if container is None:
                return [] if node.get(None) is not None else _ABSENT
        else:
            container = node
        items = _indexed(container, wire, ctx)
        if not items:
            return [] if node.get(None) is not None else _ABSENT
        if len(items) > self.cap:
            raise ctx.structural(f"Too many elements in list {wire}: {len(items)} (at most {self.cap})")
        member = self.member
        out = []
        sep = f".{self.wrapper}." if self.wrapper is not None else "."
        if self.scalar_member:
            for index, sub in items:
                value = member.parse_unchecked(sub, f"{wire}{sep}{index}", ctx)
                if value is not _ABSENT:
                    out.append(value)
            if ctx.ec2:
                for position, value in enumerate(out, 1):
                    for failure in member.failures(value):
                        ctx.violation(value, f"{wire}.{position}", failure)
            elif any(member.failures(value) for value in out):
                constraints = ", ".join(member.all_constraints())
                ctx.violation(out, path, f"Member must satisfy constraint: [{constraints}]")
        else:
            for index, sub in items:
                position = len(out) + 1
                value = member.parse(sub, f"{path}.{position}.member", f"{wire}{sep}{index}", ctx)
                if value is not _ABSENT:
                    out.append(value)
        self._check_length(out, path, wire, ctx)
        return out

    def _check_length(self, out, path, wire, ctx):
        where = wire if ctx.ec2 else path
        if self.max is not None and len(out) > self.max:
            ctx.violation(out, where, f"Member must have length less than or equal to {self.max}")
        if self.min is not None and len(out) < self.min:
            ctx.violation(out, where, f"Member must have length greater than or equal to {self.min}")


class _Map:
    __slots__ = ("key", "value", "wrapper", "key_name", "value_name", "min", "max", "cap")

    def parse(self, node: dict, path: str, wire: str, ctx: _Ctx):
        container = node.get(self.wrapper) if self.wrapper is not None else node
        if container is None:
            return {} if node.get(None) is not None else _ABSENT
        items = _indexed(container, wire, ctx)
        if not items:
            return {} if node.get(None) is not None else _ABSENT
        if len(items) > self.cap:
            raise ctx.structural(f"Too many entries in map {wire}: {len(items)} (at most {self.cap})")
        out = {}
        sep = f".{self.wrapper}." if self.wrapper is not None else "."
        key_plan, value_plan = self.key, self.value
        value_scalar = isinstance(value_plan, _Scalar)
        for index, sub in items:
            entry_wire = f"{wire}{sep}{index}"
            key_node = sub.get(self.key_name)
            value_node = sub.get(self.value_name)
            if key_node is None or value_node is None:
                continue
            key = key_plan.parse_unchecked(key_node, f"{entry_wire}.{self.key_name}", ctx)
            if key is _ABSENT:
                continue
            if value_scalar:
                value = value_plan.parse_unchecked(value_node, f"{entry_wire}.{self.value_name}", ctx)
            else:
                value = value_plan.parse(
                    value_node, f"{path}.{_render(key)}", f"{entry_wire}.{self.value_name}", ctx
                )
            if value is _ABSENT:
                continue
            out[key] = value
        where = wire if ctx.ec2 else path
        if any(key_plan.failures(k) for k in out):
            ctx.violation(
                out, where, f"Map keys must satisfy constraint: [{', '.join(key_plan.all_constraints())}]"
            )
        if value_scalar and any(value_plan.failures(v) for v in out.values()):
            constraints = ", ".join(value_plan.all_constraints())
            ctx.violation(out, where, f"Map value must satisfy constraint: [{constraints}]")
        if self.max is not None and len(out) > self.max:
            ctx.violation(out, where, f"Member must have length less than or equal to {self.max}")
        if self.min is not None and len(out) < self.min:
            ctx.violation(out, where, f"Member must have length greater than or equal to {self.min}")
        return out


class _InputPlanner:
    """Builds parse plans for the shapes of one service and protocol (memoised per shape name)."""

    def __init__(self, ec2: bool):
        self.ec2 = ec2
        self.memo: dict[str, object] = {}

    def wire_name(self, shape: botocore.model.Shape, default: str) -> str:
        ser = shape.serialization
        if self.ec2:
            if "queryName" in ser:
                return ser["queryName"]
            if "name" in ser:
                name = ser["name"]
                return name[:1].upper() + name[1:]
            return default
        return ser.get("name", default)

    def plan(self, shape: botocore.model.Shape):
        key = shape.name
        cached = self.memo.get(key)
        if cached is not None:
            return cached
        kind = shape.type_name
        if kind == "structure":
            plan = _Struct()
            self.memo[key] = plan
            required = set(shape.required_members)
            for name, member in shape.members.items():
                if member.serialization.get("location"):
                    continue
                wire = self.wire_name(member, name)
                if (
                    not self.ec2
                    and member.type_name == "list"
                    and member.serialization.get("flattened")
                    and member.member.serialization.get("name")
                ):
                    wire = member.member.serialization["name"]
                plan.members.append(
                    (name, wire, name[:1].lower() + name[1:], self.plan(member), name in required)
                )
            return plan
        if kind == "list":
            plan = _List()
            self.memo[key] = plan
            plan.member = self.plan(shape.member)
            plan.scalar_member = isinstance(plan.member, _Scalar)
            if self.ec2 or shape.serialization.get("flattened"):
                plan.wrapper = None
            else:
                plan.wrapper = shape.member.serialization.get("name", "member")
            plan.min = shape.metadata.get("min")
            plan.max = shape.metadata.get("max")
            plan.cap = max(MAX_LIST_LENGTH, plan.max or 0)
            return plan
        if kind == "map":
            plan = _Map()
            self.memo[key] = plan
            plan.key = self.plan(shape.key)
            plan.value = self.plan(shape.value)
            plan.wrapper = None if shape.serialization.get("flattened") else "entry"
            plan.key_name = shape.key.serialization.get("name", "key")
            plan.value_name = shape.value.serialization.get("name", "value")
            plan.min = shape.metadata.get("min")
            plan.max = shape.metadata.get("max")
            plan.cap = max(MAX_LIST_LENGTH, plan.max or 0)
            return plan
        plan = _Scalar(shape)
        self.memo[key] = plan
        return plan


class _InputPlan:
    __slots__ = ("ec2", "top", "top_names")

    def __init__(self, ec2: bool, top: _Struct | None):
        self.ec2 = ec2
        self.top = top
        self.top_names = frozenset(m[1] for m in top.members) if top is not None else frozenset()


@functools.cache
def _planner(service: str, api_version: str, ec2: bool) -> _InputPlanner:
    return _InputPlanner(ec2)


_PLAN_LOCK = threading.RLock()
_INPUT_PLANS: dict[tuple[str, str, str], _InputPlan] = {}


def _input_plan(op: botocore.model.OperationModel) -> _InputPlan:
    sm = op.service_model
    key = (sm.service_name, sm.api_version, op.name)
    plan = _INPUT_PLANS.get(key)
    if plan is None:
        # Plans of one service share their shapes' plans, which are filled in after being registered
        # (for recursive shapes): build under the lock and publish whole.
        with _PLAN_LOCK:
            plan = _INPUT_PLANS.get(key)
            if plan is None:
                ec2 = sm.protocol == "ec2"
                shape = op.input_shape
                top = (
                    _planner(sm.service_name, sm.api_version, ec2).plan(shape) if shape is not None else None
                )
                plan = _INPUT_PLANS[key] = _InputPlan(ec2, top)
    return plan


def parse_params(op: botocore.model.OperationModel, params: Mapping[str, str | list[str]]) -> dict:
    """The operation's input as boto3 client parameters, from the decoded form parameters.

    ``params`` holds the request's parameters without ``Action`` and ``Version``; a name that
    repeats may map to a list of values (the first counts). Raises ``ProtocolError`` (400).
    """
    plan = _input_plan(op)
    ctx = _Ctx(plan.ec2)
    if len(params) > MAX_PARAMS:
        raise ctx.structural(f"Too many parameters: {len(params)} (at most {MAX_PARAMS})")
    top_names = plan.top_names
    root: dict = {}
    for key, raw in params.items():
        if not isinstance(key, str):
            continue
        first, dot, _rest = key.partition(".")
        if first not in top_names:
            if plan.ec2 and first not in _EC2_COMMON_PARAMS and not first.startswith("X-Amz-"):
                name = key if len(key) <= MAX_KEY_LENGTH else key[:MAX_KEY_LENGTH] + "..."
                raise ProtocolError("UnknownParameter", f"The parameter {name} is not recognized")
            continue
        if len(key) > MAX_KEY_LENGTH:
            raise ctx.structural(f"Parameter name longer than {MAX_KEY_LENGTH} characters")
        if isinstance(raw, list | tuple):
            raw = raw[0] if raw else ""
        if not isinstance(raw, str):
            raw = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else str(raw)
        node = root
        if dot:
            segments = key.split(".")
            if len(segments) > MAX_KEY_DEPTH:
                raise ctx.structural(f"Parameter name deeper than {MAX_KEY_DEPTH} segments")
            for segment in segments:
                child = node.get(segment)
                if child is None:
                    child = node[segment] = {}
                node = child
        else:
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            node = child
        node.setdefault(None, raw)
    if plan.top is None:
        return {}
    result = plan.top.parse(root, "", "", ctx)
    if ctx.errors:
        count = len(ctx.errors)
        noun = "error" if count == 1 else "errors"
        raise ProtocolError(
            "ValidationError", f"{count} validation {noun} detected: " + "; ".join(ctx.errors), 400
        )
    return {} if result is _ABSENT else result


# --------------------------------------------------------------------------------------------------
# Serialising results


_ESC_RE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESC_MAP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _esc_char(m: re.Match[str]) -> str:
    return _ESC_MAP.get(m.group(0), "\ufffd")


def _esc(text: str) -> str:
    """XML text: markup escaped, CR kept as a reference, characters XML cannot carry replaced."""
    if _ESC_RE.search(text) is None:
        return text
    return _ESC_RE.sub(_esc_char, text)


def _as_datetime(value) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=_dt.UTC)
        return value.astimezone(_dt.UTC)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.UTC)
    if isinstance(value, int | float):
        return _dt.datetime.fromtimestamp(value, _dt.UTC)
    return _parse_timestamp(str(value))


def _iso(value, millis: bool) -> str:
    """ISO 8601 in UTC as AWS writes it: ``2026-12-01T02:50:12Z`` (EC2: ``...12.000Z``)."""
    d = value if type(value) is _dt.datetime and value.tzinfo is _dt.UTC else _as_datetime(value)
    ms = d.microsecond // 1000
    if millis or ms:
        return f"{d.isoformat()[:19]}.{ms:03d}Z"
    return d.isoformat()[:19] + "Z"


def _text_string(value) -> str:
    return _esc(value if isinstance(value, str) else str(value))


def _text_integer(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(int(value))


def _text_boolean(value) -> str:
    if isinstance(value, str):
        return "true" if value.lower() == "true" else "false"
    return "true" if value else "false"


def _text_float(value) -> str:
    number = float(value)
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def _text_blob(value) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(bytes(value)).decode("ascii")


class _OutputPlanner:
    """Builds writer closures for the shapes of one service's responses (memoised per shape)."""

    def __init__(self, ec2: bool):
        self.ec2 = ec2
        self.memo: dict[str, object] = {}

    def writer(self, shape: botocore.model.Shape):
        """``write(out: list[str], value, open_tag, close_tag)`` for ``shape``."""
        key = shape.name
        cached = self.memo.get(key)
        if cached is not None:
            return cached
        build = {"structure": self._struct, "list": self._list, "map": self._map}.get(shape.type_name)
        if build is None:
            fn = self.memo[key] = self._scalar(shape)
            return fn
        cell: list = []

        def write_later(out, value, open_tag, close_tag):  # a recursive shape, reached while being built
            cell[0](out, value, open_tag, close_tag)

        self.memo[key] = write_later
        fn = build(shape)
        cell.append(fn)
        self.memo[key] = fn
        return fn

    def _scalar(self, shape):
        kind = shape.type_name
        if kind == "timestamp":
            millis = self.ec2

            def text(value):
                return _iso(value, millis)

        else:
            text = {
                "string": _text_string,
                "character": _text_string,
                "integer": _text_integer,
                "long": _text_integer,
                "boolean": _text_boolean,
                "float": _text_float,
                "double": _text_float,
                "blob": _text_blob,
            }.get(kind, _text_string)

        def write_scalar(out, value, open_tag, close_tag):
            out.append(f"{open_tag}{text(value)}{close_tag}")

        return write_scalar

    @staticmethod
    def element_name(member: botocore.model.Shape, name: str) -> str:
        if member.type_name == "list" and member.serialization.get("flattened"):
            inner = member.member.serialization.get("name")
            if inner is not None:
                return inner
        return member.serialization.get("name", name)

    def _struct(self, shape):
        """A writer generated as Python source: one inlined block per member (the hot path)."""
        members = []
        lines = [
            "def write_struct(out, value, open_tag, close_tag):",
            "    append = out.append",
            "    append(open_tag)",
            "    if type(value) is dict or isinstance(value, Mapping):",
            "        get = value.get",
        ]
        env: dict = {
            "Mapping": Mapping,
            "_esc_search": _ESC_RE.search,
            "_esc": _esc,
            "_iso": _iso,
            "_datetime": _dt.datetime,
            "_UTC": _dt.UTC,
        }
        for index, (name, member) in enumerate(shape.members.items()):
            ser = member.serialization
            if ser.get("location") or ser.get("xmlAttribute"):
                continue
            tag = self.element_name(member, name)
            write = self.writer(member)
            members.append((name, f"<{tag}>", f"</{tag}>", write))
            open_lit, close_lit = repr(f"<{tag}>"), repr(f"</{tag}>")
            lines.append(f"        v = get({name!r})")
            lines.append("        if v is not None:")
            kind = member.type_name
            if kind in ("string", "character"):
                lines.append("            if type(v) is not str or _esc_search(v) is not None:")
                lines.append("                v = _esc(v if type(v) is str else str(v))")
                lines.append(f"            append({open_lit} + v + {close_lit})")
            elif kind in ("integer", "long"):
                lines.append("            if type(v) is not int:")
                lines.append("                v = _text_integer(v)")
                lines.append(f"            append(f{(f'<{tag}>{{v}}</{tag}>')!r})")
                env["_text_integer"] = _text_integer
            elif kind == "boolean":
                lines.append(f"            append({open_lit} + _text_boolean(v) + {close_lit})")
                env["_text_boolean"] = _text_boolean
            elif kind == "timestamp" and not self.ec2:
                lines.append(
                    "            if type(v) is _datetime and v.tzinfo is _UTC and v.microsecond < 1000:"
                )
                lines.append(f"                append({open_lit} + v.isoformat()[:19] + {(f'Z</{tag}>')!r})")
                lines.append("            else:")
                lines.append(f"                append({open_lit} + _iso(v, False) + {close_lit})")
            elif kind == "timestamp":
                lines.append(f"            append({open_lit} + _iso(v, True) + {close_lit})")
            else:
                env[f"_w{index}"] = write
                lines.append(f"            _w{index}(out, v, {open_lit}, {close_lit})")
        lines.append("    append(close_tag)")
        exec("\n".join(lines), env)  # noqa: S102 - source built from the model's names, quoted by repr()
        write_struct = env["write_struct"]
        write_struct.members = members  # the root writer of a response reuses them
        return write_struct

    def _list(self, shape):
        member = shape.member
        write_member = self.writer(member)
        if shape.serialization.get("flattened"):

            def write_flat(out, value, open_tag, close_tag):
                for item in _iter(value):
                    if item is not None:
                        write_member(out, item, open_tag, close_tag)

            return write_flat
        tag = member.serialization.get("name") or ("item" if self.ec2 else "member")
        member_open, member_close = f"<{tag}>", f"</{tag}>"

        def write_list(out, value, open_tag, close_tag):
            out.append(open_tag)
            for item in _iter(value):
                if item is not None:
                    write_member(out, item, member_open, member_close)
            out.append(close_tag)

        return write_list

    def _map(self, shape):
        key_tag = shape.key.serialization.get("name") or "key"
        value_tag = shape.value.serialization.get("name") or "value"
        write_key = self.writer(shape.key)
        write_value = self.writer(shape.value)
        key_open, key_close = f"<{key_tag}>", f"</{key_tag}>"
        value_open, value_close = f"<{value_tag}>", f"</{value_tag}>"
        flattened = bool(shape.serialization.get("flattened"))

        def write_map(out, value, open_tag, close_tag):
            if not flattened:
                out.append(open_tag)
            entry_open, entry_close = (open_tag, close_tag) if flattened else ("<entry>", "</entry>")
            if isinstance(value, Mapping):
                for k, v in value.items():
                    if v is None:
                        continue
                    out.append(entry_open)
                    write_key(out, k, key_open, key_close)
                    write_value(out, v, value_open, value_close)
                    out.append(entry_close)
            if not flattened:
                out.append(close_tag)

        return write_map


def _iter(value) -> Iterable:
    if type(value) is list or type(value) is tuple:
        return value
    if isinstance(value, str | bytes | Mapping):
        return (value,)
    return value


@functools.cache
def _output_planner(service: str, api_version: str, ec2: bool) -> _OutputPlanner:
    return _OutputPlanner(ec2)


class _OutputPlan:
    __slots__ = ("ec2", "head", "tail", "members")

    def __init__(self, op: botocore.model.OperationModel):
        sm = op.service_model
        self.ec2 = ec2 = sm.protocol == "ec2"
        name = op.name
        ns = _namespace(sm)
        shape = op.output_shape
        self.members = None
        if shape is not None:
            self.members = _output_planner(sm.service_name, sm.api_version, ec2).writer(shape).members
        if ec2:
            self.head = f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{ns}"><requestId>'
            if shape is None:
                self.tail = ("</requestId>", f"<return>true</return></{name}Response>")
            else:
                self.tail = ("</requestId>", f"</{name}Response>")
        else:
            self.head = f'<{name}Response xmlns="{ns}">'
            if shape is not None:
                wrapper = shape.serialization.get("resultWrapper") or f"{name}Result"
                self.head += f"<{wrapper}>"
                close = f"</{wrapper}>"
            else:
                close = ""
            self.tail = (
                f"{close}<ResponseMetadata><RequestId>",
                f"</RequestId></ResponseMetadata></{name}Response>",
            )


_OUTPUT_PLANS: dict[tuple[str, str, str], _OutputPlan] = {}


def _output_plan(op: botocore.model.OperationModel) -> _OutputPlan:
    sm = op.service_model
    key = (sm.service_name, sm.api_version, op.name)
    plan = _OUTPUT_PLANS.get(key)
    if plan is None:
        with _PLAN_LOCK:
            plan = _OUTPUT_PLANS.get(key)
            if plan is None:
                plan = _OUTPUT_PLANS[key] = _OutputPlan(op)
    return plan


def _write_members(out: list[str], members, result) -> None:
    if not members or not isinstance(result, Mapping):
        return
    get = result.get
    for name, member_open, member_close, write in members:
        item = get(name)
        if item is not None:
            write(out, item, member_open, member_close)


def serialize_result(op: botocore.model.OperationModel, result: dict | None, *, request_id: str) -> bytes:
    """The XML body of a successful response to ``op`` carrying ``result`` (boto3's response shape)."""
    plan = _output_plan(op)
    rid = _esc(str(request_id))
    if plan.ec2:
        out = [plan.head, rid, plan.tail[0]]
        _write_members(out, plan.members, result)
        out.append(plan.tail[1])
    else:
        out = [plan.head]
        _write_members(out, plan.members, result)
        out.append(plan.tail[0])
        out.append(rid)
        out.append(plan.tail[1])
    return "".join(out).encode("utf-8")


def serialize_error(service: str, code: str, message: str, *, request_id: str, sender: bool = True) -> bytes:
    """The XML body of an error response from ``service`` (query or EC2 form)."""
    model = service_model(service)
    code_text, message_text, rid = _esc(str(code)), _esc(str(message)), _esc(str(request_id))
    if model.protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code_text}</Code><Message>{message_text}</Message></Error>"
            f"</Errors><RequestID>{rid}</RequestID></Response>"
        )
    else:
        kind = "Sender" if sender else "Receiver"
        body = (
            f'<ErrorResponse xmlns="{_namespace(model)}"><Error><Type>{kind}</Type><Code>{code_text}</Code>'
            f"<Message>{message_text}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
        )
    return body.encode("utf-8")

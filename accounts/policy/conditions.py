"""Condition operators (UG reference_policies_elements_condition_operators).

A ``Condition`` block is compiled into a tuple of :class:`Condition` objects, one per
(operator, key) pair; the statement's conditions hold when every one of them holds (AND),
and each one holds when any of its policy values matches (OR).

Key presence rules (same page, "Important" box, and reference_policies_multi-value-conditions):

* key absent (or an empty list): a positive operator is false, a negated operator
  (``StringNotEquals``, ``ArnNotLike``, ``NotIpAddress``...) is true;
* ``...IfExists``: true when the key is absent, otherwise the operator decides;
* ``Null``: ``"true"`` holds when the key is absent, ``"false"`` when it is present;
* ``ForAllValues:`` true when the key is absent or empty ("If the key values in the request
  resolve to an empty data set (for example, an empty string) ... ForAllValues returns
  true"), otherwise every request value must match at least one policy value;
* ``ForAnyValue:`` false when absent or empty, otherwise at least one request value must match.

With a negated operator under a set operator the negation applies per request value
(``ForAllValues:StringNotLike`` holds when no request value is like any policy value), which
is what the UG's multivalued-key examples show. Without a set operator, a multivalued request
value matches when any of its values matches (and a negated operator is the negation of that).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from .patterns import ArnSet, GlobSet, arn_regex_parts, cached_regex, glob_to_regex
from .variables import GLOB, Lookup, parse_template, resolve

ANY_VALUE = 1
ALL_VALUES = 2

# operator -> (family, negated)
BASE_OPERATORS: dict[str, tuple[str, bool]] = {
    "StringEquals": ("string", False),
    "StringNotEquals": ("string", True),
    "StringEqualsIgnoreCase": ("string_ic", False),
    "StringNotEqualsIgnoreCase": ("string_ic", True),
    "StringLike": ("like", False),
    "StringNotLike": ("like", True),
    "NumericEquals": ("num_eq", False),
    "NumericNotEquals": ("num_eq", True),
    "NumericLessThan": ("num_lt", False),
    "NumericLessThanEquals": ("num_le", False),
    "NumericGreaterThan": ("num_gt", False),
    "NumericGreaterThanEquals": ("num_ge", False),
    "DateEquals": ("date_eq", False),
    "DateNotEquals": ("date_eq", True),
    "DateLessThan": ("date_lt", False),
    "DateLessThanEquals": ("date_le", False),
    "DateGreaterThan": ("date_gt", False),
    "DateGreaterThanEquals": ("date_ge", False),
    "Bool": ("bool", False),
    "BinaryEquals": ("binary", False),
    "IpAddress": ("ip", False),
    "NotIpAddress": ("ip", True),
    "ArnEquals": ("arn", False),
    "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", True),
    "ArnNotLike": ("arn", True),
    "Null": ("null", False),
}

# families whose values may contain policy variables (UG: string and ARN operators; the
# Boolean section of the operators page also allows them)
VARIABLE_FAMILIES = frozenset({"string", "string_ic", "like", "arn", "bool"})


class OperatorSpec:
    __slots__ = ("name", "base", "family", "negated", "set_mode", "if_exists")

    def __init__(self, name: str, base: str, set_mode: int, if_exists: bool):
        self.name = name
        self.base = base
        self.family, self.negated = BASE_OPERATORS[base]
        self.set_mode = set_mode
        self.if_exists = if_exists


def parse_operator(name: str) -> OperatorSpec | None:
    """Split ``ForAnyValue:StringLikeIfExists`` into its parts; ``None`` if unknown."""
    rest = name
    set_mode = 0
    if rest.startswith("ForAnyValue:"):
        set_mode, rest = ANY_VALUE, rest[len("ForAnyValue:") :]
    elif rest.startswith("ForAllValues:"):
        set_mode, rest = ALL_VALUES, rest[len("ForAllValues:") :]
    if_exists = False
    if rest not in BASE_OPERATORS and rest.endswith("IfExists"):
        if_exists, rest = True, rest[: -len("IfExists")]
        if rest == "Null":
            return None
    if rest not in BASE_OPERATORS:
        return None
    return OperatorSpec(name, rest, set_mode, if_exists)


# ----------------------------------------------------------------------------- values


def to_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def to_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(value if isinstance(value, (int, Decimal)) else str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


_ISO = re.compile(
    r"(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[Tt ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?P<f>\.\d+)?)?"
    r"(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?)?)?"
)
_EPOCH = re.compile(r"-?\d+(?:\.\d+)?")


def parse_date(value: object) -> float | None:
    """Seconds since the epoch for an ISO 8601 (W3C profile) or epoch-seconds value."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return dt.timestamp()
    text = str(value).strip()
    if _EPOCH.fullmatch(text):
        try:
            return float(text)
        except (ValueError, OverflowError):  # pragma: no cover
            return None
    m = _ISO.fullmatch(text)
    if m is None:
        return None
    try:
        tz = m.group("tz")
        if tz is None or tz in ("Z", "z"):
            tzinfo = UTC
        else:
            sign = -1 if tz[0] == "-" else 1
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
            if hours > 23 or minutes > 59:
                return None
            tzinfo = timezone(sign * timedelta(hours=hours, minutes=minutes))
        frac = m.group("f")
        dt = datetime(
            int(m.group("y")),
            int(m.group("mo") or 1),
            int(m.group("d") or 1),
            int(m.group("h") or 0),
            int(m.group("mi") or 0),
            int(m.group("s") or 0),
            tzinfo=tzinfo,
        )
        return dt.timestamp() + (float(frac) if frac else 0.0)
    except (ValueError, OverflowError):
        return None


def _parse_network(text: str):
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _decode_b64(value: object) -> bytes | None:
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return None


# ------------------------------------------------------------------------ test builders
# Each builder takes the policy values (strings) and returns ``test(request_value) -> bool``
# that is true when the request value matches at least one policy value.

Test = Callable[[object], bool]


def _never(_value: object) -> bool:
    return False


def _build_string(values: list[str]) -> Test:
    allowed = frozenset(values)

    def test(value: object) -> bool:
        return (value if isinstance(value, str) else to_text(value)) in allowed

    return test


def _build_string_ic(values: list[str]) -> Test:
    allowed = frozenset(v.casefold() for v in values)

    def test(value: object) -> bool:
        return (value if isinstance(value, str) else to_text(value)).casefold() in allowed

    return test


def _build_like(values: list[str]) -> Test:
    globs = GlobSet(values)

    def test(value: object) -> bool:
        return globs.matches(value if isinstance(value, str) else to_text(value))

    return test


def _build_arn(values: list[str]) -> Test:
    arns = ArnSet(values)

    def test(value: object) -> bool:
        return arns.matches(value if isinstance(value, str) else to_text(value))

    return test


def _build_bool(values: list[str]) -> Test:
    allowed = frozenset(v.lower() for v in values)

    def test(value: object) -> bool:
        return to_text(value).lower() in allowed

    return test


def _build_binary(values: list[str]) -> Test:
    decoded = set()
    raw = set(values)
    for v in values:
        b = _decode_b64(v)
        if b is not None:
            decoded.add(b)

    def test(value: object) -> bool:
        b = _decode_b64(value)
        if b is not None and b in decoded:
            return True
        return isinstance(value, str) and value in raw

    return test


def _build_ip(values: list[str]) -> Test:
    networks = [n for n in (_parse_network(v) for v in values) if n is not None]

    def test(value: object) -> bool:
        text = to_text(value).strip()
        try:
            addr = ipaddress.ip_address(text)
        except ValueError:
            net = _parse_network(text)
            if net is None:
                return False
            return any(n.version == net.version and net.subnet_of(n) for n in networks)
        return any(n.version == addr.version and addr in n for n in networks)

    return test


def _build_numeric(cmp: str) -> Callable[[list[str]], Test]:
    def build(values: list[str]) -> Test:
        nums = [d for d in (to_decimal(v) for v in values) if d is not None]

        def test(value: object) -> bool:
            d = to_decimal(value)
            if d is None:
                return False
            return any(_compare(cmp, d, n) for n in nums)

        return test

    return build


def _build_date(cmp: str) -> Callable[[list[str]], Test]:
    def build(values: list[str]) -> Test:
        stamps = [t for t in (parse_date(v) for v in values) if t is not None]

        def test(value: object) -> bool:
            t = parse_date(value)
            if t is None:
                return False
            return any(_compare(cmp, t, s) for s in stamps)

        return test

    return build


def _compare(cmp: str, left, right) -> bool:
    if cmp == "eq":
        return left == right
    if cmp == "lt":
        return left < right
    if cmp == "le":
        return left <= right
    if cmp == "gt":
        return left > right
    return left >= right


BUILDERS: dict[str, Callable[[list[str]], Test]] = {
    "string": _build_string,
    "string_ic": _build_string_ic,
    "like": _build_like,
    "arn": _build_arn,
    "bool": _build_bool,
    "binary": _build_binary,
    "ip": _build_ip,
    "num_eq": _build_numeric("eq"),
    "num_lt": _build_numeric("lt"),
    "num_le": _build_numeric("le"),
    "num_gt": _build_numeric("gt"),
    "num_ge": _build_numeric("ge"),
    "date_eq": _build_date("eq"),
    "date_lt": _build_date("lt"),
    "date_le": _build_date("le"),
    "date_gt": _build_date("gt"),
    "date_ge": _build_date("ge"),
}


# --------------------------------------------------------------------------- condition


class Condition:
    """One ``"Operator": {"key": values}`` pair, compiled."""

    __slots__ = (
        "operator",
        "key",
        "key_lower",
        "family",
        "negated",
        "set_mode",
        "if_exists",
        "values",
        "test",
        "templates",
        "null_when_absent",
        "null_when_present",
    )

    def __init__(self, spec: OperatorSpec, key: str, values: list[str], allow_variables: bool):
        self.operator = spec.name
        self.key = key
        self.key_lower = key.lower()
        self.family = spec.family
        self.negated = spec.negated
        self.set_mode = spec.set_mode
        self.if_exists = spec.if_exists
        self.values = tuple(values)
        self.templates: list[tuple[str, object]] | None = None
        self.test: Test | None = None
        lowered = [v.strip().lower() for v in values]
        self.null_when_absent = "true" in lowered
        self.null_when_present = "false" in lowered
        if self.family == "null":
            return
        if allow_variables and self.family in VARIABLE_FAMILIES:
            templates = [(v, parse_template(v)) for v in values]
            if any(t is not None for _v, t in templates):
                self.templates = templates  # type: ignore[assignment]
                return
        self.test = BUILDERS[self.family](values)

    # -- evaluation

    def holds(self, lookup: Lookup, missing: list[str] | None) -> bool:
        raw = lookup(self.key, self.key_lower)
        absent = raw is None or (
            isinstance(raw, (list, tuple)) and len(raw) == 0 or (self.set_mode and raw == "")
        )
        if self.family == "null":
            return self.null_when_absent if absent else self.null_when_present
        if absent:
            if missing is not None and self.key not in missing:
                missing.append(self.key)
            if self.if_exists or self.set_mode == ALL_VALUES:
                return True
            if self.set_mode == ANY_VALUE:
                return False
            return self.negated
        test = self.test
        if test is None:
            test = self._resolved_test(lookup, missing)
            if test is None:
                return False  # an unresolvable variable: this condition cannot match
        values = raw if isinstance(raw, (list, tuple)) else (raw,)
        negated = self.negated
        if self.set_mode == 0:
            hit = False
            for v in values:
                if test(v):
                    hit = True
                    break
            return not hit if negated else hit
        if self.set_mode == ALL_VALUES:
            return all(test(v) != negated for v in values)
        return any(test(v) != negated for v in values)

    def _resolved_test(self, lookup: Lookup, missing: list[str] | None) -> Test | None:
        family = self.family
        plain: list[str] = []
        patterns: list[str] = []
        assert self.templates is not None
        for value, tokens in self.templates:
            if tokens is None:
                if family in ("like", "arn"):
                    patterns.append(_pattern_source(family, [(GLOB, value)]))
                else:
                    plain.append(value)
                continue
            parts = resolve(tokens, lookup, missing)
            if parts is None:
                continue
            if family in ("like", "arn"):
                patterns.append(_pattern_source(family, parts))
            else:
                plain.append("".join(text for _k, text in parts))
        if family in ("like", "arn"):
            if not patterns:
                return None
            rx = cached_regex("(?:" + ")|(?:".join(patterns) + ")")

            def test(value: object) -> bool:
                return rx.fullmatch(value if isinstance(value, str) else to_text(value)) is not None

            return test
        if not plain:
            return None
        return BUILDERS[family](plain)


def _pattern_source(family: str, parts: list[tuple[str, str]]) -> str:
    if family == "arn":
        return arn_regex_parts(parts)
    return "".join(glob_to_regex(text) if kind == GLOB else re.escape(text) for kind, text in parts)

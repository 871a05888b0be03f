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

from .patterns import ArnSet, GlobSet, arn_regex_parts, cached_regex, glob_regex_parts
from .variables import GLOB, Lookup, parse_template, resolve_values, substitute

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
# Each builder takes the policy values (strings) and returns ``test(request_value: str)``,
# true when the request value matches at least one policy value. Non-string request values
# (bools, numbers, bytes, datetimes) are turned into text with :func:`to_text` first.

Test = Callable[[str], bool]

_CACHE_MAX = 4096
_MISSING = object()
_ip_cache: dict[str, tuple[int, int, int] | None] = {}
_date_cache: dict[str, float | None] = {}


def _build_string(values: list[str]) -> Test:
    return frozenset(values).__contains__


def _build_string_ic(values: list[str]) -> Test:
    allowed = frozenset(v.casefold() for v in values)

    def test(value: str) -> bool:
        return value.casefold() in allowed

    return test


def _build_like(values: list[str]) -> Test:
    return GlobSet(values).matches


def _build_arn(values: list[str]) -> Test:
    return ArnSet(values).matches


def _build_bool(values: list[str]) -> Test:
    allowed = frozenset(v.lower() for v in values)

    def test(value: str) -> bool:
        return value.lower() in allowed

    return test


def _build_binary(values: list[str]) -> Test:
    decoded = set()
    raw = set(values)
    for v in values:
        b = _decode_b64(v)
        if b is not None:
            decoded.add(b)

    def test(value: str) -> bool:
        if value in raw:
            return True
        b = _decode_b64(value)
        return b is not None and b in decoded

    return test


def _parse_ip(text: str) -> tuple[int, int, int] | None:
    """``(version, low, high)`` for an address (low == high) or a network."""
    text = text.strip()
    try:
        addr = ipaddress.ip_address(text)
        n = int(addr)
        return addr.version, n, n
    except ValueError:
        net = _parse_network(text)
        if net is None:
            return None
        return net.version, int(net.network_address), int(net.broadcast_address)


def _build_ip(values: list[str]) -> Test:
    nets = []
    for v in values:
        n = _parse_network(v)
        if n is not None:
            nets.append((n.version, int(n.network_address), int(n.netmask)))
    nets_t = tuple(nets)

    def test(value: str) -> bool:
        parsed = _ip_cache.get(value, _MISSING)
        if parsed is _MISSING:
            parsed = _parse_ip(value)
            if len(_ip_cache) >= _CACHE_MAX:
                _ip_cache.clear()
            _ip_cache[value] = parsed
        if parsed is None:
            return False
        version, low, high = parsed  # type: ignore[misc]
        for nv, net, mask in nets_t:  # noqa: SIM110 - a plain loop is faster than any()
            if nv == version and low & mask == net and high & mask == net:
                return True
        return False

    return test


def _to_float(value: str) -> float | None:
    try:
        f = float(value)
    except (ValueError, OverflowError):
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def _cached_date(value: str) -> float | None:
    t = _date_cache.get(value, _MISSING)
    if t is _MISSING:
        t = parse_date(value)
        if len(_date_cache) >= _CACHE_MAX:
            _date_cache.clear()
        _date_cache[value] = t
    return t  # type: ignore[return-value]


_COMPARE = {
    "eq": float.__eq__,
    "lt": float.__lt__,
    "le": float.__le__,
    "gt": float.__gt__,
    "ge": float.__ge__,
}


def _build_compare(convert: Callable[[str], float | None], cmp: str) -> Callable[[list[str]], Test]:
    op = _COMPARE[cmp]

    def build(values: list[str]) -> Test:
        bounds = tuple(b for b in (convert(v) for v in values) if b is not None)

        def test(value: str) -> bool:
            x = convert(value)
            if x is None:
                return False
            for b in bounds:  # noqa: SIM110 - a plain loop is faster than any()
                if op(x, b):
                    return True
            return False

        return test

    return build


def _number(value: str) -> float | None:
    return _to_float(value.strip()) if value else None


def _date(value: str) -> float | None:
    t = _cached_date(value)
    return float(t) if t is not None else None


BUILDERS: dict[str, Callable[[list[str]], Test]] = {
    "string": _build_string,
    "string_ic": _build_string_ic,
    "like": _build_like,
    "arn": _build_arn,
    "bool": _build_bool,
    "binary": _build_binary,
    "ip": _build_ip,
    "num_eq": _build_compare(_number, "eq"),
    "num_lt": _build_compare(_number, "lt"),
    "num_le": _build_compare(_number, "le"),
    "num_gt": _build_compare(_number, "gt"),
    "num_ge": _build_compare(_number, "ge"),
    "date_eq": _build_compare(_date, "eq"),
    "date_lt": _build_compare(_date, "lt"),
    "date_le": _build_compare(_date, "le"),
    "date_gt": _build_compare(_date, "gt"),
    "date_ge": _build_compare(_date, "ge"),
}


# --------------------------------------------------------------------------- condition


class Condition:
    """One ``"Operator": {"key": values}`` pair, compiled.

    ``holds(ctx, lookup, missing)`` is a function specialised at compile time for the
    operator; ``ctx`` is the request's context dict (tried first, by exact key),
    ``lookup(key, key_lower)`` returns the request's value for a key in any case (or
    ``None``); absent keys are appended to ``missing``.
    """

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
        "holds",
        "_resolved",
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
        self._resolved: dict[tuple, Test | None] = {}
        lowered = [v.strip().lower() for v in values]
        self.null_when_absent = "true" in lowered
        self.null_when_present = "false" in lowered
        if self.family != "null":
            if allow_variables and self.family in VARIABLE_FAMILIES:
                templates = [(v, parse_template(v)) for v in values]
                if any(t is not None for _v, t in templates):
                    self.templates = templates  # type: ignore[assignment]
            if self.templates is None:
                self.test = BUILDERS[self.family](values)
        self.holds = self._specialise()

    def _specialise(self) -> Callable[[dict, Lookup, list[str] | None], bool]:
        key, key_lower, test, negated = self.key, self.key_lower, self.test, self.negated
        generic = self._holds_generic
        if self.family == "null" or self.set_mode:
            return generic
        absent_result = self.if_exists or negated
        resolved_test = self._resolved_test

        def holds(ctx: dict, lookup: Lookup, missing: list[str] | None) -> bool:
            raw = ctx.get(key)
            if raw is None:
                raw = lookup(key, key_lower)
                if raw is None:
                    if missing is not None and key not in missing:
                        missing.append(key)
                    return absent_result
            t = type(raw)
            if t is str:
                value = raw
            elif t is bool:
                value = "true" if raw else "false"
            else:
                return generic(ctx, lookup, missing)
            check = test
            if check is None:
                check = resolved_test(lookup, missing)
                if check is None:
                    return False
            return check(value) != negated

        return holds

    def _holds_generic(self, ctx: dict, lookup: Lookup, missing: list[str] | None) -> bool:
        raw = lookup(self.key, self.key_lower)
        absent = raw is None or (
            isinstance(raw, (list, tuple, set, frozenset)) and len(raw) == 0 or (self.set_mode and raw == "")
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
        if isinstance(raw, (list, tuple, set, frozenset)):
            values = [v if type(v) is str else to_text(v) for v in raw]
        else:
            values = [raw if type(raw) is str else to_text(raw)]
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
        """Substitute the policy variables of the values, then build (and cache) the test.

        A value whose variable cannot be resolved is dropped; with no value left the
        condition cannot match.
        """
        templates = self.templates
        assert templates is not None
        key: list[tuple[str, ...] | None] = []
        for _value, tokens in templates:
            if tokens is not None:
                key.append(resolve_values(tokens, lookup, missing))
        cache_key = tuple(key)
        cache = self._resolved
        test = cache.get(cache_key, _MISSING)
        if test is _MISSING:
            items: list[list[tuple[str, str]]] = []
            it = iter(cache_key)
            for value, tokens in templates:
                if tokens is None:
                    items.append([(GLOB, value)])
                    continue
                values = next(it)
                if values is not None:
                    items.append(substitute(tokens, values))
            test = self._build_resolved(items)
            if len(cache) >= 256:
                cache.clear()
            cache[cache_key] = test
        return test  # type: ignore[return-value]

    def _build_resolved(self, items: list[list[tuple[str, str]]]) -> Test | None:
        if not items:
            return None
        family = self.family
        if family in ("like", "arn"):
            rx = cached_regex("(?:" + ")|(?:".join(_pattern_source(family, parts) for parts in items) + ")")

            def test(value: str) -> bool:
                return rx.fullmatch(value) is not None

            return test
        return BUILDERS[family](["".join(text for _k, text in parts) for parts in items])


def _pattern_source(family: str, parts: list[tuple[str, str]]) -> str:
    if family == "arn":
        return arn_regex_parts(parts)
    return glob_regex_parts(parts)

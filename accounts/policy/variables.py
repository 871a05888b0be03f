"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``, ``${*}``...

Only documents with ``"Version": "2012-10-17"`` substitute variables; in ``2008-10-17`` (or
with no Version) the text is literal (UG reference_policies_variables). A template is parsed
once at compile time into tokens; at evaluation time each variable is looked up in the
request context (case-insensitively, single-valued keys only) and replaced. A value that
comes from a variable is always literal: a ``*`` in a user name, or ``${*}``, never acts as a
wildcard. A variable with no value and no default cannot be resolved, and the ARN or
condition value that contains it then matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_VAR = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"\s*'((?:[^']|'')*)'\s*")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}

# token kinds
GLOB = "glob"  # policy text: wildcards keep their meaning
LIT = "lit"  # literal text (escape sequences)
VAR = "var"  # (VAR, key_lower, key, default or None)

UNRESOLVED = object()

Lookup = Callable[[str, str], object]


class Variable:
    __slots__ = ("key", "key_lower", "default")

    def __init__(self, key: str, default: str | None):
        self.key = key
        self.key_lower = key.lower()
        self.default = default


def parse_template(text: str) -> list[tuple[str, object]] | None:
    """Tokens for ``text``, or ``None`` when it has no (well-formed) variable."""
    if "${" not in text:
        return None
    tokens: list[tuple[str, object]] = []
    pos = 0
    found = False
    # Search no further than the last "}": a "${" after it cannot close, and each such
    # attempt would scan to the end of the text (quadratic for "${${${...").
    for m in _VAR.finditer(text, 0, text.rfind("}") + 1):
        inner = m.group(1)
        token = _parse_inner(inner)
        if token is None:
            continue  # malformed: left as literal text
        found = True
        if m.start() > pos:
            tokens.append((GLOB, text[pos : m.start()]))
        tokens.append(token)
        pos = m.end()
    if not found:
        return None
    if pos < len(text):
        tokens.append((GLOB, text[pos:]))
    return tokens


def _parse_inner(inner: str) -> tuple[str, object] | None:
    stripped = inner.strip()
    if stripped in _SPECIAL:
        return (LIT, _SPECIAL[stripped])
    if "," in stripped:
        key, rest = stripped.split(",", 1)
        key = key.strip()
        m = _DEFAULT.fullmatch(rest)
        if m is None:
            return None
        default: str | None = m.group(1).replace("''", "'")
    else:
        key, default = stripped, None
    if not key or any(c.isspace() for c in key) or "${" in key or "'" in key:
        return None
    return (VAR, Variable(key, default))


def scalar_text(value: object) -> object:
    """The single string a context value stands for, or ``UNRESOLVED``."""
    if type(value) is str:
        return value
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            return UNRESOLVED
        value = value[0]
    if value is None:
        return UNRESOLVED
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def variable_value(var: Variable, lookup: Lookup, missing: list[str] | None) -> str | None:
    """The text a variable stands for in this request (its default if absent), or ``None``."""
    raw = lookup(var.key, var.key_lower)
    text = UNRESOLVED if raw is None else scalar_text(raw)
    if text is UNRESOLVED:
        if var.default is None:
            if missing is not None and raw is None and var.key not in missing:
                missing.append(var.key)
            return None
        return var.default
    return text  # type: ignore[return-value]


def resolve_values(
    tokens: list[tuple[str, object]], lookup: Lookup, missing: list[str] | None
) -> tuple[str, ...] | None:
    """The texts of the template's variables, in order, or ``None`` if one is unresolvable."""
    out = []
    for kind, payload in tokens:
        if kind == VAR:
            text = variable_value(payload, lookup, missing)  # type: ignore[arg-type]
            if text is None:
                return None
            out.append(text)
    return tuple(out)


def substitute(tokens: list[tuple[str, object]], values: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(GLOB|LIT, text)`` tokens with the variables replaced by ``values`` (literal)."""
    out: list[tuple[str, str]] = []
    it = iter(values)
    for kind, payload in tokens:
        if kind == VAR:
            out.append((LIT, next(it)))
        else:
            out.append((kind, payload))  # type: ignore[arg-type]
    return out

"""Wildcard matching for actions, ARNs and strings, compiled once and cached.

* Actions (``Action``/``NotAction``): case-insensitive, ``*`` = any run of characters,
  ``?`` = exactly one character, matched against the whole ``service:Action`` string.
* ARNs (``Resource``/``NotResource``, ``ArnLike``...): case-sensitive and matched segment by
  segment (UG reference_policies_elements_resource and the ARN condition operators): the
  pattern is split on its first five colons; in the first five segments a wildcard stays
  inside its segment (it never crosses a ``:``), in the sixth (resource) segment ``*``
  matches anything including ``/`` and ``:``. When the pattern has fewer than six segments
  and its last segment ends with ``*``, that final ``*`` expands past the colons ("If the
  ``*`` is the last character of a resource ARN segment, it can expand to match beyond the
  colon boundaries"), so ``arn:aws:s3:*`` matches every S3 ARN.
* ``StringLike``: case-sensitive, ``*`` and ``?`` over the whole string.

Each pattern compiles to the cheapest test that is exact: equality, ``startswith`` for a
single trailing ``*``, or an anchored regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Matcher = Callable[[str], bool]

_CACHE_MAX = 8192
_regex_cache: dict[str, re.Pattern[str]] = {}


def cached_regex(source: str) -> re.Pattern[str]:
    """``re.compile`` with a bounded process-wide cache (DOTALL: ``*`` matches newlines)."""
    rx = _regex_cache.get(source)
    if rx is None:
        if len(_regex_cache) >= _CACHE_MAX:
            _regex_cache.clear()
        rx = _regex_cache[source] = re.compile(source, re.DOTALL)
    return rx


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def glob_to_regex(pattern: str) -> str:
    """Regex source (unanchored) for a ``*``/``?`` glob over the whole string."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _always(_value: str) -> bool:
    return True


# ----------------------------------------------------------------------------- actions


class ActionPattern:
    """One ``Action`` entry. ``matches`` expects the request action already lower-cased."""

    __slots__ = ("text", "lower", "matches")

    def __init__(self, text: str):
        self.text = text
        self.lower = low = text.lower()
        if low == "*":
            self.matches: Matcher = _always
        elif not has_wildcard(low):
            self.matches = low.__eq__
        elif low.endswith("*") and not has_wildcard(low[:-1]):
            self.matches = _starts_with(low[:-1])
        else:
            rx = cached_regex(glob_to_regex(low))
            self.matches = _full_match(rx)


def _starts_with(prefix: str) -> Matcher:
    def test(value: str) -> bool:
        return value.startswith(prefix)

    return test


def _full_match(rx: re.Pattern[str]) -> Matcher:
    def test(value: str) -> bool:
        return rx.fullmatch(value) is not None

    return test


# --------------------------------------------------------------------------------- ARNs


def arn_regex_parts(tokens: list[tuple[str, str]]) -> str:
    """Regex source for an ARN pattern given as ``(kind, text)`` tokens.

    ``kind`` is ``"glob"`` for policy text (wildcards active) or ``"lit"`` for text that
    must match literally (a substituted policy variable, ``${*}``...). Segment positions
    are counted from the colons of the glob text only.
    """
    total_colons = sum(text.count(":") for kind, text in tokens if kind == "glob")
    short = total_colons < 5
    colons = 0
    out: list[str] = []
    # locate the final character of the pattern to apply the trailing-* expansion rule
    last_glob_index = -1
    for i, (kind, text) in enumerate(tokens):
        if text:
            last_glob_index = i if kind == "glob" else -1
    for i, (kind, text) in enumerate(tokens):
        if kind == "lit":
            out.append(re.escape(text))
            continue
        n = len(text)
        for j, ch in enumerate(text):
            if ch == ":":
                colons += 1
                out.append(":")
            elif ch == "*":
                if colons >= 5 or short and i == last_glob_index and j == n - 1:
                    out.append(".*")
                else:
                    out.append("[^:]*")
            elif ch == "?":
                out.append("." if colons >= 5 else "[^:]")
            else:
                out.append(re.escape(ch))
    return "".join(out)


def compile_arn(pattern: str) -> Matcher:
    """A matcher for one ARN pattern without policy variables."""
    if pattern == "*":
        return _always
    if not has_wildcard(pattern):
        return pattern.__eq__
    if pattern.endswith("*") and not has_wildcard(pattern[:-1]):
        # A lone trailing "*" always becomes ".*": either it sits in the resource segment
        # (after the fifth colon) or it ends a short pattern and so expands past colons.
        return _starts_with(pattern[:-1])
    rx = cached_regex(arn_regex_parts([("glob", pattern)]))
    return _full_match(rx)


class ArnSet:
    """Several ARN patterns (one ``Resource`` list) folded into one fast test."""

    __slots__ = ("any", "literals", "prefixes", "regex")

    def __init__(self, patterns: list[str]):
        self.any = "*" in patterns
        literals = set()
        prefixes = []
        regexes = []
        for p in patterns:
            if p == "*":
                continue
            if not has_wildcard(p):
                literals.add(p)
            elif p.endswith("*") and not has_wildcard(p[:-1]):
                prefixes.append(p[:-1])
            else:
                regexes.append(arn_regex_parts([("glob", p)]))
        self.literals = frozenset(literals)
        self.prefixes = tuple(prefixes)
        self.regex = cached_regex("(?:" + ")|(?:".join(regexes) + ")") if regexes else None

    def matches(self, value: str | None) -> bool:
        if self.any:
            return True
        if value is None:
            return False
        if value in self.literals:
            return True
        if self.prefixes and value.startswith(self.prefixes):
            return True
        return self.regex is not None and self.regex.fullmatch(value) is not None

    def matcher(self) -> Callable[[str | None], bool]:
        """``matches`` specialised for the kinds of patterns present (fewer steps per call)."""
        if self.any:
            return _always
        literals, prefixes, regex = self.literals, self.prefixes, self.regex
        if not prefixes and regex is None:
            return literals.__contains__  # None is never a member
        if not literals and regex is None:

            def starts(value: str | None) -> bool:
                return value is not None and value.startswith(prefixes)

            return starts
        if not literals and not prefixes and regex is not None:
            fullmatch = regex.fullmatch

            def full(value: str | None) -> bool:
                return value is not None and fullmatch(value) is not None

            return full
        return self.matches


class GlobSet:
    """Several ``StringLike`` patterns folded into one test (case-sensitive)."""

    __slots__ = ("literals", "regex")

    def __init__(self, patterns: list[str]):
        literals = set()
        regexes = []
        for p in patterns:
            if has_wildcard(p):
                regexes.append(glob_to_regex(p))
            else:
                literals.add(p)
        self.literals = frozenset(literals)
        self.regex = cached_regex("(?:" + ")|(?:".join(regexes) + ")") if regexes else None

    def matches(self, value: str) -> bool:
        if value in self.literals:
            return True
        return self.regex is not None and self.regex.fullmatch(value) is not None

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

The regular expressions never backtrack catastrophically: matching takes at most
O(pattern length × input length) time, whatever the pattern (policy text is
attacker-controlled: the simulator takes any document). A naive translation (``*`` -> ``.*``) makes ``re`` try every
way of sharing the input among the stars, exponential in their number. Here the text between
two stars (a *piece*: literals and single-character wildcards, fixed length) is matched by
``(?>.*?piece)``: the leftmost occurrence, inside an atomic group, so ``re`` never comes back
to try a later one; only the last piece is free to move (``.*piece`` then the end of input).
Taking the leftmost occurrence of every piece loses no match (the next star can swallow
whatever a later occurrence would have skipped), which holds for ARN patterns too: a star that
must not cross a colon is followed either by a piece holding a colon (whose place is then
fixed by the next colon of the input) or by a colon-free piece (so what the next star has to
swallow is colon-free as well), and once a star may cross colons every later one may too.
Where only one place can lead to a match, the piece goes without a group (see
:func:`linear_regex`): the common ARN patterns keep the plain regexes they always had.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

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


# ------------------------------------------------------------------ linear-time regexes


class _Star:
    """A ``*`` of a pattern: ``cls`` is the regex class of what it may swallow."""

    __slots__ = ("cls",)

    def __init__(self, cls: str):
        self.cls = cls


ANY_STAR = _Star(".")  # crosses everything
SEGMENT_STAR = _Star("[^:]")  # stays inside an ARN segment

Atom = str | _Star  # a regex for fixed text (one character or a literal run), or a star


def linear_regex(atoms: Iterable[Atom]) -> str:
    """Regex source (for ``fullmatch``) of a pattern given as atoms; see the module notes.

    Consecutive stars collapse into one (the wider: ``[^:]*.*`` is ``.*``). Every piece
    between two stars is found at its leftmost place in an atomic group; the last star is
    an ordinary greedy one, followed by the last piece and the end of the input. Two pieces
    need no group, as only one place can lead to a match (the common ARN patterns then
    compile to the plain regexes they always had): one that follows a ``[^:]*`` and starts
    with a colon (``arn:aws:ec2:*:111122223333:instance/*``), and the last one when the
    pattern ends with a ``.*`` (``*prod*``).
    """
    pieces: list[list[str]] = [[]]
    stars: list[_Star] = []
    for atom in atoms:
        if isinstance(atom, _Star):
            if stars and not pieces[-1]:
                if atom is ANY_STAR:
                    stars[-1] = ANY_STAR
                continue
            stars.append(atom)
            pieces.append([])
        elif atom:
            pieces[-1].append(atom)
    out = ["".join(pieces[0])]
    last = len(stars) - 1
    ends_with_any_star = bool(stars) and stars[last] is ANY_STAR and not pieces[-1]
    for i, star in enumerate(stars):
        atoms_after = pieces[i + 1]
        piece = "".join(atoms_after)
        if i == last:
            plain = True
        elif star is SEGMENT_STAR and atoms_after[0].startswith(":"):
            plain = True  # [^:]* stops at the next colon: no other place to try
        else:
            plain = i == last - 1 and ends_with_any_star  # the first place found matches
        out.append(f"{star.cls}*{piece}" if plain else f"(?>{star.cls}*?{piece})")
    return "".join(out)


def _glob_atoms(tokens: Iterable[tuple[str, str]]) -> Iterable[Atom]:
    for kind, text in tokens:
        if kind != "glob":
            yield re.escape(text)  # one atom for the whole literal: it is never split
            continue
        for ch in text:
            if ch == "*":
                yield ANY_STAR
            elif ch == "?":
                yield "."
            else:
                yield re.escape(ch)


def glob_regex_parts(tokens: list[tuple[str, str]]) -> str:
    """Regex source for a ``*``/``?`` glob over the whole string given as ``(kind, text)``
    tokens: ``"glob"`` text has active wildcards, ``"lit"`` text (a substituted policy
    variable) matches literally."""
    return linear_regex(_glob_atoms(tokens))


def glob_to_regex(pattern: str) -> str:
    """Regex source (for ``fullmatch``) of a ``*``/``?`` glob over the whole string."""
    return linear_regex(_glob_atoms((("glob", pattern),)))


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


def _arn_atoms(tokens: list[tuple[str, str]]) -> Iterable[Atom]:
    total_colons = sum(text.count(":") for kind, text in tokens if kind == "glob")
    short = total_colons < 5
    # the final character of the pattern, for the trailing-* expansion rule
    last_glob_index = -1
    for i, (kind, text) in enumerate(tokens):
        if text:
            last_glob_index = i if kind == "glob" else -1
    colons = 0
    for i, (kind, text) in enumerate(tokens):
        if kind != "glob":
            yield re.escape(text)
            continue
        n = len(text)
        for j, ch in enumerate(text):
            if ch == ":":
                colons += 1
                yield ":"
            elif ch == "*":
                if colons >= 5 or short and i == last_glob_index and j == n - 1:
                    yield ANY_STAR
                else:
                    yield SEGMENT_STAR
            elif ch == "?":
                yield "." if colons >= 5 else "[^:]"
            else:
                yield re.escape(ch)


def arn_regex_parts(tokens: list[tuple[str, str]]) -> str:
    """Regex source (for ``fullmatch``) for an ARN pattern given as ``(kind, text)`` tokens.

    ``kind`` is ``"glob"`` for policy text (wildcards active) or ``"lit"`` for text that
    must match literally (a substituted policy variable, ``${*}``...). Segment positions
    are counted from the colons of the glob text only.
    """
    return linear_regex(_arn_atoms(tokens))


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

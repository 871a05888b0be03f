"""A strict JSON reader that remembers where every value is.

``json.loads`` forgets positions and silently keeps the last of duplicate keys. A policy
editor needs both: AWS reports statement positions (``StartPosition``/``EndPosition`` in
the simulator) and the policy grammar forbids repeating a key in one element. This reader
returns the plain Python value plus a parallel tree of :class:`Node` objects carrying
character offsets; :meth:`Source.line_col` turns an offset into a 1-based line and column.

It raises only :class:`JSONPositionError` (with an offset), never anything else.
"""

from __future__ import annotations

import bisect
import json
import re

MAX_DEPTH = 64

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')
_SIMPLE_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')
# A lone surrogate (from an escape such as "\ud800" with no partner, or in the text itself)
# is no character: no UTF-8 page, log or database can hold it (I-JSON, RFC 7493, refuses it).
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONPositionError(ValueError):
    def __init__(self, reason: str, offset: int):
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


class Node:
    """Where a value sits in the text: ``start`` and ``end`` offsets (end exclusive).

    Objects also have ``keys`` (key -> offset of the key's opening quote) and
    ``children`` (key -> Node); arrays have ``items`` (list of Node) and ``open_end``
    (the offset just after ``[``). Numbers keep their source text in ``raw``.
    """

    __slots__ = ("start", "end", "keys", "children", "items", "open_end", "raw")

    def __init__(self, start: int):
        self.start = start
        self.end = start
        self.keys: dict[str, int] | None = None
        self.children: dict[str, Node] | None = None
        self.items: list[Node] | None = None
        self.open_end = start
        self.raw: str | None = None


class Source:
    """The text being read, with offset -> (line, column) conversion."""

    def __init__(self, text: str):
        self.text = text
        self._line_starts: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            text = self.text
            i = text.find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = text.find("\n", i + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1


def loads(text: str) -> tuple[object, Node]:
    """Parse ``text``; return ``(value, node)``. Raises :class:`JSONPositionError`."""
    if (m := _SURROGATE.search(text)) is not None:
        raise JSONPositionError("Lone surrogate", m.start())
    reader = _Reader(text)
    pos = reader.skip_ws(0)
    value, node, pos = reader.value(pos, 0)
    pos = reader.skip_ws(pos)
    if pos != len(text):
        raise JSONPositionError("Extra data", pos)
    return value, node


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.n = len(text)

    def skip_ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def value(self, pos: int, depth: int) -> tuple[object, Node, int]:
        if pos >= self.n:
            raise JSONPositionError("Expecting value", pos)
        ch = self.text[pos]
        if ch == "{":
            return self.obj(pos, depth + 1)
        if ch == "[":
            return self.arr(pos, depth + 1)
        if ch == '"':
            s, end = self.string(pos)
            node = Node(pos)
            node.end = end
            return s, node, end
        node = Node(pos)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, pos):
                node.end = pos + len(word)
                return val, node, node.end
        m = _NUMBER.match(self.text, pos)
        if m is None:
            raise JSONPositionError("Expecting value", pos)
        raw = m.group(0)
        try:
            num: object = float(raw) if (m.group(1) or m.group(2)) else int(raw)
        except (ValueError, OverflowError):
            raise JSONPositionError("Number out of range", pos) from None
        node.end = m.end()
        node.raw = raw
        return num, node, node.end

    def string(self, pos: int) -> tuple[str, int]:
        m = _SIMPLE_STRING.match(self.text, pos)
        if m is not None:
            return m.group(1), m.end()
        m = _STRING.match(self.text, pos)
        if m is None:
            raise JSONPositionError("Invalid string", pos)
        try:
            value = json.loads(m.group(0))
        except ValueError:  # pragma: no cover - the regex admits only valid escapes
            raise JSONPositionError("Invalid string", pos) from None
        if _SURROGATE.search(value):  # json.loads joins pairs: what is left is unpaired
            raise JSONPositionError("Lone surrogate", pos)
        return value, m.end()

    def obj(self, pos: int, depth: int) -> tuple[dict, Node, int]:
        if depth > MAX_DEPTH:
            raise JSONPositionError("Too deeply nested", pos)
        node = Node(pos)
        node.keys = {}
        node.children = {}
        result: dict = {}
        pos = self.skip_ws(pos + 1)
        if pos < self.n and self.text[pos] == "}":
            node.end = pos + 1
            return result, node, node.end
        while True:
            if pos >= self.n or self.text[pos] != '"':
                raise JSONPositionError("Expecting property name enclosed in double quotes", pos)
            key_pos = pos
            key, pos = self.string(pos)
            if key in result:
                raise JSONPositionError(f"Duplicate key {key!r}", key_pos)
            pos = self.skip_ws(pos)
            if pos >= self.n or self.text[pos] != ":":
                raise JSONPositionError("Expecting ':' delimiter", pos)
            pos = self.skip_ws(pos + 1)
            val, child, pos = self.value(pos, depth)
            result[key] = val
            node.keys[key] = key_pos
            node.children[key] = child
            pos = self.skip_ws(pos)
            if pos < self.n and self.text[pos] == ",":
                pos = self.skip_ws(pos + 1)
                continue
            if pos < self.n and self.text[pos] == "}":
                node.end = pos + 1
                return result, node, node.end
            raise JSONPositionError("Expecting ',' delimiter", pos)

    def arr(self, pos: int, depth: int) -> tuple[list, Node, int]:
        if depth > MAX_DEPTH:
            raise JSONPositionError("Too deeply nested", pos)
        node = Node(pos)
        node.items = []
        node.open_end = pos + 1
        result: list = []
        pos = self.skip_ws(pos + 1)
        if pos < self.n and self.text[pos] == "]":
            node.end = pos + 1
            return result, node, node.end
        while True:
            val, child, pos = self.value(pos, depth)
            result.append(val)
            node.items.append(child)
            pos = self.skip_ws(pos)
            if pos < self.n and self.text[pos] == ",":
                pos = self.skip_ws(pos + 1)
                continue
            if pos < self.n and self.text[pos] == "]":
                node.end = pos + 1
                return result, node, node.end
            raise JSONPositionError("Expecting ',' delimiter", pos)

"""EC2's ``Filter.N.Name`` / ``Filter.N.Value.M`` and its paging (``MaxResults`` / ``NextToken``).

A filter matches when any of its values matches (values may hold ``*`` and ``?`` wildcards,
case-sensitive); all filters must match. Values are matched here in linear time, never as
database regular expressions. The next token is signed, so a forged one is refused.
"""

from __future__ import annotations

from django.core import signing

from ..errors import InvalidFilter, InvalidPaginationToken, InvalidParameterCombination, InvalidParameterValue

MAX_FILTER_VALUES = 200
MAX_VALUE_LENGTH = 1024
_TOKEN_SALT = "ec2.next-token"


def glob_match(pattern: str, text: str) -> bool:
    """``*`` (any run) and ``?`` (one character) matching, greedy with backtracking to the last
    star only: O(len(pattern) * len(text)) at worst, never exponential."""
    p = t = 0
    star = -1
    mark = 0
    while t < len(text):
        if p < len(pattern) and (pattern[p] == "?" or pattern[p] == text[t]):
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, t
            p += 1
        elif star != -1:
            p = star + 1
            mark += 1
            t = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def parse_filters(filters, known: dict) -> list[tuple[object, list[str]]]:
    """``[{"Name": …, "Values": […]}]`` → ``[(getter, values)]`` with ``known`` mapping a
    filter name to ``getter(item) -> list of strings`` (``tag:<key>`` is handled by the
    ``"tag:"`` entry, which gets the key). An unknown name is InvalidParameterValue."""
    out = []
    for item in filters or ():
        name = item.get("Name")
        values = list(item.get("Values") or ())
        if not name:
            raise InvalidFilter("The filter 'null' is invalid")
        if len(values) > MAX_FILTER_VALUES or any(len(v) > MAX_VALUE_LENGTH for v in values):
            raise InvalidParameterValue(f"The filter '{name[:128]}' has too many or too long values")
        if name.startswith("tag:") and "tag:" in known:
            key = name[4:]
            out.append((lambda obj, key=key, get=known["tag:"]: get(obj, key), values))
            continue
        getter = known.get(name)
        if getter is None:
            raise InvalidParameterValue(f"The filter '{name[:128]}' is invalid")
        out.append((getter, values))
    return out


def matches(obj, parsed) -> bool:
    for getter, values in parsed:
        found = getter(obj)
        if not any(glob_match(v, f) for v in values for f in found):
            return False
    return True


def check_paging(
    max_results, next_token, *, ids_given: bool, ids_parameter: str, lo: int = 5, hi: int = 1000
):
    """The page size and the position after which the page starts (None: the beginning)."""
    if max_results is not None:
        if ids_given:
            raise InvalidParameterCombination(
                f"The parameter {ids_parameter} cannot be used with the parameter maxResults"
            )
        if not lo <= max_results <= hi:
            raise InvalidParameterValue(
                f"Value ( {max_results} ) for parameter maxResults is invalid. "
                f"Expecting a value between {lo} and {hi}."
            )
    after = None
    if next_token:
        try:
            after = signing.loads(next_token, salt=_TOKEN_SALT)
        except signing.BadSignature:
            raise InvalidPaginationToken(f"Invalid pagination token: {next_token[:64]}") from None
    return max_results, after


def next_token_for(position) -> str:
    return signing.dumps(position, salt=_TOKEN_SALT)


def page(rows, key, max_results, after):
    """``(rows of the page, next token)`` of ``rows`` (sorted by ``key``) after ``after``."""
    if after is not None:
        rows = [r for r in rows if key(r) > after]
    if max_results is None or len(rows) <= max_results:
        return rows, None
    rows = rows[:max_results]
    return rows, next_token_for(key(rows[-1]))

"""AWS's list paging: ``Marker`` / ``MaxItems`` in, ``IsTruncated`` / ``Marker`` out.

A list is ordered by a key that is unique inside the account (an entity's lower-case name,
which the unique constraints index); the marker is that key of the last item returned,
wrapped so that callers treat it as opaque, as AWS's are.
"""

import base64
import binascii

from ..errors import ValidationError
from ..shapes import Page

DEFAULT_MAX_ITEMS = 100
MAX_ITEMS = 1000
_PREFIX = "v1:"


def encode_marker(key: str) -> str:
    return base64.urlsafe_b64encode((_PREFIX + key).encode()).decode()


def decode_marker(marker: str) -> str:
    try:
        text = base64.urlsafe_b64decode(marker.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX):
        raise ValidationError("Invalid Marker.")
    return text[len(_PREFIX) :]


def check_max_items(max_items) -> int:
    if max_items is None:
        return DEFAULT_MAX_ITEMS
    if isinstance(max_items, bool) or not isinstance(max_items, int) or not 1 <= max_items <= MAX_ITEMS:
        bound = (
            "greater than or equal to 1"
            if isinstance(max_items, int) and max_items < 1
            else (f"less than or equal to {MAX_ITEMS}")
        )
        raise ValidationError(
            f"1 validation error detected: Value '{max_items}' at 'maxItems' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )
    return max_items


def paginate(qs, *, key: str, marker: str | None, max_items: int | None, convert=None) -> Page:
    """One page of ``qs`` ordered by the annotated unique ``key`` (one query).

    ``convert`` turns each row into the shape returned (the rows themselves by default)."""
    limit = check_max_items(max_items)
    if marker:
        qs = qs.filter(**{f"{key}__gt": decode_marker(marker)})
    rows = list(qs.order_by(key)[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    next_marker = encode_marker(getattr(rows[-1], key)) if truncated else None
    items = [convert(r) for r in rows] if convert else rows
    return Page(items=items, is_truncated=truncated, marker=next_marker)


def every_page(list_fn, *args, **kwargs) -> list:
    """All items of a paged service call, page after page (the console's full lists)."""
    items: list = []
    marker = None
    while True:
        page = list_fn(*args, marker=marker, max_items=MAX_ITEMS, **kwargs)
        items.extend(page.items)
        if not page.is_truncated:
            return items
        marker = page.marker

"""The console's tables: one page of a list, filtered by a search text and sorted by a column,
on the server (AWS's console tables page, sort and filter; with 5,000 users a page must not
carry them all).

A ``search_*`` service (``users.search_users``…) authorizes its List action and calls
:func:`table_page` with its queryset, the columns it may sort by and the fields the search
text looks in. Four queries whatever the number of rows: the count of all, the count of the
matches (only when filtering), the page's keys and the page's rows (plus what they prefetch).
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Q

T = TypeVar("T")

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
QUERY_MAX = 128  # a longer search text names nothing (and a huge LIKE pattern breaks SQLite)


@dataclass(frozen=True)
class TablePage(Generic[T]):
    items: list[T]
    total: int  # rows in the list before filtering
    matches: int  # rows the search text matches
    page: int  # 1-based
    page_size: int
    sort: str
    descending: bool
    query: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.matches // self.page_size))

    @property
    def first_index(self) -> int:
        return 0 if not self.matches else (self.page - 1) * self.page_size + 1

    @property
    def last_index(self) -> int:
        return min(self.page * self.page_size, self.matches)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def clean_query(query: str | None) -> str:
    return (query or "").strip()[:QUERY_MAX]


def table_page(
    qs,
    *,
    query: str = "",
    search_fields: tuple[str, ...],
    sorts: dict[str, tuple[str, ...]],
    sort: str,
    descending: bool = False,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    convert=None,
    prepare=None,
    unique: str = "pk",
    sort_annotations: dict | None = None,
) -> TablePage:
    """One page of ``qs``: ``sorts`` maps a column name to the ORM fields that order it (a unique
    field breaks ties so that pages never overlap); an unknown ``sort`` falls back to the first
    column. ``sort_annotations`` maps a column to the aggregates its order needs (counted over
    the keys only, never for the totals). ``prepare`` adds what only the page needs (annotations a sort does not use,
    prefetches) to the page's query; ``convert`` turns the page's rows into the shapes returned."""
    query = clean_query(query)
    if sort not in sorts:
        sort = next(iter(sorts))
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    total = qs.count()
    filtered = qs
    if query:
        condition = Q()
        for field in search_fields:
            condition |= Q(**{f"{field}__icontains": query})
        filtered = qs.filter(condition)
        matches = filtered.count()
    else:
        matches = total
    pages = max(1, -(-matches // page_size))
    page = min(max(1, page), pages)
    prefix = "-" if descending else ""
    order = [prefix + field if not field.startswith("-") else field for field in sorts[sort]] + [
        prefix + unique
    ]
    # Two steps: the page's keys (the sort over all rows, nothing joined but what the sort
    # needs), then the page's rows with what only they need (``prepare``'s annotations and
    # prefetches) — annotating before the LIMIT would aggregate every row of the list.
    ordered = filtered
    if sort_annotations and sort in sort_annotations:
        ordered = filtered.values("pk").annotate(**sort_annotations[sort])  # GROUP BY the key alone
    window = slice((page - 1) * page_size, page * page_size)
    keys = list(ordered.order_by(*order).values_list("pk", flat=True)[window])
    page_qs = qs.model._default_manager.filter(pk__in=keys)
    page_qs = prepare(page_qs) if prepare else page_qs
    by_key = {row.pk: row for row in page_qs}
    rows = [by_key[k] for k in keys if k in by_key]
    items = [convert(r) for r in rows] if convert else rows
    return TablePage(items, total, matches, page, page_size, sort, descending, query)

"""The console's tables, the view's half: read the table's state from the query string (search
text, sort column and order, page, page size — the size is remembered in a cookie, as the
console's preferences are) and hand it to a ``search_*`` service."""

from dataclasses import dataclass
from urllib.parse import urlencode

from ..services.tables import DEFAULT_PAGE_SIZE, PAGE_SIZES, clean_query

PAGE_SIZE_COOKIE = "iam_table_page_size"


@dataclass(frozen=True)
class TableState:
    query: str
    sort: str
    descending: bool
    page: int
    page_size: int
    extra: dict  # other query parameters the page keeps (a type filter …)

    def kwargs(self) -> dict:
        """The service's keyword arguments."""
        return {
            "query": self.query,
            "sort": self.sort,
            "descending": self.descending,
            "page": self.page,
            "page_size": self.page_size,
        }

    def url(self, **changes) -> str:
        """The query string of this table with ``changes`` (``sort``, ``order``, ``page``, ``size``)."""
        params = {
            **self.extra,
            "q": self.query,
            "sort": self.sort,
            "order": "desc" if self.descending else "asc",
            "page": self.page,
            "size": self.page_size,
        }
        params.update(changes)
        return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def table_state(request, *, default_sort: str, keep=()) -> TableState:
    """The table's state from ``request.GET`` (and the page-size cookie)."""
    get = request.GET
    try:
        page = max(1, int(get.get("page", "1")))
    except ValueError:
        page = 1
    try:
        size = int(get.get("size") or request.COOKIES.get(PAGE_SIZE_COOKIE, DEFAULT_PAGE_SIZE))
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    if size not in PAGE_SIZES:
        size = DEFAULT_PAGE_SIZE
    return TableState(
        query=clean_query(get.get("q")),
        sort=get.get("sort") or default_sort,
        descending=get.get("order") == "desc",
        page=page,
        page_size=size,
        extra={k: get.get(k) for k in keep if get.get(k)},
    )


def remember_page_size(request, response, state: TableState):
    """Keep a page size chosen in the preferences for the next tables (a year)."""
    if request.GET.get("size") and str(state.page_size) != request.COOKIES.get(PAGE_SIZE_COOKIE):
        response.set_cookie(PAGE_SIZE_COOKIE, str(state.page_size), max_age=365 * 24 * 3600, samesite="Lax")
    return response

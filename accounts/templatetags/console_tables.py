"""Template tags of the console's server-side tables: sortable column headers and pages."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def sort_th(state, page, column: str, label: str):
    """A ``<th>`` whose link sorts the table by ``column`` (again: the other way round), with
    ``aria-sort`` for screen readers."""
    active = page.sort == column
    descending = active and not page.descending
    url = state.url(sort=column, order="desc" if descending else "asc", page=1)
    aria = ("descending" if page.descending else "ascending") if active else "none"
    icon = (
        ("bi-caret-down-fill" if page.descending else "bi-caret-up-fill") if active else "bi-chevron-expand"
    )
    return format_html(
        '<th scope="col" aria-sort="{}" data-column="{}"><a class="cs-sort" href="{}">{} <i class="bi {}" aria-hidden="true"></i></a></th>',
        aria,
        column,
        url,
        label,
        icon,
    )


@register.simple_tag
def page_url(state, number: int):
    return state.url(page=number)


@register.simple_tag
def size_url(state, size: int):
    return state.url(size=size, page=1)


@register.filter
def page_numbers(page):
    """The page numbers the pagination shows: the first, the last and two around the current."""
    pages = page.pages
    wanted = {1, pages, *range(page.page - 2, page.page + 3)}
    out, last = [], 0
    for n in sorted(x for x in wanted if 1 <= x <= pages):
        if n - last > 1:
            out.append(None)  # an ellipsis
        out.append(n)
        last = n
    return out

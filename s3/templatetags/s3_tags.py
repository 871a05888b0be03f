"""The S3 console's formats: object sizes as the console writes them (``11.0 B``, ``1.5 KB``)
and timestamps with their UTC offset (``December 1, 2026, 05:52:10 (UTC+00:00)``, in the page's
language)."""

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext

register = template.Library()
UNITS = ("B", "KB", "MB", "GB", "TB")


@register.filter
def s3_size(value) -> str:
    try:
        size = float(value)
    except (TypeError, ValueError):
        return "-"
    unit = 0
    while size >= 1024 and unit < len(UNITS) - 1:
        size /= 1024
        unit += 1
    return f"{size:.1f} {UNITS[unit]}"


@register.filter
def s3_date(value) -> str:
    if value is None:
        return "-"
    local = timezone.localtime(value)
    offset = local.strftime("%z")
    return gettext("%(month)s %(day)s, %(year)s, %(time)s (UTC%(offset)s)") % {
        "month": MONTHS[local.month],
        "day": local.day,
        "year": local.year,
        "time": f"{local:%H:%M:%S}",
        "offset": f"{offset[:3]}:{offset[3:]}",
    }


@register.filter
def s3_type(name) -> str:
    """The Type column: the name's extension, as the console shows it ("-" when none)."""
    text = str(name or "")
    if text.endswith("/"):
        return gettext("Folder")
    base = text.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1] if "." in base.strip(".") else "-"

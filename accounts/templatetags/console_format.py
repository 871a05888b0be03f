"""How the console writes times: AWS's "5 minutes ago" (one unit), "Now" for under a minute."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    """``value`` as the console's relative time: "Now", "5 minutes ago", "3 days ago"."""
    if not value:
        return "-"
    if timezone.now() - value < timedelta(minutes=1):
        return _("Now")
    return _("%(delta)s ago") % {"delta": timesince(value, depth=1)}


@register.filter
def age(value: datetime | None) -> str:
    """A password's or key's age, as the Users table writes it: "Today", "3 days"."""
    if not value:
        return "-"
    if timezone.now() - value < timedelta(days=1):
        return _("Today")
    return timesince(value, depth=1)

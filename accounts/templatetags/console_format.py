"""How the console writes times: AWS's "5 minutes ago" (one unit), "Now" for under a minute;
and the policy types the refusal explanations name, in the page's language."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# The engine's policy types (accounts.policy.evaluate: what denied a request), as the console
# names them in its explanations; AWS's AccessDenied message itself keeps the English.
POLICY_TYPES = {
    "identity-based policy": gettext_lazy("identity-based policy"),
    "service control policy": gettext_lazy("service control policy"),
    "permissions boundary": gettext_lazy("permissions boundary"),
    "session policy": gettext_lazy("session policy"),
    "resource-based policy": gettext_lazy("resource-based policy"),
    "role trust policy": gettext_lazy("role trust policy"),
}


@register.filter
def policy_type_label(value: str | None) -> str:
    """``"permissions boundary"`` in the page's language (unknown values as they are)."""
    return POLICY_TYPES.get(value, value or "")


@register.filter
def tile_parts(label) -> tuple[str, str]:
    """A radio tile's choice label "Title — what it does" as (title, description): the tile
    shows the title in bold and the description under it, as Cloudscape's tiles do."""
    title, _dash, description = str(label).partition(" — ")
    return title, description

"""The console's words for the labels the policy engine writes in English.

The policy summary (:mod:`accounts.policy.summary`) is pure Python: it writes AWS's English labels
("Full access", "Full: List, Read", "Limited: Write", "All resources", "Multiple", "None", the
sections "Explicit deny" and "Allow"). AWS's Korean console translates them ("전체 액세스",
"전체: 목록, 읽기", "제한: 쓰기"), so the console translates them here, at the view layer
(``views.policies.localized_summary`` and this filter), and the engine stays free of Django.
Anything else (an ARN, a condition ``key | operator | values``, a service name) passes through
unchanged.

    {% load policy_labels %}
    {{ part|summary_label }}   {{ row.resource|summary_label }}   {{ title|summary_label }}
"""

import re

from django import template
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..policy import summary as policy_summary

register = template.Library()

# AWS's five access levels; a context, because "List", "Read" and "Write" are common words
ACCESS_LEVELS = {
    policy_summary.LIST: pgettext_lazy("access level", "List"),
    policy_summary.READ: pgettext_lazy("access level", "Read"),
    policy_summary.WRITE: pgettext_lazy("access level", "Write"),
    policy_summary.PERMISSIONS: pgettext_lazy("access level", "Permissions management"),
    policy_summary.TAGGING: pgettext_lazy("access level", "Tagging"),
}

SUMMARY_LABELS = {
    policy_summary.FULL_ACCESS: _("Full access"),
    policy_summary.ALL_RESOURCES: _("All resources"),
    policy_summary.NO_CONDITION: _("None"),
    policy_summary.MULTIPLE: _("Multiple"),
    "Explicit deny": _("Explicit deny"),
    "Allow": _("Allow"),
    "Deny": _("Deny"),
}

_LEVEL_GROUP = re.compile(r"^(Full|Limited): (.+)$")
_EXCEPT_COUNT = re.compile(r"^All resources except (\d+) resources$")
_EXCEPT_ONE = re.compile(r"^All resources except (.+)$")


def _levels(text: str) -> str:
    return ", ".join(str(ACCESS_LEVELS.get(level, level)) for level in text.split(", "))


@register.filter
def summary_label(value) -> str:
    """A label of the policy summary in the active language (``Full: List, Read`` → ``전체: 목록,
    읽기``); a value the summary did not write as a label (an ARN, a condition) as it is."""
    text = "" if value is None else str(value)
    if text in SUMMARY_LABELS:
        return str(SUMMARY_LABELS[text])
    if text in ACCESS_LEVELS:
        return str(ACCESS_LEVELS[text])
    if m := _LEVEL_GROUP.match(text):
        levels = _levels(m.group(2))
        if m.group(1) == "Full":
            return pgettext("access level summary", "Full: %(levels)s") % {"levels": levels}
        return pgettext("access level summary", "Limited: %(levels)s") % {"levels": levels}
    if m := _EXCEPT_COUNT.match(text):
        count = int(m.group(1))
        return ngettext(
            "All resources except %(count)s resource", "All resources except %(count)s resources", count
        ) % {"count": count}
    if m := _EXCEPT_ONE.match(text):
        return gettext("All resources except %(resource)s") % {"resource": m.group(1)}
    return text

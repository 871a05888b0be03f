"""Navigation entries whose features land in later issues: an honest page, not a fake one."""

from django.shortcuts import render

# feature -> (title, what it will do); route one with
#   path("thing/", pending.pending_feature, {"feature": "thing"}, name="thing_list")
PENDING: dict[str, tuple[str, str]] = {}


def pending_feature(request, feature):
    title, what = PENDING[feature]
    return render(request, "console/pending.html", {"title": title, "what": what, "feature": feature})

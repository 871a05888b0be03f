"""Navigation entries whose features land in later issues: an honest page, not a fake one."""

from django.shortcuts import render

PENDING = {
    "roles": ("Roles", "IAM roles, trust policies and AssumeRole"),
}


def pending_feature(request, feature):
    title, what = PENDING[feature]
    return render(request, "console/pending.html", {"title": title, "what": what, "feature": feature})

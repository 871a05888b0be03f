"""The Tags tabs of users, roles and customer managed policies, and their *Manage tags* pages.

A Tags tab lists the resource's tags with ListUserTags / ListRoleTags / ListPolicyTags; a
caller who may not list them keeps the page and sees AWS's refusal inside the table (403), as
on the lists. *Manage tags* edits the tags as the Create user wizard's key/value rows (the same
field and script), and *Save changes* runs one console action (``services.manage_tags``):
Untag… and Tag… together, all or nothing; AWS's message goes in the form (4xx), a refusal
above it (403) with why.

The user's and role's Tags tabs have their own URLs (``users/<name>/tags/``); the policy's is
the policy page's ``?tab=tags`` (``views.policies.policy_detail``).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..errors import AccessDenied, IAMError
from ..forms.tags import ManageTagsForm
from ..services import manage_tags
from ..services import roles as role_services
from ..services import tags as tag_services
from ..services import users as user_services
from .base import form_failed, invalid, listed
from .policies import aws_managed_refusal, policy_url, with_policy
from .roles import session_duration_label, switch_role_link

TEMPLATE = "iam/tags_edit.html"


def tags_context(list_fn, edit_url: str, **kwargs) -> tuple[dict, int]:
    """The Tags tab's context (``tags``, ``tags_denied``, ``tags_edit_url``) and its status."""
    try:
        tags = list_fn(**kwargs).items
    except AccessDenied as exc:
        return {"tags": [], "tags_denied": exc, "tags_edit_url": edit_url}, 403
    return {"tags": tags, "tags_denied": None, "tags_edit_url": edit_url}, 200


def _manage(request, *, current_fn, save, context, done_url, noun):
    """Manage tags: the rows (the resource's tags), then Save changes (``save(tags)``)."""
    current = current_fn()
    # bound on every POST: a form whose rows were all removed posts nothing but the CSRF token
    form = ManageTagsForm(request.POST if request.method == "POST" else None, current=current)
    context = {**context, "form": form, "cancel_url": done_url}
    if request.method != "POST":
        return render(request, TEMPLATE, context)
    if not form.is_valid():
        return invalid(request, TEMPLATE, context)
    try:
        save(form.cleaned_data["tags"])
    except IAMError as exc:
        return form_failed(
            request, TEMPLATE, context, form, exc, None if isinstance(exc, AccessDenied) else "tags"
        )
    messages.success(request, _("Tags saved for %(resource)s.") % {"resource": noun})
    return redirect(done_url)


# --- users --------------------------------------------------------------------------------------


def user_tags(request, user_name):
    """The user page's Tags tab."""
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    groups, _refusal = listed(user_services.list_groups_for_user, actor, user_name=user.user_name)
    tags, status = tags_context(
        lambda **kw: tag_services.list_user_tags(actor, **kw),
        reverse("iam:user_tags_edit", args=[user.user_name]),
        user_name=user.user_name,
    )
    context = {"user": user, "groups": groups, "tab": "tags", **tags}
    return render(request, "iam/user_detail.html", context, status=status)


def user_tags_edit(request, user_name):
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    return _manage(
        request,
        current_fn=lambda: tag_services.list_user_tags(actor, user_name=user.user_name).items,
        save=lambda tags: manage_tags.console_manage_user_tags(actor, user_name=user.user_name, tags=tags),
        context={
            "subject": user.user_name,
            "kind": "user",
            "breadcrumbs": [
                (reverse("iam:user_list"), _("Users")),
                (reverse("iam:user_detail", args=[user.user_name]), user.user_name),
            ],
            "nav": "users",
        },
        done_url=reverse("iam:user_tags", args=[user.user_name]),
        noun=_("user %(name)s") % {"name": user.user_name},
    )


# --- roles --------------------------------------------------------------------------------------


def role_tags(request, role_name):
    """The role page's Tags tab."""
    actor = request.principal
    role = role_services.get_role(actor, role_name=role_name)
    tags, status = tags_context(
        lambda **kw: tag_services.list_role_tags(actor, **kw),
        reverse("iam:role_tags_edit", args=[role.role_name]),
        role_name=role.role_name,
    )
    context = {
        "role": role,
        "tab": "tags",
        "switch_role_link": switch_role_link(request, role),
        "session_duration_label": session_duration_label(role.max_session_duration),
        **tags,
    }
    return render(request, "iam/role_detail.html", context, status=status)


def role_tags_edit(request, role_name):
    actor = request.principal
    role = role_services.get_role(actor, role_name=role_name)
    return _manage(
        request,
        current_fn=lambda: tag_services.list_role_tags(actor, role_name=role.role_name).items,
        save=lambda tags: manage_tags.console_manage_role_tags(actor, role_name=role.role_name, tags=tags),
        context={
            "subject": role.role_name,
            "kind": "role",
            "breadcrumbs": [
                (reverse("iam:role_list"), _("Roles")),
                (reverse("iam:role_detail", args=[role.role_name]), role.role_name),
            ],
            "nav": "roles",
        },
        done_url=reverse("iam:role_tags", args=[role.role_name]),
        noun=_("role %(name)s") % {"name": role.role_name},
    )


# --- customer managed policies ------------------------------------------------------------------


@with_policy
def policy_tags_edit(request, policy):
    """Manage tags of a customer managed policy (AWS managed policies have no tags)."""
    actor = request.principal
    if policy.is_aws_managed:
        return aws_managed_refusal(
            request, policy, lambda: tag_services.tag_policy(actor, policy_arn=policy.arn, tags=[])
        )
    return _manage(
        request,
        current_fn=lambda: tag_services.list_policy_tags(actor, policy_arn=policy.arn).items,
        save=lambda tags: manage_tags.console_manage_policy_tags(actor, policy_arn=policy.arn, tags=tags),
        context={
            "subject": policy.policy_name,
            "kind": "policy",
            "breadcrumbs": [
                (reverse("iam:policy_list"), _("Policies")),
                (policy_url("policy_detail", policy), policy.policy_name),
            ],
            "nav": "policies",
        },
        done_url=policy_url("policy_detail", policy, tab="tags"),
        noun=_("policy %(name)s") % {"name": policy.policy_name},
    )

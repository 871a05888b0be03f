"""IAM user groups: list, create, view (members), add and remove users, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..errors import AccessDenied, IAMError
from ..forms.common import ConfirmDeleteForm, ConfirmWordForm
from ..forms.groups import ChooseUsersForm, CreateGroupForm
from ..services import groups as group_services
from ..services.paging import MAX_ITEMS
from ..services.tables import PAGE_SIZES
from .base import confirmed_delete, form_failed, invalid, refuse_unless
from .permissions import permissions_context
from .pickers import Picker, picker_context
from .tables import remember_page_size, table_state

GROUP_COLUMNS = [
    ("users", gettext_lazy("Users")),
    ("path", gettext_lazy("Path")),
    ("created", gettext_lazy("Creation time")),
]


def group_list(request):
    """User groups: AWS's table, paged, sorted and filtered on the server."""
    state = table_state(request, default_sort="group_name")
    context = {"state": state, "columns": GROUP_COLUMNS, "page_sizes": PAGE_SIZES}
    status = 200
    try:
        context["page"] = group_services.search_groups(request.principal, **state.kwargs())
    except AccessDenied as exc:
        context["denied"], status = exc, 403
    return remember_page_size(request, render(request, "iam/group_list.html", context, status=status), state)


def group_delete_many(request):
    """The User groups table's Delete: after typing "delete"; all or nothing."""
    refuse_unless(request.principal, "iam:DeleteGroup", "group", "*")
    names = list(dict.fromkeys((request.POST or request.GET).getlist("names")))[:100]
    if not names:
        return redirect("iam:group_list")
    form = ConfirmWordForm(request.POST or None)
    context = {"form": form, "names": names}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/group_delete_many.html", context)
        try:
            group_services.console_delete_groups(request.principal, group_names=names)
        except IAMError as exc:
            return form_failed(request, "iam/group_delete_many.html", context, form, exc)
        messages.success(request, _("%(count)s user group(s) deleted.") % {"count": len(names)})
        return redirect("iam:group_list")
    return render(request, "iam/group_delete_many.html", context)


def group_create(request):
    """Create user group: a name, users to add and policies to attach (both picked on the
    server). As in AWS, a caller who may not create groups is refused when it submits."""
    actor = request.principal
    form = CreateGroupForm(request.POST or None)
    chosen = request.POST if request.method == "POST" else {}
    users_picker = picker_context(
        request, Picker("users", "users", _("Users"), chosen=chosen.getlist("users") if chosen else [])
    )
    policies_picker = picker_context(
        request,
        Picker(
            "policies",
            "policy_arns",
            _("Permissions policies"),
            chosen=chosen.getlist("policy_arns") if chosen else [],
        ),
    )
    context = {"form": form, "users_picker": users_picker, "policies_picker": policies_picker}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/group_create.html", context)
        data = form.cleaned_data
        try:
            group = group_services.console_create_group(
                actor,
                group_name=data["group_name"],
                user_names=data["users"],
                policy_arns=data["policy_arns"],
            )
        except IAMError as exc:
            field = "group_name" if exc.code in {"EntityAlreadyExists", "ValidationError"} else None
            return form_failed(request, "iam/group_create.html", context, form, exc, field)
        messages.success(request, _("%(name)s user group created.") % {"name": group.group_name})
        return redirect("iam:group_detail", group_name=group.group_name)
    return render(request, "iam/group_create.html", context)


def _members(actor, group_name: str):
    """The group and all its members (GetGroup, page after page)."""
    group, page = group_services.get_group(actor, group_name=group_name, max_items=MAX_ITEMS)
    members = list(page.items)
    while page.is_truncated:
        _group, page = group_services.get_group(
            actor, group_name=group_name, marker=page.marker, max_items=MAX_ITEMS
        )
        members.extend(page.items)
    return group, members


def group_detail(request, group_name):
    actor = request.principal
    group, members = _members(actor, group_name)
    tab = "permissions" if request.GET.get("tab") == "permissions" else "users"
    context = {"group": group, "members": members, "tab": tab}
    if tab == "permissions":
        context.update(permissions_context(request, "group", group.group_name))
    return render(request, "iam/group_detail.html", context)


def group_add_users(request, group_name):
    actor = request.principal
    group, members = _members(actor, group_name)
    form = ChooseUsersForm(request.POST or None)
    chosen = request.POST.getlist("users") if request.method == "POST" else []
    users_picker = picker_context(request, Picker("users", "users", _("Users"), chosen=chosen))
    users_picker.attached = {u.user_name for u in members}
    context = {"form": form, "group": group, "users_picker": users_picker}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/group_add_users.html", context)
        try:
            group_services.console_add_users_to_group(
                actor, group_name=group.group_name, user_names=form.cleaned_data["users"]
            )
        except IAMError as exc:
            return form_failed(request, "iam/group_add_users.html", context, form, exc, "users")
        messages.success(request, _("Users added to %(name)s.") % {"name": group.group_name})
        return redirect("iam:group_detail", group_name=group.group_name)
    return render(request, "iam/group_add_users.html", context)


@require_POST
def group_remove_users(request, group_name):
    actor = request.principal
    group, _page = group_services.get_group(actor, group_name=group_name)
    names = request.POST.getlist("users")
    try:
        group_services.console_remove_users_from_group(actor, group_name=group.group_name, user_names=names)
    except IAMError as exc:
        if isinstance(exc, AccessDenied) or exc.status >= 500:
            raise
        # the group's Users tab again, with AWS's message and its 4xx (nothing was removed)
        messages.error(request, exc.message)
        group, members = _members(actor, group.group_name)
        context = {"group": group, "members": members, "tab": "users"}
        return render(request, "iam/group_detail.html", context, status=exc.status)
    if names:
        messages.success(
            request,
            _("%(count)s user(s) removed from %(name)s.") % {"count": len(names), "name": group.group_name},
        )
    return redirect(reverse("iam:group_detail", args=[group.group_name]))


def group_delete(request, group_name):
    actor = request.principal
    group, _page = group_services.get_group(actor, group_name=group_name)
    refuse_unless(actor, "iam:DeleteGroup", arn=group.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=group.group_name, noun=_("user group name"))
    return confirmed_delete(
        request,
        "iam/group_delete.html",
        {"form": form, "group": group},
        lambda: group_services.console_delete_group(actor, group_name=group.group_name),
        _("User group %(name)s deleted.") % {"name": group.group_name},
        "iam:group_list",
    )

"""IAM user groups: list, create, view (members), add and remove users, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..errors import AccessDenied, IAMError
from ..forms.common import ConfirmDeleteForm
from ..forms.groups import ChooseUsersForm, CreateGroupForm
from ..services import groups as group_services
from ..services import users as user_services
from ..services.paging import MAX_ITEMS, every_page
from .base import confirmed_delete, form_failed, invalid, listed, refuse_unless
from .permissions import permissions_context


def group_list(request):
    groups = every_page(group_services.list_groups, request.principal)
    return render(request, "iam/group_list.html", {"groups": groups})


def group_create(request):
    actor = request.principal
    refuse_unless(actor, "iam:CreateGroup", "group", "*")
    users, users_denied = listed(user_services.list_users, actor)
    form = CreateGroupForm(request.POST or None, user_names=[u.user_name for u in users])
    context = {"form": form, "users_denied": users_denied}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/group_create.html", context)
        data = form.cleaned_data
        try:
            group = group_services.console_create_group(
                actor, group_name=data["group_name"], user_names=data["users"]
            )
        except IAMError as exc:
            field = "group_name" if exc.code in {"EntityAlreadyExists", "ValidationError"} else "users"
            return form_failed(request, "iam/group_create.html", context, form, exc, field)
        messages.success(request, f"{group.group_name} user group created.")
        return redirect("iam:group_detail", group_name=group.group_name)
    return render(request, "iam/group_create.html", context)


def _members(actor, group_name: str):
    """The group and all its members (GetGroup, page after page)."""
    group, page = group_services.get_group(actor, group_name=group_name, max_items=MAX_ITEMS)
    members = list(page.items)
    while page.is_truncated:
        _, page = group_services.get_group(
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
    refuse_unless(actor, "iam:AddUserToGroup", arn=group.arn)
    current = {u.user_name for u in members}
    users = every_page(user_services.list_users, actor)
    form = ChooseUsersForm(
        request.POST or None, user_names=[u.user_name for u in users if u.user_name not in current]
    )
    context = {"form": form, "group": group}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/group_add_users.html", context)
        try:
            group_services.console_add_users_to_group(
                actor, group_name=group.group_name, user_names=form.cleaned_data["users"]
            )
        except IAMError as exc:
            return form_failed(request, "iam/group_add_users.html", context, form, exc, "users")
        messages.success(request, f"Users added to {group.group_name}.")
        return redirect("iam:group_detail", group_name=group.group_name)
    return render(request, "iam/group_add_users.html", context)


@require_POST
def group_remove_users(request, group_name):
    actor = request.principal
    group, _ = group_services.get_group(actor, group_name=group_name)
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
        messages.success(request, f"{len(names)} user(s) removed from {group.group_name}.")
    return redirect(reverse("iam:group_detail", args=[group.group_name]))


def group_delete(request, group_name):
    actor = request.principal
    group, _ = group_services.get_group(actor, group_name=group_name)
    refuse_unless(actor, "iam:DeleteGroup", arn=group.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=group.group_name, noun="user group name")
    return confirmed_delete(
        request,
        "iam/group_delete.html",
        {"form": form, "group": group},
        lambda: group_services.console_delete_group(actor, group_name=group.group_name),
        f"User group {group.group_name} deleted.",
        "iam:group_list",
    )

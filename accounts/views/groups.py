"""IAM user groups: list, create, view (members), add and remove users, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import authz
from ..errors import AccessDenied, IAMError
from ..forms import ChooseUsersForm, ConfirmDeleteForm, CreateGroupForm
from ..models import Identity
from ..services import groups as group_services
from ..services.lookups import group_arn
from .base import confirmed_delete, form_failed, invalid
from .policies import group_permissions_context


def _account_user_names(actor):
    return list(
        Identity.objects.iam_users()
        .filter(account_id=actor.account_id)
        .order_by("name")
        .values_list("name", flat=True)
    )


def group_list(request):
    groups = list(group_services.list_groups(request.user))
    return render(request, "iam/group_list.html", {"groups": groups})


def group_create(request):
    actor = request.user
    authz.authorize(actor, "iam:CreateGroup", group_arn(actor, "*"))
    form = CreateGroupForm(request.POST or None, user_names=_account_user_names(actor))
    context = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/group_create.html", context)
        data = form.cleaned_data
        try:
            group = group_services.console_create_group(
                actor, name=data["group_name"], user_names=data["users"]
            )
        except IAMError as exc:
            field = "group_name" if exc.code in {"EntityAlreadyExists", "ValidationError"} else "users"
            return form_failed(request, "iam/group_create.html", context, form, exc, field)
        messages.success(request, f"{group.name} user group created.")
        return redirect("iam:group_detail", group_name=group.name)
    return render(request, "iam/group_create.html", context)


def group_detail(request, group_name):
    actor = request.user
    group = group_services.get_group(actor, group_name=group_name)
    members = group_services.list_group_members(actor, group)
    tab = "permissions" if request.GET.get("tab") == "permissions" else "users"
    context = {"group": group, "members": members, "tab": tab}
    if tab == "permissions":
        context.update(group_permissions_context(request, group))
    return render(request, "iam/group_detail.html", context)


def group_add_users(request, group_name):
    actor = request.user
    group = group_services.get_group(actor, group_name=group_name)
    authz.authorize(actor, "iam:AddUserToGroup", group.arn)
    current = {u.name for u in group_services.list_group_members(actor, group)}
    form = ChooseUsersForm(
        request.POST or None, user_names=[n for n in _account_user_names(actor) if n not in current]
    )
    context = {"form": form, "group": group}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/group_add_users.html", context)
        try:
            group_services.console_add_users_to_group(
                actor, group_name=group.name, user_names=form.cleaned_data["users"]
            )
        except IAMError as exc:
            return form_failed(request, "iam/group_add_users.html", context, form, exc, "users")
        messages.success(request, f"Users added to {group.name}.")
        return redirect("iam:group_detail", group_name=group.name)
    return render(request, "iam/group_add_users.html", context)


@require_POST
def group_remove_users(request, group_name):
    actor = request.user
    group = group_services.get_group(actor, group_name=group_name)
    names = request.POST.getlist("users")
    try:
        group_services.console_remove_users_from_group(actor, group_name=group.name, user_names=names)
    except IAMError as exc:
        if isinstance(exc, AccessDenied) or exc.status >= 500:
            raise
        # the group's Users tab again, with AWS's message and its 4xx (nothing was removed)
        messages.error(request, exc.message)
        members = group_services.list_group_members(actor, group)
        context = {"group": group, "members": members, "tab": "users"}
        return render(request, "iam/group_detail.html", context, status=exc.status)
    if names:
        messages.success(request, f"{len(names)} user(s) removed from {group.name}.")
    return redirect(reverse("iam:group_detail", args=[group.name]))


def group_delete(request, group_name):
    actor = request.user
    group = group_services.get_group(actor, group_name=group_name)
    authz.authorize(actor, "iam:DeleteGroup", group.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=group.name, noun="user group name")
    return confirmed_delete(
        request,
        "iam/group_delete.html",
        {"form": form, "group": group},
        lambda: group_services.console_delete_group(actor, group_name=group.name),
        f"User group {group.name} deleted.",
        "iam:group_list",
    )

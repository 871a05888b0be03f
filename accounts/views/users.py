"""IAM users: list, create (with the Retrieve password step), view, console access, groups, delete."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import authz, downloads
from ..errors import IAMError
from ..forms import (
    ChooseGroupsForm,
    ConfirmDeleteForm,
    CreateUserForm,
    ManageConsoleAccessForm,
)
from ..models import Group
from ..services import access_keys as key_services
from ..services import groups as group_services
from ..services import mfa as mfa_services
from ..services import users as user_services
from ..services.lookups import group_arn, user_arn
from .base import confirmed_delete, form_failed, invalid, no_store, signin_url
from .policies import user_permissions_context


def _account_group_names(actor):
    return list(
        Group.objects.filter(account_id=actor.account_id).order_by("name").values_list("name", flat=True)
    )


def user_list(request):
    users = list(user_services.list_users(request.user))
    return render(request, "iam/user_list.html", {"users": users})


@sensitive_post_parameters("custom_password")
def user_create(request):
    actor = request.user
    authz.authorize(actor, "iam:CreateUser", user_arn(actor, "*"))
    form = CreateUserForm(request.POST or None, group_names=_account_group_names(actor))
    context = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/user_create.html", context)
        data = form.cleaned_data
        try:
            user, password = user_services.console_create_user(
                actor,
                name=data["user_name"],
                console_access=data["console_access"],
                custom_password=form.chosen_password(),
                password_reset_required=data["password_reset_required"],
                group_names=tuple(data["groups"]),
            )
        except IAMError as exc:
            field = {
                "EntityAlreadyExists": "user_name",
                "ValidationError": "user_name",
                "PasswordPolicyViolation": "custom_password",
            }.get(exc.code)
            return form_failed(request, "iam/user_create.html", context, form, exc, field)
        if password is None:
            messages.success(request, f"User {user.name} created successfully.")
            return redirect("iam:user_detail", user_name=user.name)
        return _retrieve_password(request, user, password, created=True)
    return render(request, "iam/user_create.html", context)


def _retrieve_password(request, user, password, *, created):
    """The Retrieve password step: the password shown once, its CSV downloadable once."""
    url = signin_url(request, user.account)
    token = downloads.stash(
        request,
        filename=f"{user.name}_credentials.csv",
        content=downloads.password_csv(user.name, password, url),
    )
    response = render(
        request,
        "iam/user_retrieve_password.html",
        {"user": user, "password": password, "signin_url": url, "download_token": token, "created": created},
    )
    return no_store(response)


@require_POST
def credentials_download(request, token):
    """The CSV of the latest Retrieve step, once; afterwards it is gone."""
    taken = downloads.take(request, token)
    if taken is None:
        raise Http404("This download is no longer available. Secrets are shown only once.")
    filename, content = taken
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


def user_detail(request, user_name):
    actor = request.user
    user = user_services.get_user(actor, user_name=user_name)
    groups = user_services.list_groups_for_user(actor, user)
    tab = request.GET.get("tab")
    if tab not in ("groups", "security_credentials"):
        tab = "permissions"
    context = {"user": user, "groups": groups, "tab": tab}
    if tab == "security_credentials":
        context.update(
            subject=user,
            base=reverse("iam:user_detail", args=[user.name]),
            mfa_devices=mfa_services.list_mfa_devices(actor, user),
            access_keys=key_services.list_access_keys(actor, user),
        )
    elif tab == "permissions":
        context.update(user_permissions_context(request, user))
    return render(request, "iam/user_detail.html", context)


def user_delete(request, user_name):
    actor = request.user
    user = user_services.get_user(actor, user_name=user_name)
    authz.authorize(actor, "iam:DeleteUser", user.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=user.name)
    return confirmed_delete(
        request,
        "iam/user_delete.html",
        {"form": form, "user": user},
        lambda: user_services.console_delete_user(actor, user_name=user.name),
        f"User {user.name} deleted.",
        "iam:user_list",
    )


@sensitive_post_parameters("custom_password")
def user_console_access(request, user_name):
    """Manage console access: enable (with a password), reset the password, or disable."""
    actor = request.user
    user = user_services.get_user(actor, user_name=user_name)
    action = "iam:UpdateLoginProfile" if user.has_login_profile else "iam:CreateLoginProfile"
    authz.authorize(actor, action, user.arn)
    form = ManageConsoleAccessForm(request.POST or None, has_login_profile=user.has_login_profile)
    context = {"form": form, "user": user}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/user_console_access.html", context)
        data = form.cleaned_data
        try:
            if data["console_access"] == ManageConsoleAccessForm.DISABLE:
                if user.has_login_profile:
                    user_services.delete_login_profile(actor, user_name=user.name)
                messages.success(request, f"Console access disabled for {user.name}.")
                return redirect("iam:user_detail", user_name=user.name)
            password = None
            if not user.has_login_profile:
                password = user_services.console_enable_access(
                    actor,
                    user_name=user.name,
                    custom_password=form.chosen_password(),
                    password_reset_required=data["password_reset_required"],
                )
            elif data.get("reset_password"):
                password = user_services.console_reset_password(
                    actor,
                    user_name=user.name,
                    custom_password=form.chosen_password(),
                    password_reset_required=data["password_reset_required"],
                )
            else:
                user_services.update_login_profile(
                    actor, user_name=user.name, password_reset_required=data["password_reset_required"]
                )
        except IAMError as exc:
            field = "custom_password" if exc.code == "PasswordPolicyViolation" else None
            return form_failed(request, "iam/user_console_access.html", context, form, exc, field)
        if password is None:
            messages.success(request, f"Console access updated for {user.name}.")
            return redirect("iam:user_detail", user_name=user.name)
        user.refresh_from_db()
        return _retrieve_password(request, user, password, created=False)
    return render(request, "iam/user_console_access.html", context)


def user_add_to_groups(request, user_name):
    actor = request.user
    user = user_services.get_user(actor, user_name=user_name)
    authz.authorize(actor, "iam:AddUserToGroup", group_arn(actor, "*"))
    current = {g.name for g in user_services.list_groups_for_user(actor, user)}
    choices = [n for n in _account_group_names(actor) if n not in current]
    form = ChooseGroupsForm(request.POST or None, group_names=choices)
    context = {"form": form, "user": user}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/user_add_to_groups.html", context)
        try:
            group_services.console_add_user_to_groups(
                actor, user_name=user.name, group_names=form.cleaned_data["groups"]
            )
        except IAMError as exc:
            return form_failed(request, "iam/user_add_to_groups.html", context, form, exc, "groups")
        messages.success(request, f"User {user.name} added to {len(form.cleaned_data['groups'])} group(s).")
        return redirect(reverse("iam:user_detail", args=[user.name]) + "?tab=groups")
    return render(request, "iam/user_add_to_groups.html", context)


@require_POST
def user_remove_from_group(request, user_name, group_name):
    actor = request.user
    user = user_services.get_user(actor, user_name=user_name)
    group_services.remove_user_from_group(actor, group_name=group_name, user_name=user.name)
    messages.success(request, f"User {user.name} removed from group {group_name}.")
    return redirect(reverse("iam:user_detail", args=[user.name]) + "?tab=groups")

"""IAM users: list, create (with the Retrieve password step), view, console access, groups, delete."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import downloads
from ..errors import AccessDenied, IAMError
from ..forms.common import ConfirmDeleteForm, ConfirmWordForm
from ..forms.users import ChooseGroupsForm, CreateUserForm, ManageConsoleAccessForm
from ..services import access_keys as key_services
from ..services import account as account_services
from ..services import groups as group_services
from ..services import mfa as mfa_services
from ..services import users as user_services
from ..services.paging import every_page
from ..services.tables import PAGE_SIZES
from .base import confirmed_delete, form_failed, invalid, no_store, refuse_unless, signin_url
from .permissions import permissions_context
from .tables import remember_page_size, table_state


def _group_names(actor) -> list[str]:
    return [g.group_name for g in every_page(group_services.list_groups, actor)]


USER_COLUMNS = [
    ("path", "Path"),
    ("groups", "Groups"),
    ("mfa", "MFA"),
    ("password_age", "Password age"),
    ("last_activity", "Console last sign-in"),
    ("access_keys", "Access key ID"),
    ("created", "Creation time"),
]


def user_list(request):
    """Users: AWS's table, paged, sorted and filtered on the server; a caller who may not list
    users keeps the page and sees AWS's refusal in the table."""
    state = table_state(request, default_sort="user_name")
    context = {"state": state, "columns": USER_COLUMNS, "page_sizes": PAGE_SIZES}
    status = 200
    try:
        context["page"] = user_services.search_users(request.principal, **state.kwargs())
    except AccessDenied as exc:
        context["denied"], status = exc, 403
    return remember_page_size(request, render(request, "iam/user_list.html", context, status=status), state)


def user_delete_many(request):
    """The Users table's Delete: the chosen users go with what hangs on them, after the caller
    types "delete"; all or nothing."""
    refuse_unless(request.principal, "iam:DeleteUser", "user", "*")
    names = list(dict.fromkeys((request.POST or request.GET).getlist("names")))[:100]
    if not names:
        return redirect("iam:user_list")
    form = ConfirmWordForm(request.POST or None)
    context = {"form": form, "names": names}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/user_delete_many.html", context)
        try:
            user_services.console_delete_users(request.principal, user_names=names)
        except IAMError as exc:
            return form_failed(request, "iam/user_delete_many.html", context, form, exc)
        messages.success(request, f"{len(names)} user(s) deleted.")
        return redirect("iam:user_list")
    return render(request, "iam/user_delete_many.html", context)


@sensitive_post_parameters("custom_password")
def user_create(request):
    actor = request.principal
    refuse_unless(actor, "iam:CreateUser", "user", "*")
    form = CreateUserForm(request.POST or None, group_names=_group_names(actor))
    context = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/user_create.html", context)
        data = form.cleaned_data
        try:
            user, password = user_services.console_create_user(
                actor,
                user_name=data["user_name"],
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
            messages.success(request, f"User {user.user_name} created successfully.")
            return redirect("iam:user_detail", user_name=user.user_name)
        return _retrieve_password(request, user, password, created=True)
    return render(request, "iam/user_create.html", context)


def _retrieve_password(request, user, password, *, created):
    """The Retrieve password step: the password shown once, its CSV downloadable once."""
    url = signin_url(request, account_services.describe_account(request.principal))
    token = downloads.stash(
        request,
        filename=f"{user.user_name}_credentials.csv",
        content=downloads.password_csv(user.user_name, password, url),
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
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    groups = every_page(user_services.list_groups_for_user, actor, user_name=user.user_name)
    tab = request.GET.get("tab")
    if tab not in ("groups", "security_credentials"):
        tab = "permissions"
    context = {"user": user, "groups": groups, "tab": tab}
    if tab == "security_credentials":
        context.update(
            subject=user,
            subject_is_root=False,
            base=reverse("iam:user_detail", args=[user.user_name]),
            signin_url=signin_url(request, account_services.describe_account(actor)),
            mfa_devices=mfa_services.list_mfa_devices(actor, user_name=user.user_name),
            access_keys=key_services.list_access_keys(actor, user_name=user.user_name),
        )
    elif tab == "permissions":
        context.update(permissions_context(request, "user", user.user_name))
    return render(request, "iam/user_detail.html", context)


def user_delete(request, user_name):
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    refuse_unless(actor, "iam:DeleteUser", arn=user.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=user.user_name)
    return confirmed_delete(
        request,
        "iam/user_delete.html",
        {"form": form, "user": user},
        lambda: user_services.console_delete_user(actor, user_name=user.user_name),
        f"User {user.user_name} deleted.",
        "iam:user_list",
    )


@sensitive_post_parameters("custom_password")
def user_console_access(request, user_name):
    """Manage console access: enable (with a password), reset the password, or disable."""
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    has_password = user.has_console_password
    refuse_unless(actor, "iam:UpdateLoginProfile" if has_password else "iam:CreateLoginProfile", arn=user.arn)
    form = ManageConsoleAccessForm(request.POST or None, has_login_profile=has_password)
    context = {"form": form, "user": user}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/user_console_access.html", context)
        data = form.cleaned_data
        name = user.user_name
        try:
            if data["console_access"] == ManageConsoleAccessForm.DISABLE:
                if has_password:
                    user_services.delete_login_profile(actor, user_name=name)
                messages.success(request, f"Console access disabled for {name}.")
                return redirect("iam:user_detail", user_name=name)
            password = None
            if not has_password:
                password = user_services.console_enable_access(
                    actor,
                    user_name=name,
                    custom_password=form.chosen_password(),
                    password_reset_required=data["password_reset_required"],
                )
            elif data.get("reset_password"):
                password = user_services.console_reset_password(
                    actor,
                    user_name=name,
                    custom_password=form.chosen_password(),
                    password_reset_required=data["password_reset_required"],
                )
            else:
                user_services.update_login_profile(
                    actor, user_name=name, password_reset_required=data["password_reset_required"]
                )
        except IAMError as exc:
            field = "custom_password" if exc.code == "PasswordPolicyViolation" else None
            return form_failed(request, "iam/user_console_access.html", context, form, exc, field)
        if password is None:
            messages.success(request, f"Console access updated for {name}.")
            return redirect("iam:user_detail", user_name=name)
        return _retrieve_password(
            request, user_services.get_user(actor, user_name=name), password, created=False
        )
    return render(request, "iam/user_console_access.html", context)


def user_add_to_groups(request, user_name):
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    refuse_unless(actor, "iam:AddUserToGroup", "group", "*")
    current = {
        g.group_name for g in every_page(user_services.list_groups_for_user, actor, user_name=user.user_name)
    }
    choices = [n for n in _group_names(actor) if n not in current]
    form = ChooseGroupsForm(request.POST or None, group_names=choices)
    context = {"form": form, "user": user}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/user_add_to_groups.html", context)
        try:
            group_services.console_add_user_to_groups(
                actor, user_name=user.user_name, group_names=form.cleaned_data["groups"]
            )
        except IAMError as exc:
            return form_failed(request, "iam/user_add_to_groups.html", context, form, exc, "groups")
        messages.success(
            request, f"User {user.user_name} added to {len(form.cleaned_data['groups'])} group(s)."
        )
        return redirect(reverse("iam:user_detail", args=[user.user_name]) + "?tab=groups")
    return render(request, "iam/user_add_to_groups.html", context)


@require_POST
def user_remove_from_group(request, user_name, group_name):
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    group_services.remove_user_from_group(actor, group_name=group_name, user_name=user.user_name)
    messages.success(request, f"User {user.user_name} removed from group {group_name}.")
    return redirect(reverse("iam:user_detail", args=[user.user_name]) + "?tab=groups")

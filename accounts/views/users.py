"""IAM users: list, create (with the Retrieve password step), view, console access, groups, delete."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from .pickers import Picker, picker_context
from .tables import remember_page_size, table_state

USER_COLUMNS = [
    ("path", gettext_lazy("Path")),
    ("groups", gettext_lazy("Groups")),
    ("mfa", "MFA"),
    ("password_age", gettext_lazy("Password age")),
    ("last_activity", gettext_lazy("Console last sign-in")),
    ("access_keys", gettext_lazy("Access key ID")),
    ("created", gettext_lazy("Creation time")),
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
        messages.success(request, _("%(count)s user(s) deleted.") % {"count": len(names)})
        return redirect("iam:user_list")
    return render(request, "iam/user_delete_many.html", context)


CREATE_FAILED_STEP = {"EntityAlreadyExists": 1, "ValidationError": 1, "PasswordPolicyViolation": 1}
CREATE_FAILED_FIELD = {
    "EntityAlreadyExists": "user_name",
    "ValidationError": "user_name",
    "PasswordPolicyViolation": "custom_password",
}


@sensitive_post_parameters("custom_password")
def user_create(request):
    """Create user, AWS's wizard: Specify user details → Set permissions → Review and create →
    Retrieve password. Each step posts the whole wizard (the other steps' fields travel as
    hidden inputs), so Back and Next keep what was typed; only Create user writes anything."""
    form = CreateUserForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return _wizard(request, form, 1)
    try:
        step = min(3, max(1, int(request.POST.get("step", "1"))))
    except ValueError:
        step = 1
    go = request.POST.get("go", "create")  # the browser names its button; a bare POST creates
    if go == "back":
        return _wizard(request, form, max(1, step - 1))
    if go in ("edit_1", "edit_2"):
        return _wizard(request, form, int(go[-1]))
    if go == "next" and step < 3:
        failed = form.first_step_with_errors(up_to=step)
        if failed:
            return _wizard(request, form, failed, status=400)
        return _wizard(request, form, step + 1)
    failed = form.first_step_with_errors()
    if failed:
        return _wizard(request, form, failed, status=400)
    try:
        user, password = user_services.console_create_user(request.principal, **form.request())
    except IAMError as exc:
        field = CREATE_FAILED_FIELD.get(exc.code)
        return _wizard(request, form, CREATE_FAILED_STEP.get(exc.code, 3), failure=(exc, field))
    if password is None:
        messages.success(request, _("User %(name)s created successfully.") % {"name": user.user_name})
        return redirect("iam:user_detail", user_name=user.user_name)
    return _retrieve_password(request, user, password, created=True)


def _wizard(request, form, step: int, *, status: int = 200, failure=None):
    """Render the Create user wizard at ``step`` (with AWS's error when ``failure`` is given)."""
    context = {
        "form": form,
        "step": step,
        "steps": CreateUserForm.STEP_TITLES,
        "hidden": form.hidden_values(step) if form.is_bound else [],
        "show_errors": status != 200 or failure is not None,
    }
    bound = form.is_bound
    value = (lambda name: form[name].value() or []) if bound else (lambda name: [])
    if step == 2:
        # only the chosen option's picker (and the boundary's, when used) is shown and searched
        option = (form["permissions_option"].value() if bound else None) or CreateUserForm.ADD_TO_GROUP
        use_boundary = bool(form["use_boundary"].value()) if bound else False
        context["groups_picker"] = picker_context(
            request,
            Picker("groups", "groups", _("User groups"), chosen=value("groups")),
            shown=option == CreateUserForm.ADD_TO_GROUP,
        )
        context["users_picker"] = picker_context(
            request,
            Picker("users", "copy_from", _("Users"), multiple=False, chosen=value("copy_from")),
            shown=option == CreateUserForm.COPY,
        )
        context["policies_picker"] = picker_context(
            request,
            Picker("policies", "policy_arns", _("Permissions policies"), chosen=value("policy_arns")),
            shown=option == CreateUserForm.ATTACH,
        )
        context["boundary_picker"] = picker_context(
            request,
            Picker(
                "policies",
                "boundary_arn",
                _("Permissions boundary policy"),
                multiple=False,
                chosen=value("boundary_arn"),
            ),
            shown=use_boundary,
        )
    if step == 3 and bound and form.is_valid():
        context["summary"] = _review(request, form)
    response = (
        form_failed(request, "iam/user_create.html", context, form, *failure)
        if failure
        else render(request, "iam/user_create.html", context, status=status)
    )
    return no_store(response)


def _review(request, form) -> dict:
    """Review and create: the user's details and a permissions summary (what it will get)."""
    request_args = form.request()
    group, group_use, policy_use = _("Group"), _("Permissions group"), _("Permissions policy")
    rows = [(name, group, group_use) for name in request_args["group_names"]]
    rows += [(_policy_name(arn), _policy_type(arn), policy_use) for arn in request_args["policy_arns"]]
    copied, refusal = None, None
    if request_args["copy_from_user"]:
        try:
            copied = user_services.copy_permissions_of(
                request.principal, user_name=request_args["copy_from_user"]
            )
        except IAMError as exc:
            refusal = exc
        else:
            rows += [(name, group, group_use) for name in copied.group_names]
            rows += [(_policy_name(a), _policy_type(a), policy_use) for a in copied.policy_arns]
            rows += [(name, _("Inline"), policy_use) for name, _document in copied.inline_policies]
    boundary = request_args["permissions_boundary"] or (copied.permissions_boundary if copied else None)
    if boundary:
        rows.append((_policy_name(boundary), _policy_type(boundary), _("Permissions boundary")))
    return {"request": request_args, "rows": rows, "copied": copied, "copy_refusal": refusal}


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _policy_type(arn: str) -> str:
    return _("AWS managed") if arn.startswith("arn:aws:iam::aws:") else _("Customer managed")


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
    """The CSV of the Retrieve step the learner is on (again on each click); gone once they leave."""
    taken = downloads.fetch(request, token)
    if taken is None:
        raise Http404(_("This download is no longer available. Secrets are shown only once."))
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
        _("User %(name)s deleted.") % {"name": user.user_name},
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
                messages.success(request, _("Console access disabled for %(name)s.") % {"name": name})
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
            messages.success(request, _("Console access updated for %(name)s.") % {"name": name})
            return redirect("iam:user_detail", user_name=name)
        return _retrieve_password(
            request, user_services.get_user(actor, user_name=name), password, created=False
        )
    return render(request, "iam/user_console_access.html", context)


def user_add_to_groups(request, user_name):
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    current = {
        g.group_name for g in every_page(user_services.list_groups_for_user, actor, user_name=user.user_name)
    }
    form = ChooseGroupsForm(request.POST or None)
    chosen = request.POST.getlist("groups") if request.method == "POST" else []
    groups_picker = picker_context(request, Picker("groups", "groups", _("User groups"), chosen=chosen))
    groups_picker.attached = current
    context = {"form": form, "user": user, "groups_picker": groups_picker, "current": current}
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
            request,
            _("User %(name)s added to %(count)s group(s).")
            % {"name": user.user_name, "count": len(form.cleaned_data["groups"])},
        )
        return redirect(reverse("iam:user_detail", args=[user.user_name]) + "?tab=groups")
    return render(request, "iam/user_add_to_groups.html", context)


@require_POST
def user_remove_from_group(request, user_name, group_name):
    actor = request.principal
    user = user_services.get_user(actor, user_name=user_name)
    group_services.remove_user_from_group(actor, group_name=group_name, user_name=user.user_name)
    messages.success(
        request,
        _("User %(name)s removed from group %(group)s.") % {"name": user.user_name, "group": group_name},
    )
    return redirect(reverse("iam:user_detail", args=[user.user_name]) + "?tab=groups")

"""IAM roles: list, create (the console's wizard on one page), view (Permissions, Trust
relationships), edit, edit the trust policy, delete.

Every read and write goes through ``accounts.services.roles`` (and ``services.policies`` for
the Permissions tab), which checks authorization; a form page also asks the gate up front for
the action its form performs, so that a caller who may not do it is refused before filling
it in.
"""

from urllib.parse import quote

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..errors import AccessDenied, IAMError, MalformedPolicyDocument
from ..forms.common import ConfirmDeleteForm, ConfirmWordForm
from ..forms.roles import CreateRoleForm, EditRoleForm, SessionDurationFields, TrustPolicyForm
from ..services import roles as role_services
from ..services.tables import PAGE_SIZES
from .base import confirmed_delete, console_base_url, form_failed, invalid, refuse_unless
from .permissions import permissions_context
from .pickers import Picker, picker_context
from .tables import remember_page_size, table_state

ROLE_COLUMNS = [
    ("trusted", gettext_lazy("Trusted entities")),
    ("description", gettext_lazy("Description")),
    ("last_activity", gettext_lazy("Last activity")),
    ("created", gettext_lazy("Creation time")),
]


# the engine's "Trusted entities" labels (AWS's English) → the page's language
_TRUSTED_KINDS = {
    "AWS Service": gettext_lazy("AWS Service: %(name)s"),
    "Account": gettext_lazy("Account: %(name)s"),
    "Identity Provider": gettext_lazy("Identity Provider: %(name)s"),
}


def trusted_entities(document: str) -> list[str]:
    """``AWS Service: ec2``, ``Account: 123456789012`` … in the page's language (the service,
    account or provider as it is)."""
    labels = []
    for label in role_services.trusted_entities(document):
        kind, _sep, name = label.partition(": ")
        labels.append(str(_TRUSTED_KINDS[kind]) % {"name": name} if kind in _TRUSTED_KINDS else label)
    return labels


def role_list(request):
    """Roles: AWS's table, paged, sorted and filtered on the server."""
    state = table_state(request, default_sort="role_name")
    context = {"state": state, "columns": ROLE_COLUMNS, "page_sizes": PAGE_SIZES}
    status = 200
    try:
        page = role_services.search_roles(request.principal, **state.kwargs())
    except AccessDenied as exc:
        context["denied"], status = exc, 403
    else:
        context["page"] = page
        context["rows"] = [(r, trusted_entities(r.assume_role_policy_document)) for r in page]
    return remember_page_size(request, render(request, "iam/role_list.html", context, status=status), state)


def role_delete_many(request):
    """The Roles table's Delete: after typing "delete"; all or nothing."""
    refuse_unless(request.principal, "iam:DeleteRole", "role", "*")
    names = list(dict.fromkeys((request.POST or request.GET).getlist("names")))[:100]
    if not names:
        return redirect("iam:role_list")
    form = ConfirmWordForm(request.POST or None)
    context = {"form": form, "names": names}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/role_delete_many.html", context)
        try:
            role_services.console_delete_roles(request.principal, role_names=names)
        except IAMError as exc:
            return form_failed(request, "iam/role_delete_many.html", context, form, exc)
        messages.success(request, _("%(count)s role(s) deleted.") % {"count": len(names)})
        return redirect("iam:role_list")
    return render(request, "iam/role_delete_many.html", context)


def _create_failed_field(form, exc: IAMError):
    """The Create role field that AWS's error is about (None: the whole form)."""
    message = exc.message
    if exc.code == "EntityAlreadyExists":
        return "role_name"
    if exc.code == "ValidationError":
        if "'description'" in message:
            return "description"
        if "maxSessionDuration" in message:
            return (
                "custom_duration"
                if form.cleaned_data.get("session_duration") == "custom"
                else "session_duration"
            )
        return "role_name"
    custom = form.cleaned_data.get("trusted_entity_type") == CreateRoleForm.CUSTOM_POLICY
    if isinstance(exc, MalformedPolicyDocument) or "ACLSizePerRole" in message:
        if custom and isinstance(exc, MalformedPolicyDocument):
            form.mark_error_position(exc)
        return "policy_document" if custom else None
    if "PoliciesPerRole" in message or exc.code == "NoSuchEntity":
        return "policy_arns"
    return None


def role_create(request):
    actor = request.principal
    form = CreateRoleForm(request.POST or None, account_id=actor.account_id)
    template = "iam/role_create.html"
    chosen = request.POST.getlist("policy_arns") if request.method == "POST" else []
    policies_picker = picker_context(
        request, Picker("policies", "policy_arns", _("Permissions policies"), chosen=chosen)
    )
    context = {"form": form, "policies_picker": policies_picker}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        data = form.cleaned_data
        try:
            role = role_services.console_create_role(
                actor,
                role_name=data["role_name"],
                assume_role_policy_document=data["trust_policy"],
                description=data["description"],
                max_session_duration=data["max_session_duration"],
                policy_arns=data["policy_arns"],
            )
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, _create_failed_field(form, exc))
        messages.success(request, _("Role %(name)s created.") % {"name": role.role_name})
        return redirect("iam:role_detail", role_name=role.role_name)
    return render(request, template, context)


def switch_role_link(request, role) -> str:
    """The Summary's "Link to switch roles in console" (AWS's form of the URL, on this console)."""
    account_id = role.arn.split(":")[4]
    role_name = quote(role.path.lstrip("/") + role.role_name, safe="/")
    return f"{console_base_url(request)}/switchrole?account={account_id}&roleName={role_name}"


def session_duration_label(seconds: int) -> str:
    """``3600`` → ``1 hour``, ``7200`` → ``2 hours``, ``5400`` → ``5400 seconds``."""
    hours, rest = divmod(seconds, 3600)
    if rest:
        return ngettext("%(seconds)s second", "%(seconds)s seconds", seconds) % {"seconds": seconds}
    return ngettext("%(hours)s hour", "%(hours)s hours", hours) % {"hours": hours}


def role_detail(request, role_name):
    actor = request.principal
    role = role_services.get_role(actor, role_name=role_name)
    tab = "trust_relationships" if request.GET.get("tab") == "trust_relationships" else "permissions"
    context = {
        "role": role,
        "tab": tab,
        "switch_role_link": switch_role_link(request, role),
        "session_duration_label": session_duration_label(role.max_session_duration),
        "trusted_entities": trusted_entities(role.assume_role_policy_document),
    }
    if tab == "permissions":
        context.update(permissions_context(request, "role", role.role_name))
    return render(request, "iam/role_detail.html", context)


def role_edit(request, role_name):
    """Edit: the description and the maximum session duration (iam:UpdateRole)."""
    actor = request.principal
    role = role_services.get_role(actor, role_name=role_name)
    refuse_unless(actor, "iam:UpdateRole", arn=role.arn)
    initial = {
        "description": role.description,
        **SessionDurationFields.initial_for(role.max_session_duration),
    }
    form = EditRoleForm(request.POST or None, initial=initial)
    template = "iam/role_edit.html"
    context = {"form": form, "role": role}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            role_services.update_role(
                actor,
                role_name=role.role_name,
                description=form.cleaned_data["description"],
                max_session_duration=form.cleaned_data["max_session_duration"],
            )
        except IAMError as exc:
            return form_failed(request, template, context, form, exc)
        messages.success(request, _("Role %(name)s updated.") % {"name": role.role_name})
        return redirect("iam:role_detail", role_name=role.role_name)
    return render(request, template, context)


def role_trust_edit(request, role_name):
    """Trust relationships → Edit trust policy: the JSON editor (iam:UpdateAssumeRolePolicy)."""
    actor = request.principal
    role = role_services.get_role(actor, role_name=role_name)
    refuse_unless(actor, "iam:UpdateAssumeRolePolicy", arn=role.arn)
    form = TrustPolicyForm(
        request.POST or None, initial={"policy_document": role.assume_role_policy_document}
    )
    template = "iam/role_trust_edit.html"
    context = {"form": form, "role": role}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            role_services.update_assume_role_policy(
                actor, role_name=role.role_name, policy_document=form.cleaned_data["policy_document"]
            )
        except IAMError as exc:
            if isinstance(exc, MalformedPolicyDocument):
                form.mark_error_position(exc)
            return form_failed(request, template, context, form, exc, "policy_document")
        messages.success(request, _("Trust policy of %(name)s updated.") % {"name": role.role_name})
        return redirect(reverse("iam:role_detail", args=[role.role_name]) + "?tab=trust_relationships")
    return render(request, template, context)


def role_delete(request, role_name):
    actor = request.principal
    role = role_services.get_role(actor, role_name=role_name)
    refuse_unless(actor, "iam:DeleteRole", arn=role.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=role.role_name, noun=_("role name"))
    return confirmed_delete(
        request,
        "iam/role_delete.html",
        {"form": form, "role": role},
        lambda: role_services.console_delete_role(actor, role_name=role.role_name),
        _("Role %(name)s deleted.") % {"name": role.role_name},
        "iam:role_list",
    )

"""The Permissions panels of users, groups and roles: attach and detach managed policies,
inline policies (create, view, edit, delete) and the permissions boundary.

One set of views serves the three kinds; ``services.permissions.OWNER_ACTIONS`` names each
kind's IAM actions, so that nothing is dispatched by building names.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ..errors import AccessDenied, IAMError, LimitExceeded, MalformedPolicyDocument
from ..forms.common import ConfirmDeleteForm
from ..forms.policies import POLICY_SKELETON, AttachPoliciesForm, InlinePolicyForm, PermissionsBoundaryForm
from ..services import groups as group_services
from ..services import permissions as permission_services
from ..services import roles as role_services
from ..services import users as user_services
from ..services.permissions import OWNER_ACTIONS
from .base import form_failed, invalid, refuse_unless
from .pickers import Picker, picker_context

# in the page's language (lazy): "user kim", and the breadcrumb of the owner's list
OWNER_NOUNS = {
    "user": gettext_lazy("user"),
    "group": gettext_lazy("user group"),
    "role": gettext_lazy("role"),
}
OWNER_LISTS = {
    "user": gettext_lazy("Users"),
    "group": gettext_lazy("User groups"),
    "role": gettext_lazy("Roles"),
}
# The quota of an owner's inline policies together, as the console writes it.
INLINE_LIMITS = {"user": "2,048", "group": "5,120", "role": "10,240"}
# What the Permissions tab says about where the permissions go, and when there are none.
PANEL_TEXT = {
    "user": (
        gettext_lazy("Permissions are defined by policies attached to the user directly or through groups."),
        gettext_lazy("No policy applies to this user: it may do only its self-service actions."),
    ),
    "group": (
        gettext_lazy(
            "Every user in the group gets these permissions. A group can have up to 10 managed policies attached."
        ),
        gettext_lazy("No policy is attached to this group."),
    ),
    "role": (
        gettext_lazy(
            "Whoever assumes the role gets these permissions. A role can have up to 10 managed policies attached."
        ),
        gettext_lazy("No policy is attached to this role: whoever assumes it can do nothing."),
    ),
}
ACTION_NOUNS = {"user": "User", "group": "Group", "role": "Role"}  # IAM's action names (iam:PutUserPolicy)


@dataclass(frozen=True)
class Owner:
    """A user, a group or a role seen from its Permissions tab: one shape for the three kinds."""

    kind: str  # "user" | "group" | "role"
    name: str
    arn: str

    @property
    def actions(self):
        return OWNER_ACTIONS[self.kind]

    @property
    def kwargs(self) -> dict:
        """The owner as AWS's parameter: ``user_name=…``, ``group_name=…`` or ``role_name=…``."""
        return {f"{self.kind}_name": self.name}

    @property
    def noun(self) -> str:
        return OWNER_NOUNS[self.kind]

    @property
    def label(self) -> str:
        return f"{self.noun} {self.name}"

    @property
    def action_noun(self) -> str:
        return ACTION_NOUNS[self.kind]

    @property
    def list_title(self) -> str:
        return OWNER_LISTS[self.kind]

    @property
    def list_url(self) -> str:
        return reverse(f"iam:{self.kind}_list")

    @property
    def inline_size_limit(self) -> str:
        return INLINE_LIMITS[self.kind]

    def url(self, name: str, **params) -> str:
        url = reverse(f"iam:{self.kind}_{name}", args=[self.name])
        return url + ("?" + urlencode(params) if params else "")

    @property
    def inline_detail_url(self) -> str:
        return self.url("inline_policy_detail")

    @property
    def inline_create_url(self) -> str:
        return self.url("inline_policy_create")

    @property
    def inline_edit_url(self) -> str:
        return self.url("inline_policy_edit")

    @property
    def inline_delete_url(self) -> str:
        return self.url("inline_policy_delete")

    @property
    def attach_url(self) -> str:
        return self.url("attach_policies")

    @property
    def detach_url(self) -> str:
        return self.url("detach_policy")

    @property
    def has_boundary(self) -> bool:
        """Users and roles have a permissions boundary; groups do not."""
        return self.actions.put_boundary is not None

    @property
    def boundary_url(self) -> str:
        return self.url("permissions_boundary")

    @property
    def boundary_delete_url(self) -> str:
        return self.url("permissions_boundary_delete")

    @property
    def panel_description(self) -> str:
        return PANEL_TEXT[self.kind][0]

    @property
    def panel_empty(self) -> str:
        return PANEL_TEXT[self.kind][1]

    @property
    def permissions_url(self) -> str:
        return reverse(f"iam:{self.kind}_detail", args=[self.name]) + "?tab=permissions"


def _owner(request, kind: str, name: str) -> Owner:
    """The owner named in the URL, looked up in the caller's account (GetUser/GetGroup/GetRole)."""
    actor = request.principal
    if kind == "user":
        user = user_services.get_user(actor, user_name=name)
        return Owner("user", user.user_name, user.arn)
    if kind == "group":
        group, _page = group_services.get_group(actor, group_name=name, max_items=1)
        return Owner("group", group.group_name, group.arn)
    role = role_services.get_role(actor, role_name=name)
    return Owner("role", role.role_name, role.arn)


def permissions_context(request, kind: str, name: str) -> dict:
    """What ``iam/_permissions_panel.html`` needs: the policies that apply to the owner (with
    where they come from) and its permissions boundary. A caller who may not list them sees
    AWS's AccessDenied message in the panel instead of losing the whole page."""
    owner = _owner(request, kind, name)
    try:
        permissions = owner.actions.permissions(request.principal, **owner.kwargs)
    except AccessDenied as exc:
        return {"permissions_owner": owner, "permissions_denied": exc.message}
    return {
        "permissions_owner": owner,
        "permission_rows": permissions.rows,
        "permissions_boundary": permissions.permissions_boundary,
        "permissions_boundary_type": permissions.boundary_type,
    }


def _document_failed(request, template, context, form, exc: IAMError):
    """A service refused a policy document: AWS's message on the editor, its line marked."""
    if isinstance(exc, MalformedPolicyDocument):
        form.mark_error_position(exc)
    return form_failed(request, template, context, form, exc, "policy_document")


def attach_policies(request, kind: str, name: str):
    """Add permissions → Attach policies directly: tick managed policies in the table."""
    actor = request.principal
    owner = _owner(request, kind, name)
    attached = owner.actions.permissions(actor, **owner.kwargs).attached_arns()
    form = AttachPoliciesForm(request.POST or None)
    chosen = request.POST.getlist("policy_arns") if request.method == "POST" else []
    policies_picker = picker_context(
        request, Picker("policies", "policy_arns", _("Permissions policies"), chosen=chosen)
    )
    policies_picker.attached = attached
    template = "iam/attach_policies.html"
    context = {
        "form": form,
        "owner": owner,
        "policies_picker": policies_picker,
        "attached_count": len(attached),
    }
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        arns = form.cleaned_data["policy_arns"]
        try:
            permission_services.console_attach_policies(
                actor, kind=kind, owner_name=owner.name, policy_arns=arns
            )
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, "policy_arns")
        messages.success(
            request,
            ngettext(
                "%(count)s policy attached to %(owner)s.",
                "%(count)s policies attached to %(owner)s.",
                len(arns),
            )
            % {"count": len(arns), "owner": owner.label},
        )
        return redirect(owner.permissions_url)
    return render(request, template, context)


@require_POST
def detach_policy(request, kind: str, name: str):
    owner = _owner(request, kind, name)
    arn = request.POST.get("policy_arn", "")
    owner.actions.detach(request.principal, policy_arn=arn, **owner.kwargs)
    messages.success(
        request,
        _("Policy %(name)s removed from %(owner)s.") % {"name": arn.rsplit("/", 1)[-1], "owner": owner.label},
    )
    return redirect(owner.permissions_url)


def inline_policy_create(request, kind: str, name: str):
    actor = request.principal
    owner = _owner(request, kind, name)
    existing = owner.actions.permissions(actor, **owner.kwargs).inline_names()
    form = InlinePolicyForm(
        request.POST or None, existing_names=existing, initial={"policy_document": POLICY_SKELETON}
    )
    template = "iam/inline_policy_edit.html"
    context = {"form": form, "owner": owner, "creating": True}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        policy_name = form.cleaned_data["policy_name"]
        try:
            owner.actions.put_inline(
                actor,
                policy_name=policy_name,
                policy_document=form.cleaned_data["policy_document"],
                **owner.kwargs,
            )
        except (MalformedPolicyDocument, LimitExceeded) as exc:
            return _document_failed(request, template, context, form, exc)
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, "policy_name")
        messages.success(request, _("Policy %(name)s created.") % {"name": policy_name})
        return redirect(owner.permissions_url)
    return render(request, template, context)


def _inline(request, owner: Owner):
    return owner.actions.get_inline(
        request.principal, policy_name=request.GET.get("policy_name", ""), **owner.kwargs
    )


def inline_policy_detail(request, kind: str, name: str):
    owner = _owner(request, kind, name)
    inline = _inline(request, owner)
    return render(request, "iam/inline_policy_detail.html", {"owner": owner, "inline": inline})


def inline_policy_edit(request, kind: str, name: str):
    actor = request.principal
    owner = _owner(request, kind, name)
    inline = _inline(request, owner)
    refuse_unless(actor, f"iam:Put{owner.action_noun}Policy", arn=owner.arn)
    form = InlinePolicyForm(request.POST or None, initial={"policy_document": inline.policy_document})
    template = "iam/inline_policy_edit.html"
    context = {"form": form, "owner": owner, "inline": inline, "creating": False}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            owner.actions.put_inline(
                actor,
                policy_name=inline.policy_name,
                policy_document=form.cleaned_data["policy_document"],
                **owner.kwargs,
            )
        except IAMError as exc:
            return _document_failed(request, template, context, form, exc)
        messages.success(request, _("Policy %(name)s updated.") % {"name": inline.policy_name})
        return redirect(owner.permissions_url)
    return render(request, template, context)


def inline_policy_delete(request, kind: str, name: str):
    actor = request.principal
    owner = _owner(request, kind, name)
    inline = _inline(request, owner)
    refuse_unless(actor, f"iam:Delete{owner.action_noun}Policy", arn=owner.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=inline.policy_name, noun=_("policy name"))
    template = "iam/inline_policy_delete.html"
    context = {"form": form, "owner": owner, "inline": inline}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            owner.actions.delete_inline(actor, policy_name=inline.policy_name, **owner.kwargs)
        except IAMError as exc:
            return form_failed(request, template, context, form, exc)
        messages.success(request, _("Policy %(name)s deleted.") % {"name": inline.policy_name})
        return redirect(owner.permissions_url)
    return render(request, template, context)


def permissions_boundary(request, kind: str, name: str):
    """Set (or change) the permissions boundary of a user or role: choose one managed policy."""
    actor = request.principal
    owner = _owner(request, kind, name)
    refuse_unless(actor, f"iam:Put{owner.action_noun}PermissionsBoundary", arn=owner.arn)
    current = owner.actions.permissions(actor, **owner.kwargs).permissions_boundary
    form = PermissionsBoundaryForm(request.POST or None)
    if request.method == "POST":
        chosen = request.POST.getlist("policy_arn")[:1]
    else:
        chosen = [current.permissions_boundary_arn] if current else []
    policies_picker = picker_context(
        request,
        Picker("policies", "policy_arn", _("Permissions boundary policy"), multiple=False, chosen=chosen),
    )
    template = "iam/boundary_set.html"
    context = {"form": form, "owner": owner, "policies_picker": policies_picker, "current": current}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        arn = form.cleaned_data["policy_arn"]
        try:
            owner.actions.put_boundary(actor, permissions_boundary=arn, **owner.kwargs)
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, "policy_arn")
        messages.success(
            request,
            _("Permissions boundary %(name)s set for %(owner)s.")
            % {"name": arn.rsplit("/", 1)[-1], "owner": owner.label},
        )
        return redirect(owner.permissions_url)
    return render(request, template, context)


@require_POST
def permissions_boundary_delete(request, kind: str, name: str):
    owner = _owner(request, kind, name)
    owner.actions.delete_boundary(request.principal, **owner.kwargs)
    messages.success(request, _("Permissions boundary removed from %(owner)s.") % {"owner": owner.label})
    return redirect(owner.permissions_url)

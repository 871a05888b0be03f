"""Policies: the managed policy pages (list, create, view, edit, versions, entities, delete)
and the Permissions panels of users, groups and roles (attach and detach managed policies,
inline policies, the permissions boundary).

Managed policies are addressed by ARN in the query string (``?arn=…``): an AWS managed and a
customer managed policy can share a name. Every read and write goes through
``accounts.services.policies``, which checks authorization; a form page also asks the gate
up front for the action its form performs, so that a caller who may not do it is refused
before filling it in.
"""

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from .. import authz
from .. import policy as engine
from ..errors import AccessDenied, IAMError, LimitExceeded, MalformedPolicyDocument
from ..forms import ConfirmDeleteForm
from ..models import Group, Identity, Role
from ..policy_forms import (
    POLICY_SKELETON,
    AttachPoliciesForm,
    CreatePolicyForm,
    EditPolicyForm,
    EntitiesForm,
    InlinePolicyForm,
    PermissionsBoundaryForm,
)
from ..services import groups as group_services
from ..services import policies as policy_services
from ..services import roles as role_services
from ..services import users as user_services
from ..services.base import atomic_action
from .base import confirmed_delete, form_failed, invalid

JOB_FUNCTION_PATH = "/job-function/"
# The Policies page's "Filter by Type": query value -> (label, list_policies scope)
TYPE_FILTERS = {
    "": ("All types", "All"),
    "aws": ("AWS managed", "AWS"),
    "customer": ("Customer managed", "Local"),
    "job_function": ("AWS managed - job function", "AWS"),
}
AWS_MANAGED_READ_ONLY = (
    "{name} is an AWS managed policy. Only AWS can change or delete it; to customize it, "
    "copy its JSON into a new customer managed policy."
)


# --- helpers ----------------------------------------------------------------------------


def policy_type_label(policy) -> str:
    """The console's Type column: AWS managed, AWS managed - job function, Customer managed."""
    if policy.account_id is None:
        return "AWS managed - job function" if policy.path == JOB_FUNCTION_PATH else "AWS managed"
    return "Customer managed"


def policy_url(name: str, policy, **params) -> str:
    """The URL of a policy page (``iam:<name>``) for ``policy`` (addressed by ARN)."""
    return reverse(f"iam:{name}") + "?" + urlencode({"arn": policy.arn, **params})


def with_policy(view):
    """Resolve ``?arn=`` to a managed policy of the caller's account (or AWS's) for ``view``.

    No ARN at all sends the caller to the Policies list, which the gate guards like the
    list itself (iam:ListPolicies); an unknown ARN is a 404 (NoSuchEntity).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        arn = request.GET.get("arn", "").strip()
        if not arn:
            policy_services.list_policies(request.user)  # authorizes iam:ListPolicies
            return redirect("iam:policy_list")
        policy = policy_services.get_policy(request.user, policy_arn=arn)
        return view(request, policy, *args, **kwargs)

    return wrapper


def _document_failed(request, template, context, form, exc: IAMError):
    """A service refused a policy document: AWS's message on the editor, its line marked."""
    if isinstance(exc, MalformedPolicyDocument):
        form.mark_error_position(exc)
    return form_failed(request, template, context, form, exc, "policy_document")


def _aws_managed_refusal(request, policy, attempt=None):
    """AWS managed policies are read-only: the page says so (400); a POST still goes to the
    service (``attempt``), which refuses it with AWS's error and audits the attempt."""
    message = AWS_MANAGED_READ_ONLY.format(name=policy.name)
    status = 400
    if request.method == "POST" and attempt is not None:
        try:
            attempt()
        except AccessDenied:
            raise
        except IAMError as exc:
            message, status = exc.message, min(exc.status, 499)
        else:  # pragma: no cover - the services never let an AWS managed policy change
            return redirect(policy_url("policy_detail", policy))
    context = {"policy": policy, "type_label": policy_type_label(policy), "read_only_message": message}
    return render(request, "iam/policy_read_only.html", context, status=status)


def _used_as(policy) -> list[str]:
    used = []
    attachments = policy.user_count + policy.group_count + policy.role_count
    if attachments:
        used.append(f"Permissions policy ({attachments})")
    boundaries = policy.boundary_count + policy.role_boundary_count
    if boundaries:
        used.append(f"Permissions boundary ({boundaries})")
    return used or ["None"]


# --- managed policies -------------------------------------------------------------------


def policy_list(request):
    type_filter = request.GET.get("type", "")
    if type_filter not in TYPE_FILTERS:
        type_filter = ""
    scope = TYPE_FILTERS[type_filter][1]
    policies = []
    for policy in policy_services.list_policies(request.user, scope=scope):
        policy.type_label = policy_type_label(policy)
        if type_filter == "aws" and policy.path == JOB_FUNCTION_PATH:
            continue
        if type_filter == "job_function" and policy.path != JOB_FUNCTION_PATH:
            continue
        policy.used_as = _used_as(policy)
        policies.append(policy)
    return render(
        request,
        "iam/policy_list.html",
        {
            "policies": policies,
            "type_filter": type_filter,
            "type_choices": [(value, label) for value, (label, _) in TYPE_FILTERS.items()],
        },
    )


def policy_create(request):
    actor = request.user
    authz.authorize(actor, "iam:CreatePolicy", policy_services.policy_arn(actor, "*"))
    form = CreatePolicyForm(request.POST or None, initial={"policy_document": POLICY_SKELETON})
    context = {"form": form}
    template = "iam/policy_create.html"
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        data = form.cleaned_data
        try:
            policy = policy_services.create_policy(
                actor,
                name=data["policy_name"],
                document=data["policy_document"],
                description=data["description"],
            )
        except (MalformedPolicyDocument, LimitExceeded) as exc:
            if "PoliciesPerAccount" in exc.message:
                return form_failed(request, template, context, form, exc)
            return _document_failed(request, template, context, form, exc)
        except IAMError as exc:
            field = "policy_name" if exc.code == "EntityAlreadyExists" else None
            return form_failed(request, template, context, form, exc, field)
        messages.success(request, f"Policy {policy.name} created.")
        return redirect(policy_url("policy_detail", policy))
    return render(request, template, context)


@with_policy
def policy_detail(request, policy):
    actor = request.user
    tab = request.GET.get("tab", "permissions")
    context = {"policy": policy, "type_label": policy_type_label(policy)}
    if tab == "entities":
        context.update(_entities_context(policy_services.policy_entities(actor, policy)))
    elif tab == "versions":
        context["versions"] = policy_services.list_policy_versions(actor, policy)
    else:
        tab = "permissions"
        context["version"] = policy_services.get_policy_version(actor, policy, policy.default_version_id)
    context["tab"] = tab
    return render(request, "iam/policy_detail.html", context)


@with_policy
def policy_version_detail(request, policy):
    version_id = request.GET.get("version_id", "")
    version = policy_services.get_policy_version(request.user, policy, version_id)
    return render(
        request,
        "iam/policy_version_detail.html",
        {"policy": policy, "version": version, "type_label": policy_type_label(policy)},
    )


@with_policy
def policy_edit(request, policy):
    """Edit: the JSON editor; Save changes makes a new default version (deleting the version
    chosen on the page when the policy already has 5)."""
    actor = request.user
    template = "iam/policy_edit.html"
    if policy.is_aws_managed:
        return _aws_managed_refusal(
            request,
            policy,
            lambda: policy_services.create_policy_version(
                actor, policy_arn=policy.arn, document=request.POST.get("policy_document", "")
            ),
        )
    authz.authorize(actor, "iam:CreatePolicyVersion", policy.arn)
    versions = policy_services.list_policy_versions(actor, policy)
    deletable = None
    if len(versions) >= policy_services.VERSIONS_PER_POLICY:
        deletable = [
            (v.version_id, f"{v.version_id} — created {localtime(v.created_at):%Y-%m-%d %H:%M:%S %Z}")
            for v in versions
            if not v.is_default
        ]
    current = policy_services.get_policy_version(actor, policy, policy.default_version_id)
    form = EditPolicyForm(
        request.POST or None, initial={"policy_document": current.document}, deletable_versions=deletable
    )
    context = {"form": form, "policy": policy, "versions": versions, "current": current}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            version = policy_services.console_edit_policy(
                actor,
                policy_arn=policy.arn,
                document=form.cleaned_data["policy_document"],
                delete_version_id=form.cleaned_data.get("delete_version_id") or None,
            )
        except (MalformedPolicyDocument, LimitExceeded) as exc:
            return _document_failed(request, template, context, form, exc)
        except IAMError as exc:
            field = "delete_version_id" if form.must_delete_a_version else None
            return form_failed(request, template, context, form, exc, field)
        messages.success(
            request, f"Policy {policy.name} updated. Version {version.version_id} is the default."
        )
        return redirect(policy_url("policy_detail", policy))
    return render(request, template, context)


@with_policy
def policy_delete(request, policy):
    """Delete: the console detaches the policy from every entity and deletes its versions."""
    actor = request.user
    template = "iam/policy_delete.html"
    if policy.is_aws_managed:
        return _aws_managed_refusal(
            request,
            policy,
            lambda: policy_services.delete_policy(actor, policy_arn=policy.arn),
        )
    authz.authorize(actor, "iam:DeletePolicy", policy.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=policy.name, noun="policy name")
    return confirmed_delete(
        request,
        template,
        {"form": form, "policy": policy},
        lambda: policy_services.console_delete_policy(actor, policy_arn=policy.arn),
        f"Policy {policy.name} deleted.",
        "iam:policy_list",
    )


def _versions_refused(request, policy, exc: IAMError):
    """Show the Policy versions tab again with AWS's error and its 4xx status."""
    if isinstance(exc, AccessDenied) or exc.status >= 500:
        raise exc
    context = {
        "policy": policy,
        "type_label": policy_type_label(policy),
        "tab": "versions",
        "versions": policy_services.list_policy_versions(request.user, policy),
        "error_message": exc.message,
    }
    return render(request, "iam/policy_detail.html", context, status=exc.status)


@require_POST
@with_policy
def policy_version_set_default(request, policy):
    version_id = request.POST.get("version_id", "")
    try:
        policy_services.set_default_policy_version(request.user, policy_arn=policy.arn, version_id=version_id)
    except IAMError as exc:
        return _versions_refused(request, policy, exc)
    messages.success(request, f"Version {version_id} of {policy.name} is now the default version.")
    return redirect(policy_url("policy_detail", policy, tab="versions"))


@with_policy
def policy_version_delete(request, policy):
    actor = request.user
    template = "iam/policy_version_delete.html"
    if policy.is_aws_managed:
        return _aws_managed_refusal(
            request,
            policy,
            lambda: policy_services.delete_policy_version(
                actor, policy_arn=policy.arn, version_id=request.GET.get("version_id", "")
            ),
        )
    authz.authorize(actor, "iam:DeletePolicyVersion", policy.arn)
    version = policy_services.get_policy_version(actor, policy, request.GET.get("version_id", ""))
    context = {"policy": policy, "version": version}
    if request.method == "POST":
        try:
            policy_services.delete_policy_version(actor, policy_arn=policy.arn, version_id=version.version_id)
        except IAMError as exc:
            if isinstance(exc, AccessDenied) or exc.status >= 500:
                raise
            context["error_message"] = exc.message
            return render(request, template, context, status=exc.status)
        messages.success(request, f"Version {version.version_id} of {policy.name} deleted.")
        return redirect(policy_url("policy_detail", policy, tab="versions"))
    return render(request, template, context)


@with_policy
def policy_attach_entities(request, policy):
    """Entities attached → Attach: choose users, user groups and roles to attach the policy to."""
    actor = request.user
    template = "iam/policy_attach_entities.html"
    attached = policy_services.policy_entities(actor, policy)
    users = [u for u in user_services.list_users(actor) if u not in attached["users"]]
    groups = [g for g in group_services.list_groups(actor) if g not in attached["groups"]]
    roles = [r for r in role_services.list_roles(actor) if r not in attached["roles"]]
    form = EntitiesForm(
        request.POST or None,
        user_names=[u.name for u in users],
        group_names=[g.name for g in groups],
        role_names=[r.name for r in roles],
    )
    context = {
        "form": form,
        "policy": policy,
        "users": users,
        "groups": groups,
        "roles": roles,
        "candidate_count": len(users) + len(groups) + len(roles),
    }
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            # all or nothing, as the console's other multi-entity actions
            with atomic_action():
                for name in form.chosen("user"):
                    policy_services.attach_user_policy(actor, user_name=name, policy_arn=policy.arn)
                for name in form.chosen("group"):
                    policy_services.attach_group_policy(actor, group_name=name, policy_arn=policy.arn)
                for name in form.chosen("role"):
                    policy_services.attach_role_policy(actor, role_name=name, policy_arn=policy.arn)
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, "entities")
        count = len(form.cleaned_data["entities"])
        messages.success(request, f"Policy {policy.name} attached to {count} {_entities_noun(count)}.")
        return redirect(policy_url("policy_detail", policy, tab="entities"))
    return render(request, template, context)


def _entities_context(entities: dict) -> dict:
    count = sum(
        len(entities[key]) for key in ("users", "groups", "roles", "boundary_users", "boundary_roles")
    )
    return {"entities": entities, "entity_count": count}


def _entities_noun(count: int) -> str:
    return "entity" if count == 1 else "entities"


@require_POST
@with_policy
def policy_detach_entities(request, policy):
    actor = request.user
    attached = policy_services.policy_entities(actor, policy)
    form = EntitiesForm(
        request.POST,
        user_names=[u.name for u in attached["users"]],
        group_names=[g.name for g in attached["groups"]],
        role_names=[r.name for r in attached["roles"]],
    )
    if not form.is_valid():
        context = {
            "policy": policy,
            "type_label": policy_type_label(policy),
            "tab": "entities",
            **_entities_context(attached),
            "error_message": " ".join(form.errors.get("entities", ["Choose at least one entity."])),
        }
        return render(request, "iam/policy_detail.html", context, status=400)
    with atomic_action():
        for name in form.chosen("user"):
            policy_services.detach_user_policy(actor, user_name=name, policy_arn=policy.arn)
        for name in form.chosen("group"):
            policy_services.detach_group_policy(actor, group_name=name, policy_arn=policy.arn)
        for name in form.chosen("role"):
            policy_services.detach_role_policy(actor, role_name=name, policy_arn=policy.arn)
    count = len(form.cleaned_data["entities"])
    messages.success(request, f"Policy {policy.name} detached from {count} {_entities_noun(count)}.")
    return redirect(policy_url("policy_detail", policy, tab="entities"))


# --- the Permissions panels of users, groups and roles ------------------------------------

OWNER_NOUNS = {"user": "user", "group": "user group", "role": "role"}
OWNER_LISTS = {"user": "Users", "group": "User groups", "role": "Roles"}
# What the Permissions tab says about where the permissions go, and when there are none.
PANEL_TEXT = {
    "user": (
        "Permissions are defined by policies attached to the user directly or through groups.",
        "No policy applies to this user: it may do only its self-service actions.",
    ),
    "group": (
        "Every user in the group gets these permissions. A group can have up to 10 managed policies attached.",
        "No policy is attached to this group.",
    ),
    "role": (
        "Whoever assumes the role gets these permissions. A role can have up to 10 managed policies attached.",
        "No policy is attached to this role: whoever assumes it can do nothing.",
    ),
}


@dataclass
class Owner:
    """A user, a group or a role seen from its Permissions tab: one shape for the three kinds.

    The service functions are found by name (``attach_<kind>_policy``, ``put_<kind>_policy``,
    ``<kind>_permissions``…), so that the three kinds cannot drift apart."""

    kind: str  # "user" | "group" | "role"
    entity: Identity | Group | Role

    @property
    def name(self) -> str:
        return self.entity.name

    @property
    def arn(self) -> str:
        return self.entity.arn

    @property
    def noun(self) -> str:
        return OWNER_NOUNS[self.kind]

    @property
    def label(self) -> str:
        return f"{self.noun} {self.name}"

    @property
    def action_noun(self) -> str:
        return self.kind.capitalize()

    @property
    def list_title(self) -> str:
        return OWNER_LISTS[self.kind]

    @property
    def list_url(self) -> str:
        return reverse(f"iam:{self.kind}_list")

    @property
    def inline_size_limit(self) -> str:
        """The quota of the owner's inline policies together, as the console writes it (10,240)."""
        return f"{engine.INLINE_POLICY_TOTAL_MAX[self.kind]:,}"

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
    def attach_url(self) -> str:
        return self.url("attach_policies")

    @property
    def detach_url(self) -> str:
        return self.url("detach_policy")

    @property
    def has_boundary(self) -> bool:
        """Users and roles have a permissions boundary; groups do not."""
        return self.kind != "group"

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
    def inline_edit_url(self) -> str:
        return self.url("inline_policy_edit")

    @property
    def inline_delete_url(self) -> str:
        return self.url("inline_policy_delete")

    @property
    def permissions_url(self) -> str:
        return reverse(f"iam:{self.kind}_detail", args=[self.name]) + "?tab=permissions"

    def owner_kwargs(self) -> dict:
        return {f"{self.kind}_name": self.name}

    def _service(self, template: str):
        return getattr(policy_services, template.format(kind=self.kind))

    def permissions(self, actor) -> list[dict]:
        return self._service("{kind}_permissions")(actor, self.entity)

    def attach(self, actor, policy_arn: str) -> None:
        self._service("attach_{kind}_policy")(actor, policy_arn=policy_arn, **self.owner_kwargs())

    def detach(self, actor, policy_arn: str) -> None:
        self._service("detach_{kind}_policy")(actor, policy_arn=policy_arn, **self.owner_kwargs())

    def put_inline(self, actor, policy_name: str, document: str):
        return self._service("put_{kind}_policy")(
            actor, policy_name=policy_name, document=document, **self.owner_kwargs()
        )

    def delete_inline(self, actor, policy_name: str) -> None:
        self._service("delete_{kind}_policy")(actor, policy_name=policy_name, **self.owner_kwargs())

    def put_boundary(self, actor, policy_arn: str) -> None:
        self._service("put_{kind}_permissions_boundary")(
            actor, permissions_boundary=policy_arn, **self.owner_kwargs()
        )

    def delete_boundary(self, actor) -> None:
        self._service("delete_{kind}_permissions_boundary")(actor, **self.owner_kwargs())


def _user(request, user_name) -> Owner:
    return Owner("user", user_services.get_user(request.user, user_name=user_name))


def _group(request, group_name) -> Owner:
    return Owner("group", group_services.get_group(request.user, group_name=group_name))


def _role(request, role_name) -> Owner:
    return Owner("role", role_services.get_role(request.user, role_name=role_name))


def _label_rows(rows: list[dict]) -> list[dict]:
    for row in rows:
        if "policy" in row:
            row["type"] = policy_type_label(row["policy"])
    return rows


def permissions_context(request, owner: Owner) -> dict:
    """What ``iam/_permissions_panel.html`` needs: the policies that apply to the owner (with
    where they come from) and its permissions boundary. A caller who may not list them sees
    AWS's AccessDenied message in the panel instead of losing the whole page."""
    try:
        rows = _label_rows(owner.permissions(request.user))
    except AccessDenied as exc:
        return {"permissions_owner": owner, "permissions_denied": exc.message}
    context = {"permissions_owner": owner, "permission_rows": rows}
    if owner.has_boundary:
        context["permissions_boundary"] = owner.entity.permissions_boundary
    return context


def user_permissions_context(request, user) -> dict:
    return permissions_context(request, Owner("user", user))


def group_permissions_context(request, group) -> dict:
    return permissions_context(request, Owner("group", group))


def role_permissions_context(request, role) -> dict:
    return permissions_context(request, Owner("role", role))


def _attach_policies(request, owner: Owner):
    """Add permissions → Attach policies directly: tick managed policies in the table."""
    actor = request.user
    authz.authorize(actor, f"iam:Attach{owner.action_noun}Policy", owner.arn)
    attached = {row["policy"].arn for row in owner.permissions(actor) if row["source"] == "Attached directly"}
    policies = list(policy_services.list_policies(actor))
    for policy in policies:
        policy.type_label = policy_type_label(policy)
        policy.is_attached = policy.arn in attached
    form = AttachPoliciesForm(
        request.POST or None, policy_arns=[p.arn for p in policies if not p.is_attached]
    )
    template = "iam/attach_policies.html"
    context = {"form": form, "owner": owner, "policies": policies, "attached_count": len(attached)}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        arns = form.cleaned_data["policy_arns"]
        try:
            with atomic_action():  # all or nothing: an 11th policy attaches none of them
                for arn in arns:
                    owner.attach(actor, arn)
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, "policy_arns")
        noun = "policy" if len(arns) == 1 else "policies"
        messages.success(request, f"{len(arns)} {noun} attached to {owner.label}.")
        return redirect(owner.permissions_url)
    return render(request, template, context)


def _detach_policy(request, owner: Owner):
    arn = request.POST.get("policy_arn", "")
    owner.detach(request.user, arn)
    messages.success(request, f"Policy {arn.rsplit('/', 1)[-1]} removed from {owner.label}.")
    return redirect(owner.permissions_url)


def _inline_names(actor, owner: Owner) -> list[str]:
    return [row["name"] for row in owner.permissions(actor) if row["source"] == "Inline"]


def _inline_create(request, owner: Owner):
    actor = request.user
    authz.authorize(actor, f"iam:Put{owner.action_noun}Policy", owner.arn)
    form = InlinePolicyForm(
        request.POST or None,
        existing_names=_inline_names(actor, owner),
        initial={"policy_document": POLICY_SKELETON},
    )
    template = "iam/inline_policy_edit.html"
    context = {"form": form, "owner": owner, "creating": True}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        name = form.cleaned_data["policy_name"]
        try:
            owner.put_inline(actor, name, form.cleaned_data["policy_document"])
        except (MalformedPolicyDocument, LimitExceeded) as exc:
            return _document_failed(request, template, context, form, exc)
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, "policy_name")
        messages.success(request, f"Policy {name} created.")
        return redirect(owner.permissions_url)
    return render(request, template, context)


def _inline_policy(request, owner: Owner):
    name = request.GET.get("policy_name", "")
    return policy_services.get_inline_policy(request.user, owner.entity, name)


def _inline_detail(request, owner: Owner):
    inline = _inline_policy(request, owner)
    return render(request, "iam/inline_policy_detail.html", {"owner": owner, "inline": inline})


def _inline_edit(request, owner: Owner):
    actor = request.user
    inline = _inline_policy(request, owner)
    authz.authorize(actor, f"iam:Put{owner.action_noun}Policy", owner.arn)
    form = InlinePolicyForm(request.POST or None, initial={"policy_document": inline.document})
    template = "iam/inline_policy_edit.html"
    context = {"form": form, "owner": owner, "inline": inline, "creating": False}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            owner.put_inline(actor, inline.name, form.cleaned_data["policy_document"])
        except IAMError as exc:
            return _document_failed(request, template, context, form, exc)
        messages.success(request, f"Policy {inline.name} updated.")
        return redirect(owner.permissions_url)
    return render(request, template, context)


def _inline_delete(request, owner: Owner):
    actor = request.user
    inline = _inline_policy(request, owner)
    authz.authorize(actor, f"iam:Delete{owner.action_noun}Policy", owner.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=inline.name, noun="policy name")
    template = "iam/inline_policy_delete.html"
    context = {"form": form, "owner": owner, "inline": inline}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            owner.delete_inline(actor, inline.name)
        except IAMError as exc:
            return form_failed(request, template, context, form, exc)
        messages.success(request, f"Policy {inline.name} deleted.")
        return redirect(owner.permissions_url)
    return render(request, template, context)


def user_attach_policies(request, user_name):
    return _attach_policies(request, _user(request, user_name))


def group_attach_policies(request, group_name):
    return _attach_policies(request, _group(request, group_name))


@require_POST
def user_detach_policy(request, user_name):
    return _detach_policy(request, _user(request, user_name))


@require_POST
def group_detach_policy(request, group_name):
    return _detach_policy(request, _group(request, group_name))


def user_inline_policy_create(request, user_name):
    return _inline_create(request, _user(request, user_name))


def group_inline_policy_create(request, group_name):
    return _inline_create(request, _group(request, group_name))


def user_inline_policy_detail(request, user_name):
    return _inline_detail(request, _user(request, user_name))


def group_inline_policy_detail(request, group_name):
    return _inline_detail(request, _group(request, group_name))


def user_inline_policy_edit(request, user_name):
    return _inline_edit(request, _user(request, user_name))


def group_inline_policy_edit(request, group_name):
    return _inline_edit(request, _group(request, group_name))


def user_inline_policy_delete(request, user_name):
    return _inline_delete(request, _user(request, user_name))


def group_inline_policy_delete(request, group_name):
    return _inline_delete(request, _group(request, group_name))


def role_attach_policies(request, role_name):
    return _attach_policies(request, _role(request, role_name))


@require_POST
def role_detach_policy(request, role_name):
    return _detach_policy(request, _role(request, role_name))


def role_inline_policy_create(request, role_name):
    return _inline_create(request, _role(request, role_name))


def role_inline_policy_detail(request, role_name):
    return _inline_detail(request, _role(request, role_name))


def role_inline_policy_edit(request, role_name):
    return _inline_edit(request, _role(request, role_name))


def role_inline_policy_delete(request, role_name):
    return _inline_delete(request, _role(request, role_name))


# --- permissions boundary (users and roles) ----------------------------------------------


def _permissions_boundary(request, owner: Owner):
    """Set (or change) the permissions boundary: choose one managed policy."""
    actor = request.user
    authz.authorize(actor, f"iam:Put{owner.action_noun}PermissionsBoundary", owner.arn)
    policies = list(policy_services.list_policies(actor))
    for policy in policies:
        policy.type_label = policy_type_label(policy)
    current = owner.entity.permissions_boundary
    form = PermissionsBoundaryForm(
        request.POST or None,
        policy_arns=[p.arn for p in policies],
        initial={"policy_arn": current.arn if current else None},
    )
    template = "iam/boundary_set.html"
    context = {"form": form, "owner": owner, "policies": policies, "current": current}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        arn = form.cleaned_data["policy_arn"]
        try:
            owner.put_boundary(actor, arn)
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, "policy_arn")
        messages.success(request, f"Permissions boundary {arn.rsplit('/', 1)[-1]} set for {owner.label}.")
        return redirect(owner.permissions_url)
    return render(request, template, context)


def _permissions_boundary_delete(request, owner: Owner):
    owner.delete_boundary(request.user)
    messages.success(request, f"Permissions boundary removed from {owner.label}.")
    return redirect(owner.permissions_url)


def user_permissions_boundary(request, user_name):
    return _permissions_boundary(request, _user(request, user_name))


@require_POST
def user_permissions_boundary_delete(request, user_name):
    return _permissions_boundary_delete(request, _user(request, user_name))


def role_permissions_boundary(request, role_name):
    return _permissions_boundary(request, _role(request, role_name))


@require_POST
def role_permissions_boundary_delete(request, role_name):
    return _permissions_boundary_delete(request, _role(request, role_name))

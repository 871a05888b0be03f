"""The managed policy pages: list, create, view, edit (a new default version), versions,
entities attached, delete.

Managed policies are addressed by ARN in the query string (``?arn=…``): an AWS managed and a
customer managed policy can share a name. Every read and write goes through the services;
a form page also asks the gate up front for the action its form performs.
"""

import dataclasses
import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ..errors import AccessDenied, IAMError, LimitExceeded, MalformedPolicyDocument
from ..forms.common import ConfirmDeleteForm, ConfirmWordForm
from ..forms.policies import POLICY_SKELETON, CreatePolicyForm, EditPolicyForm, EntitiesForm
from ..services import permissions as permission_services
from ..services import policies as policy_services
from ..services import tags as tag_services
from ..services.tables import PAGE_SIZES
from ..shapes import PolicyType
from ..templatetags.policy_labels import summary_label
from .base import confirmed_delete, form_failed, invalid, refuse_unless
from .pickers import Picker, picker_context
from .tables import remember_page_size, table_state

# The Policies page's "Filter by Type": query value -> (label, ListPolicies scope, type shown)
TYPE_FILTERS = {
    "": (gettext_lazy("All types"), "All", None),
    "aws": (PolicyType.AWS_MANAGED.label, "AWS", PolicyType.AWS_MANAGED),
    "customer": (PolicyType.CUSTOMER_MANAGED.label, "Local", PolicyType.CUSTOMER_MANAGED),
    "job_function": (PolicyType.AWS_MANAGED_JOB_FUNCTION.label, "AWS", PolicyType.AWS_MANAGED_JOB_FUNCTION),
}
AWS_MANAGED_READ_ONLY = gettext_lazy(
    "%(name)s is an AWS managed policy. Only AWS can change or delete it; to customize it, "
    "copy its JSON into a new customer managed policy."
)


def policy_url(name: str, policy, **params) -> str:
    """The URL of a policy page (``iam:<name>``) for ``policy`` (addressed by ARN)."""
    return reverse(f"iam:{name}") + "?" + urlencode({"arn": policy.arn, **params})


def used_as(policy) -> list[str]:
    """The Policies page's "Used as" column."""
    used = []
    if policy.attachment_count:
        used.append(_("Permissions policy (%(count)s)") % {"count": policy.attachment_count})
    if policy.permissions_boundary_usage_count:
        used.append(
            _("Permissions boundary (%(count)s)") % {"count": policy.permissions_boundary_usage_count}
        )
    return used or [_("None")]


def with_policy(view):
    """Resolve ``?arn=`` to a managed policy of the caller's account (or AWS's) for ``view``.

    No ARN at all sends the caller to the Policies list, which the gate guards like the
    list itself (iam:ListPolicies); an unknown ARN is a 404 (NoSuchEntity).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        arn = request.GET.get("arn", "").strip()
        if not arn:
            policy_services.list_policies(request.principal, max_items=1)  # authorizes iam:ListPolicies
            return redirect("iam:policy_list")
        policy = policy_services.get_policy(request.principal, policy_arn=arn)
        return view(request, policy, *args, **kwargs)

    return wrapper


def _document_failed(request, template, context, form, exc: IAMError):
    """A service refused a policy document: AWS's message on the editor, its line marked."""
    if isinstance(exc, MalformedPolicyDocument):
        form.mark_error_position(exc)
    return form_failed(request, template, context, form, exc, "policy_document")


def aws_managed_refusal(request, policy, attempt=None):
    """AWS managed policies are read-only: the page says so (400); a POST still goes to the
    service (``attempt``), which refuses it with AWS's error and audits the attempt."""
    message = AWS_MANAGED_READ_ONLY % {"name": policy.policy_name}
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
    context = {"policy": policy, "read_only_message": message}
    return render(request, "iam/policy_read_only.html", context, status=status)


POLICY_COLUMNS = [
    ("type", gettext_lazy("Type")),
    ("used_as", gettext_lazy("Used as")),
    ("description", gettext_lazy("Description")),
]


def policy_list(request):
    """Policies: AWS's table, paged, sorted and filtered (by text and by type) on the server."""
    state = table_state(request, default_sort="policy_name", keep=("type",))
    type_filter = state.extra.get("type", "")
    if type_filter not in TYPE_FILTERS:
        type_filter = ""
    context = {
        "state": state,
        "columns": POLICY_COLUMNS,
        "page_sizes": PAGE_SIZES,
        "type_filter": type_filter,
        "type_choices": [(value, label) for value, (label, _scope, _type) in TYPE_FILTERS.items()],
    }
    status = 200
    try:
        page = policy_services.search_policies(request.principal, policy_type=type_filter, **state.kwargs())
    except AccessDenied as exc:
        context["denied"], status = exc, 403
    else:
        context["page"] = page
        context["rows"] = [(p, used_as(p)) for p in page]
    return remember_page_size(request, render(request, "iam/policy_list.html", context, status=status), state)


def policy_delete_many(request):
    """The Policies table's Delete of customer managed policies: after typing "delete", each as
    the console deletes one (detached, versions deleted); all or nothing."""
    refuse_unless(request.principal, "iam:DeletePolicy", "policy", "*")
    arns = list(dict.fromkeys((request.POST or request.GET).getlist("arns")))[:100]
    if not arns:
        return redirect("iam:policy_list")
    form = ConfirmWordForm(request.POST or None)
    context = {"form": form, "arns": arns}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/policy_delete_many.html", context)
        try:
            policy_services.console_delete_policies(request.principal, policy_arns=arns)
        except IAMError as exc:
            return form_failed(request, "iam/policy_delete_many.html", context, form, exc)
        messages.success(
            request,
            ngettext("%(count)s policy deleted.", "%(count)s policies deleted.", len(arns))
            % {"count": len(arns)},
        )
        return redirect("iam:policy_list")
    return render(request, "iam/policy_delete_many.html", context)


def policy_create(request):
    actor = request.principal
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
                policy_name=data["policy_name"],
                policy_document=data["policy_document"],
                description=data["description"],
            )
        except (MalformedPolicyDocument, LimitExceeded) as exc:
            if "PoliciesPerAccount" in exc.message:
                return form_failed(request, template, context, form, exc)
            return _document_failed(request, template, context, form, exc)
        except IAMError as exc:
            field = "policy_name" if exc.code == "EntityAlreadyExists" else None
            return form_failed(request, template, context, form, exc, field)
        messages.success(request, _("Policy %(name)s created.") % {"name": policy.policy_name})
        return redirect(policy_url("policy_detail", policy))
    return render(request, template, context)


def _entities_context(entities) -> dict:
    count = sum(
        len(names)
        for names in (
            entities.users,
            entities.groups,
            entities.roles,
            entities.boundary_users,
            entities.boundary_roles,
        )
    )
    return {"entities": entities, "entity_count": count}


def localized_summary(summary):
    """The policy summary with the engine's English labels (``Full: List, Read``, ``All
    resources``, ``Multiple``, an effect) in the page's language; ARNs, conditions and service
    names as they are. In English it is the summary as the engine wrote it."""
    if summary is None:
        return None

    def row(r):
        return dataclasses.replace(
            r,
            access_level=tuple(summary_label(part) for part in r.access_level),
            resource=summary_label(r.resource),
            condition=summary_label(r.condition),
        )

    return dataclasses.replace(
        summary,
        deny=tuple(row(r) for r in summary.deny),
        allow=tuple(row(r) for r in summary.allow),
        unrecognized=tuple(
            dataclasses.replace(u, effect=summary_label(u.effect)) for u in summary.unrecognized
        ),
    )


def document_context(request, version) -> dict:
    """The "Permissions defined in this policy" panel: the document as stored (AWS's JSON
    view) and its summary by service; ``?view=json`` shows the JSON first, as the console's
    Summary / JSON toggle does."""
    urls = {}
    for view in ("summary", "json"):
        query = request.GET.copy()
        query.pop("tab", None)  # the Permissions tab is the default
        query["view"] = view
        urls[f"{view}_url"] = f"{request.path}?{query.urlencode()}"
    return {
        "version": version,
        "summary": localized_summary(policy_services.summarize_document(version.document)),
        "view": "json" if request.GET.get("view") == "json" else "summary",
        **urls,
    }


@with_policy
def policy_detail(request, policy):
    """Policy details: Permissions (summary and JSON of the default version), Entities
    attached, Policy versions, and Tags (customer managed policies only, as in AWS)."""
    from .tags import tags_context

    actor = request.principal
    tab = request.GET.get("tab", "permissions")
    context = {"policy": policy}
    status = 200
    if tab == "entities":
        context.update(
            _entities_context(policy_services.list_entities_for_policy(actor, policy_arn=policy.arn))
        )
    elif tab == "versions":
        context["versions"] = policy_services.list_policy_versions(actor, policy_arn=policy.arn).items
    elif tab == "tags" and not policy.is_aws_managed:
        tags, status = tags_context(
            lambda **kw: tag_services.list_policy_tags(actor, **kw),
            policy_url("policy_tags_edit", policy),
            policy_arn=policy.arn,
        )
        context.update(tags)
    else:
        tab = "permissions"
        version = policy_services.get_default_policy_version(actor, policy_arn=policy.arn)
        context.update(document_context(request, version))
    context["tab"] = tab
    return render(request, "iam/policy_detail.html", context, status=status)


@with_policy
def policy_version_detail(request, policy):
    version = policy_services.get_policy_version(
        request.principal, policy_arn=policy.arn, version_id=request.GET.get("version_id", "")
    )
    context = {"policy": policy, **document_context(request, version)}
    return render(request, "iam/policy_version_detail.html", context)


@with_policy
def policy_edit(request, policy):
    """Edit: the JSON editor; Save changes makes a new default version (deleting the version
    chosen on the page when the policy already has 5)."""
    actor = request.principal
    template = "iam/policy_edit.html"
    if policy.is_aws_managed:
        return aws_managed_refusal(
            request,
            policy,
            lambda: policy_services.create_policy_version(
                actor, policy_arn=policy.arn, policy_document=request.POST.get("policy_document", "")
            ),
        )
    refuse_unless(actor, "iam:CreatePolicyVersion", arn=policy.arn)
    versions = policy_services.list_policy_versions(actor, policy_arn=policy.arn).items
    deletable = None
    if len(versions) >= policy_services.VERSIONS_PER_POLICY:
        deletable = [
            (
                v.version_id,
                _("%(version)s — created %(date)s")
                % {"version": v.version_id, "date": f"{localtime(v.create_date):%Y-%m-%d %H:%M:%S %Z}"},
            )
            for v in versions
            if not v.is_default_version
        ]
    current = policy_services.get_default_policy_version(actor, policy_arn=policy.arn)
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
                policy_document=form.cleaned_data["policy_document"],
                delete_version_id=form.cleaned_data.get("delete_version_id") or None,
            )
        except (MalformedPolicyDocument, LimitExceeded) as exc:
            return _document_failed(request, template, context, form, exc)
        except IAMError as exc:
            field = "delete_version_id" if form.must_delete_a_version else None
            return form_failed(request, template, context, form, exc, field)
        messages.success(
            request,
            _("Policy %(name)s updated. Version %(version)s is the default.")
            % {"name": policy.policy_name, "version": version.version_id},
        )
        return redirect(policy_url("policy_detail", policy))
    return render(request, template, context)


@with_policy
def policy_delete(request, policy):
    """Delete: the console detaches the policy from every entity and deletes its versions."""
    actor = request.principal
    template = "iam/policy_delete.html"
    if policy.is_aws_managed:
        return aws_managed_refusal(
            request, policy, lambda: policy_services.delete_policy(actor, policy_arn=policy.arn)
        )
    refuse_unless(actor, "iam:DeletePolicy", arn=policy.arn)
    form = ConfirmDeleteForm(request.POST or None, expected=policy.policy_name, noun=_("policy name"))
    return confirmed_delete(
        request,
        template,
        {"form": form, "policy": policy},
        lambda: policy_services.console_delete_policy(actor, policy_arn=policy.arn),
        _("Policy %(name)s deleted.") % {"name": policy.policy_name},
        "iam:policy_list",
    )


def _versions_refused(request, policy, exc: IAMError):
    """Show the Policy versions tab again with AWS's error and its 4xx status."""
    if isinstance(exc, AccessDenied) or exc.status >= 500:
        raise exc
    context = {
        "policy": policy,
        "tab": "versions",
        "versions": policy_services.list_policy_versions(request.principal, policy_arn=policy.arn).items,
        "error_message": exc.message,
    }
    return render(request, "iam/policy_detail.html", context, status=exc.status)


@require_POST
@with_policy
def policy_version_set_default(request, policy):
    version_id = request.POST.get("version_id", "")
    try:
        policy_services.set_default_policy_version(
            request.principal, policy_arn=policy.arn, version_id=version_id
        )
    except IAMError as exc:
        return _versions_refused(request, policy, exc)
    messages.success(
        request,
        _("Version %(version)s of %(name)s is now the default version.")
        % {"version": version_id, "name": policy.policy_name},
    )
    return redirect(policy_url("policy_detail", policy, tab="versions"))


@with_policy
def policy_version_delete(request, policy):
    actor = request.principal
    template = "iam/policy_version_delete.html"
    if policy.is_aws_managed:
        return aws_managed_refusal(
            request,
            policy,
            lambda: policy_services.delete_policy_version(
                actor, policy_arn=policy.arn, version_id=request.GET.get("version_id", "")
            ),
        )
    refuse_unless(actor, "iam:DeletePolicyVersion", arn=policy.arn)
    version = policy_services.get_policy_version(
        actor, policy_arn=policy.arn, version_id=request.GET.get("version_id", "")
    )
    context = {"policy": policy, "version": version}
    if request.method == "POST":
        try:
            policy_services.delete_policy_version(actor, policy_arn=policy.arn, version_id=version.version_id)
        except IAMError as exc:
            if isinstance(exc, AccessDenied) or exc.status >= 500:
                raise
            context["error_message"] = exc.message
            return render(request, template, context, status=exc.status)
        messages.success(
            request,
            _("Version %(version)s of %(name)s deleted.")
            % {"version": version.version_id, "name": policy.policy_name},
        )
        return redirect(policy_url("policy_detail", policy, tab="versions"))
    return render(request, template, context)


@with_policy
def policy_attach_entities(request, policy):
    """Entities attached → Attach: choose users, user groups and roles to attach the policy to."""
    actor = request.principal
    template = "iam/policy_attach_entities.html"
    attached = policy_services.list_entities_for_policy(actor, policy_arn=policy.arn)
    form = EntitiesForm(request.POST or None)
    chosen = request.POST.getlist("entities") if request.method == "POST" else []
    pickers = []
    for kind, label in (("users", _("Users")), ("groups", _("User groups")), ("roles", _("Roles"))):
        prefix = kind[:-1] + ":"
        picker = picker_context(
            request,
            Picker(
                kind, "entities", label, prefix=prefix, chosen=[c for c in chosen if c.startswith(prefix)]
            ),
        )
        picker.attached = {prefix + name for name in attached.names(kind)}
        pickers.append(picker)
    context = {"form": form, "policy": policy, "pickers": pickers}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            permission_services.console_attach_policy_to_entities(
                actor,
                policy_arn=policy.arn,
                user_names=form.chosen("user"),
                group_names=form.chosen("group"),
                role_names=form.chosen("role"),
            )
        except IAMError as exc:
            return form_failed(request, template, context, form, exc, "entities")
        count = len(form.cleaned_data["entities"])
        messages.success(
            request,
            ngettext(
                "Policy %(name)s attached to %(count)s entity.",
                "Policy %(name)s attached to %(count)s entities.",
                count,
            )
            % {"name": policy.policy_name, "count": count},
        )
        return redirect(policy_url("policy_detail", policy, tab="entities"))
    return render(request, template, context)


@require_POST
@with_policy
def policy_detach_entities(request, policy):
    actor = request.principal
    attached = policy_services.list_entities_for_policy(actor, policy_arn=policy.arn)
    form = EntitiesForm(request.POST)
    if not form.is_valid():
        context = {
            "policy": policy,
            "tab": "entities",
            **_entities_context(attached),
            "error_message": " ".join(form.errors.get("entities", [_("Choose at least one entity.")])),
        }
        return render(request, "iam/policy_detail.html", context, status=400)
    permission_services.console_detach_policy_from_entities(
        actor,
        policy_arn=policy.arn,
        user_names=form.chosen("user"),
        group_names=form.chosen("group"),
        role_names=form.chosen("role"),
    )
    count = len(form.cleaned_data["entities"])
    messages.success(
        request,
        ngettext(
            "Policy %(name)s detached from %(count)s entity.",
            "Policy %(name)s detached from %(count)s entities.",
            count,
        )
        % {"name": policy.policy_name, "count": count},
    )
    return redirect(policy_url("policy_detail", policy, tab="entities"))

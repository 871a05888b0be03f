"""The EC2 console: Dashboard, Instances (the table with Instance state and Actions menus),
Launch an instance, the instance's page (Details, Security, Tags), Modify IAM role, Manage
tags and Connect.

Every read and write goes through ``ec2.services`` (and ``accounts.services`` for the account's
instance profiles). A refusal is shown inside the page with AWS's message; a failed action
comes back as a red flash on the page it was started from.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy

from accounts.errors import AccessDenied, IAMError
from accounts.services import instance_profiles as profile_services
from accounts.views.base import console_base_url, listed, no_store

from .. import catalog, states
from ..errors import InvalidInstanceIDMalformed, InvalidInstanceIDNotFound
from ..forms import InstanceSelectionForm, LaunchInstanceForm, ManageTagsForm, ModifyIamRoleForm
from ..services import iam_instance_profiles, instances, metadata, tags
from ..services import instance_connect as connect_services
from ..services.access import plain_reason
from .common import current_region, refusal, render_ec2, url


def dashboard(request):
    region = current_region(request)
    context = {"denied": None, "running": 0, "total": 0}
    try:
        found = instances.describe_instances(request.principal, region=region.name).items
    except AccessDenied as exc:
        context["denied"] = refusal(exc)
    else:
        context["total"] = len(found)
        context["running"] = sum(1 for i in found if i.state_name == states.RUNNING)
    return render_ec2(request, "ec2/dashboard.html", region, context, switch_to="ec2:dashboard")


def instance_list(request):
    region = current_region(request)
    context = {"instances": [], "denied": None}
    status = 200
    try:
        context["instances"] = instances.describe_instances(request.principal, region=region.name).items
    except AccessDenied as exc:
        context["denied"] = refusal(exc)
        status = 403
    return render_ec2(request, "ec2/instance_list.html", region, context, status=status)


# Actions that work on one selected instance open its page.
GO_TO = {
    "modify-iam-role": "ec2:instance_modify_iam_role",
    "tags": "ec2:instance_tags_edit",
    "connect": "ec2:instance_connect",
}


def instance_go(request):
    """The Actions menu's one-instance items: open the chosen page of the selected instance."""
    region = current_region(request)
    data = request.POST if request.method == "POST" else request.GET
    chosen = data.getlist("instance_ids")
    target = GO_TO.get(data.get("to", ""))
    if target is None or len(chosen) != 1:
        messages.error(request, gettext("Select one instance."))
        return redirect(url("ec2:instance_list", region))
    return redirect(url(target, region, chosen[0]))


def _tag_specifications(pairs) -> list:
    if not pairs:
        return []
    return [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in pairs]}]


def instance_launch(request):
    actor = request.principal
    region = current_region(request)
    profiles, profiles_denied = listed(profile_services.list_instance_profiles, actor)
    form = LaunchInstanceForm(
        request.POST or None, instance_profiles=[p.instance_profile_name for p in profiles]
    )
    context = {
        "form": form,
        "profiles_denied": profiles_denied,
        "images": catalog.IMAGES,
        "launch_failed": None,
    }
    template = "ec2/instance_launch.html"
    if request.method != "POST":
        return render_ec2(request, template, region, context)
    if not form.is_valid():
        return render_ec2(request, template, region, context, status=400)
    data = form.cleaned_data
    try:
        reservation = instances.run_instances(
            actor,
            region=region.name,
            image_id=data["image_id"],
            min_count=data["count"],
            max_count=data["count"],
            instance_type=data["instance_type"],
            tag_specifications=_tag_specifications(data["tags"]),
            iam_instance_profile={"Name": data["iam_instance_profile"]}
            if data["iam_instance_profile"]
            else None,
            metadata_options={"HttpTokens": data["http_tokens"]},
        )
    except AccessDenied as exc:
        context["launch_failed"] = refusal(exc)
        return render_ec2(request, template, region, context, status=403)
    except IAMError as exc:
        form.add_error(None, f"{exc.code}: {exc.message}")
        return render_ec2(request, template, region, context, status=400)
    launched = [i.instance_id for i in reservation.instances]
    messages.success(
        request,
        gettext("Successfully initiated launch of instance (%(ids)s)") % {"ids": ", ".join(launched)},
    )
    if len(launched) == 1:
        return redirect(url("ec2:instance_detail", region, launched[0]))
    return redirect(url("ec2:instance_list", region))


STATE_ACTIONS = {
    # action: (service, failure message, success message, confirmation title)
    "start": (
        instances.start_instances,
        gettext_lazy("Failed to start the instance %(ids)s. %(reason)s"),
        gettext_lazy("Successfully started %(ids)s"),
        "",
    ),
    "stop": (
        instances.stop_instances,
        gettext_lazy("Failed to stop the instance %(ids)s. %(reason)s"),
        gettext_lazy("Successfully stopped %(ids)s"),
        gettext_lazy("Stop instance?"),
    ),
    "terminate": (
        instances.terminate_instances,
        gettext_lazy("Failed to terminate the instance %(ids)s. %(reason)s"),
        gettext_lazy("Successfully terminated %(ids)s"),
        gettext_lazy("Terminate (delete) instance?"),
    ),
}


def _next_url(request, region) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return url("ec2:instance_list", region)


def instance_state(request, action):
    """Instance state → Start / Stop / Terminate of the selected instances (stop and
    terminate ask for confirmation first, as the console does)."""
    if action not in STATE_ACTIONS:
        raise Http404("No such instance state action.")
    region = current_region(request)
    if request.method != "POST":
        return redirect(url("ec2:instance_list", region))
    service, failed, succeeded, title = STATE_ACTIONS[action]
    next_url = _next_url(request, region)
    form = InstanceSelectionForm(request.POST)
    if not form.is_valid():
        error = form.errors.get("instance_ids")
        messages.error(
            request,
            error[0] if error and "Invalid id" in error[0] else gettext("Select at least one instance."),
        )
        return redirect(next_url)
    chosen = form.cleaned_data["instance_ids"]
    if title and not form.cleaned_data["confirm"]:
        context = {"action": action, "title": title, "instance_ids": chosen, "next": next_url}
        return render_ec2(request, "ec2/instance_state_confirm.html", region, context)
    try:
        service(request.principal, region=region.name, instance_ids=chosen)
    except IAMError as exc:
        messages.error(request, failed % {"ids": ", ".join(chosen), "reason": plain_reason(exc.message)})
    else:
        messages.success(request, succeeded % {"ids": ", ".join(chosen)})
    return redirect(next_url)


def _describe_one(request, region, instance_id):
    """``(instance, None)``, or ``(None, the page answering the error)``."""
    try:
        found = instances.describe_instances(
            request.principal, region=region.name, instance_ids=[instance_id]
        )
    except (InvalidInstanceIDNotFound, InvalidInstanceIDMalformed) as exc:
        page = render_ec2(
            request,
            "ec2/not_found.html",
            region,
            {"message": exc.message, "instance_id": instance_id},
            status=404,
        )
        return None, page
    except AccessDenied as exc:
        page = render_ec2(
            request,
            "ec2/instance_detail.html",
            region,
            {"instance": None, "instance_id": instance_id, "denied": refusal(exc), "tab": "details"},
            status=403,
        )
        return None, page
    return found.items[0], None


TABS = ("details", "security", "tags")


def instance_detail(request, instance_id):
    region = current_region(request)
    instance, error = _describe_one(request, region, instance_id)
    if error is not None:
        return error
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "details"
    context = {
        "instance": instance,
        "instance_id": instance.instance_id,
        "tab": tab,
        "denied": None,
        "image": catalog.image(instance.image_id),
        "console_url": console_base_url(request),
    }
    return render_ec2(request, "ec2/instance_detail.html", region, context)


# What console_modify_iam_role did, as the flash says it
MODIFY_IAM_ROLE_DONE = {
    "associated": gettext_lazy("Successfully associated the IAM role of %(id)s."),
    "replaced": gettext_lazy("Successfully replaced the IAM role of %(id)s."),
    "disassociated": gettext_lazy("Successfully disassociated the IAM role of %(id)s."),
}


def instance_modify_iam_role(request, instance_id):
    """Security → Modify IAM role."""
    actor = request.principal
    region = current_region(request)
    instance, error = _describe_one(request, region, instance_id)
    if error is not None:
        return error
    profiles, profiles_denied = listed(profile_services.list_instance_profiles, actor)
    current = instance.iam_instance_profile.name if instance.iam_instance_profile else ""
    form = ModifyIamRoleForm(
        request.POST or None,
        instance_profiles=[p.instance_profile_name for p in profiles],
        initial={"iam_instance_profile": current},
    )
    template = "ec2/instance_modify_iam_role.html"
    context = {"form": form, "instance": instance, "profiles_denied": profiles_denied, "failed": None}
    if request.method != "POST":
        return render_ec2(request, template, region, context)
    if not form.is_valid():
        return render_ec2(request, template, region, context, status=400)
    try:
        done = iam_instance_profiles.console_modify_iam_role(
            actor,
            region=region.name,
            instance_id=instance.instance_id,
            instance_profile_name=form.cleaned_data["iam_instance_profile"],
        )
    except AccessDenied as exc:
        context["failed"] = refusal(exc)
        return render_ec2(request, template, region, context, status=403)
    except IAMError as exc:
        form.add_error("iam_instance_profile", f"{exc.code}: {exc.message}")
        return render_ec2(request, template, region, context, status=400)
    if done == "unchanged":
        messages.info(request, gettext("The IAM role of %(id)s is unchanged.") % {"id": instance.instance_id})
    else:
        messages.success(request, MODIFY_IAM_ROLE_DONE[done] % {"id": instance.instance_id})
    return redirect(url("ec2:instance_detail", region, instance.instance_id, tab="security"))


def instance_tags_edit(request, instance_id):
    """Tags → Manage tags."""
    region = current_region(request)
    instance, error = _describe_one(request, region, instance_id)
    if error is not None:
        return error
    form = ManageTagsForm(request.POST or None, tags=instance.tags)
    template = "ec2/instance_tags_edit.html"
    context = {"form": form, "instance": instance, "failed": None}
    if request.method != "POST":
        return render_ec2(request, template, region, context)
    if not form.is_valid():
        return render_ec2(request, template, region, context, status=400)
    try:
        tags.console_manage_tags(
            request.principal,
            region=region.name,
            instance_id=instance.instance_id,
            tags=form.cleaned_data["tags"],
        )
    except AccessDenied as exc:
        context["failed"] = refusal(exc)
        return render_ec2(request, template, region, context, status=403)
    except IAMError as exc:
        form.add_error(None, f"{exc.code}: {exc.message}")
        return render_ec2(request, template, region, context, status=400)
    messages.success(
        request, gettext("Successfully saved the tags of %(id)s.") % {"id": instance.instance_id}
    )
    return redirect(url("ec2:instance_detail", region, instance.instance_id, tab="tags"))


def _session_transcript(instance_id: str, token: str, role_name: str) -> list[tuple[str, str]]:
    """What the instance's metadata service answers to the IMDSv2 handshake, command by command."""
    out = []
    answer = metadata.put_token(instance_id, connect_token=token, ttl_seconds="21600")
    out.append(
        (
            'TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")',
            "",
        )
    )
    if answer.status != 200:
        out[-1] = (out[-1][0], f"{answer.status} {answer.body}")
        return out
    session = answer.body
    base = 'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/'
    for path in ("instance-id", "iam/security-credentials/") + (
        (f"iam/security-credentials/{role_name}",) if role_name else ()
    ):
        reply = metadata.get(instance_id, f"meta-data/{path}", session_token=session)
        out.append((base + path, reply.body if reply.status == 200 else f"{reply.status} {reply.body}"))
    return out


def instance_connect(request, instance_id):
    """Connect to instance: EC2 Instance Connect's session (the token that opens the
    instance's metadata service) and how the AWS CLI inside the instance uses its role."""
    region = current_region(request)
    instance, error = _describe_one(request, region, instance_id)
    if error is not None:
        return error
    image = catalog.image(instance.image_id)
    context = {
        "instance": instance,
        "os_user": image.default_user if image else "ec2-user",
        "session": None,
        "transcript": [],
        "failed": None,
        "console_url": console_base_url(request),
    }
    template = "ec2/instance_connect.html"
    if request.method != "POST":
        return render_ec2(request, template, region, context)
    try:
        session = connect_services.send_ssh_public_key(
            request.principal,
            region=region.name,
            instance_id=instance.instance_id,
            instance_os_user=context["os_user"],
        )
    except AccessDenied as exc:
        context["failed"] = refusal(exc)
        return render_ec2(request, template, region, context, status=403)
    except IAMError as exc:
        context["failed"] = {"message": exc.message, "full_message": exc.message, "code": exc.code}
        return render_ec2(request, template, region, context, status=400)
    context["session"] = session
    context["transcript"] = _session_transcript(instance.instance_id, session.token, session.role_name)
    return no_store(render_ec2(request, template, region, context))

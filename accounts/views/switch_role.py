"""Switch role, as AWS's console does it: from the account menu (or a role's "Link to switch
roles in console"), choose an account and a role; the console then acts as a session of the
role (every page decided as the role) until the session ends or the user switches back. The
five most recent roles are offered again in the account menu."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..errors import AccessDenied
from ..forms.switch_role import SwitchRoleForm
from ..services import authentication, sts
from . import session

# The console's own words (sts.SWITCH_ROLE_INVALID), which AWS's Korean console translates
# (the AccessDenied under it stays AWS's English).
SWITCH_ROLE_INVALID = gettext_lazy(
    "Invalid information in one or more fields. Check your information or contact your administrator."
)


def _switch(request, form: SwitchRoleForm):
    """AssumeRole for the signed-in user; the console acts as the session from now on."""
    data = form.cleaned_data
    user = session.user_principal(request)
    assumed = sts.switch_role(user, account=data["account"], role_name=data["role_name"])
    session.begin_switched_role(
        request,
        {
            "access_key_id": assumed.credentials.access_key_id,
            "account": data["account"],
            "account_id": assumed.account_id,
            "role_name": data["role_name"],
            "display_name": data["display_name"] or "",
            "color": data["color"] or "",
            "expires_at": assumed.credentials.expiration.isoformat(),
        },
    )
    authentication.record_console_switch(assumed.credentials.access_key_id, user)


def switch_role(request):
    """``/switchrole?account=…&roleName=…&displayName=…``: the Switch role page."""
    if request.user.is_root:
        messages.error(request, sts.ROOT_CANNOT_ASSUME, extra_tags="aws")  # AWS's words: English
        return render(request, "iam/switch_role.html", {"form": None, "root": True}, status=403)
    initial = {
        "account": request.GET.get("account", ""),
        "role_name": request.GET.get("roleName", ""),
        "display_name": request.GET.get("displayName", ""),
        "color": request.GET.get("color", ""),
    }
    form = SwitchRoleForm(request.POST or None, initial=initial)
    context = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "iam/switch_role.html", context, status=400)
        try:
            _switch(request, form)
        except AccessDenied as exc:
            context["refusal"] = exc
            form.add_error(None, SWITCH_ROLE_INVALID)
            return render(request, "iam/switch_role.html", context, status=403)
        return redirect("console_home")
    return render(request, "iam/switch_role.html", context)


@require_POST
def switch_back(request):
    """Back to the signed-in user: the role session's credentials stop working now."""
    switched = session.end_switched_role(request)
    if switched:
        sts.end_session(session.user_principal(request), access_key_id=switched["access_key_id"])
        messages.info(request, _("You switched back to %(name)s.") % {"name": request.user.name})
    return redirect(reverse("console_home"))


@require_POST
def switch_recent(request):
    """Switch again to one of the recent roles (the account menu's list)."""
    try:
        entry = session.recent_roles(request)[int(request.POST.get("index", ""))]
    except (ValueError, IndexError):
        return redirect("switch_role")
    form = SwitchRoleForm(
        {
            "account": entry["account"],
            "role_name": entry["role_name"],
            "display_name": entry["display_name"],
            "color": entry["color"],
        }
    )
    if not form.is_valid():
        return redirect("switch_role")
    try:
        _switch(request, form)
    except AccessDenied as exc:
        form.add_error(None, SWITCH_ROLE_INVALID)
        return render(request, "iam/switch_role.html", {"form": form, "refusal": exc}, status=403)
    return redirect("console_home")

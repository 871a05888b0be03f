"""Request middleware: the call context for services, the acting principal, and the gates
of the pending MFA step and the forced password change."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from . import context
from .principals import principal_for_identity
from .services import authentication
from .services.signin import HARD_EXPIRED
from .views.session import MFA_AT_KEY, PENDING_KEY, SWITCHED_ROLE_KEY


class PrincipalMiddleware:
    """``request.principal``: who the console acts as (the signed-in root or IAM user, or the
    role session it switched to), built once per request when a view first needs it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = SimpleLazyObject(lambda: console_principal(request))
        return self.get_response(request)


def console_principal(request):
    """The signed-in identity's principal, or the role session it switched to while that lasts
    (an ended session — expired, switched back, role deleted — returns the console to the user)."""
    user = request.user
    if not user.is_authenticated:
        return None
    principal = principal_for_identity(user)
    switched = request.session.get(SWITCHED_ROLE_KEY)
    if switched:
        found = authentication.console_session_principal(switched["access_key_id"], principal.arn)
        if found is not None:
            return found[0]
        request.session.pop(SWITCHED_ROLE_KEY, None)
        messages.warning(request, _("Your role session ended. You are back to your own permissions."))
    return principal


class RequestContextMiddleware:
    """Expose the caller's source IP (and later MFA state) to services and the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.activate(
            context.for_request(request, mfa_authenticated_at=request.session.get(MFA_AT_KEY))
        )
        try:
            return self.get_response(request)
        finally:
            context.deactivate(token)


class MFAPendingMiddleware:
    """A session that passed only the password step is sent to the MFA page, never the console."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated or PENDING_KEY not in request.session:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages (sign-in, sign-up, the MFA page itself)
        return redirect("signin_mfa")


def allowed_during_password_change(view):
    """Mark a view as reachable by a user who must change its password first."""
    view.allowed_during_password_change = True
    return view


class PasswordChangeRequiredMiddleware:
    """A user whose password must be reset (or has expired) reaches nothing but the change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_root:
            return None
        rules = user.account.password_rules()
        expired = user.password_expired(rules)
        if not (user.password_reset_required or expired):
            return None
        if expired and rules.hard_expiry:
            logout(request)
            messages.error(request, _(HARD_EXPIRED))  # its msgid is in views.signin.SIGNIN_MESSAGES
            return redirect("signin")
        if getattr(view_func, "allowed_during_password_change", False):
            return None
        return redirect("password_change_required")


class RecentServicesMiddleware:
    """Console Home's "Recently visited": the service of each console page shown (its URL
    namespace: iam, ec2, s3), most recent first, kept in a cookie (no query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and match.namespace
            and request.method == "GET"
            and response.status_code == 200
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            from .views.home import note_visit

            note_visit(request, response, match.namespace.split(":")[0])
        return response


class DownloadStepMiddleware:
    """A Retrieve step's CSV stays downloadable while the learner is on the step: any other
    console page the session loads afterwards closes the step (``downloads.close_step``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and match.view_name != "iam:credentials_download"
            and hasattr(request, "session")
        ):
            from . import downloads

            downloads.close_step(request)
        return response

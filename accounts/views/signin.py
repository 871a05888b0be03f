"""Sign-up, sign-in (root by email, IAM user by account + user name), sign-out, forced change."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ..api import views as api_views
from ..errors import IAMError, Throttled
from ..forms.signin import (
    ChangePasswordForm,
    IAMUserSignInForm,
    MFACodeForm,
    ReauthenticateForm,
    RootPasswordForm,
    SignInStartForm,
    SignUpForm,
)
from ..identifiers import ALIAS_RE
from ..middleware import allowed_during_password_change
from ..services import account as account_services
from ..services import signin
from . import session
from .base import form_failed, invalid

ROOT_EMAIL_SESSION_KEY = "signin_root_email"

# The sign-in page's own words for a refused step (services.signin's English), which AWS's
# Korean sign-in page translates; any other message (AWS's Throttling …) stays as it is.
SIGNIN_MESSAGES = {
    signin.GENERIC_FAILURE: gettext_lazy("Your authentication information is incorrect. Please try again."),
    signin.MFA_FAILURE: gettext_lazy("Your authentication information is incorrect. Please try again."),
    signin.HARD_EXPIRED: gettext_lazy(
        "Your password has expired, and only an administrator can reset it. Contact your administrator."
    ),
    signin.TEMPORARY_EXPIRED: gettext_lazy(
        "Your temporary password has expired. Ask your administrator to reset it."
    ),
}


def signin_message(message: str) -> str:
    """``message`` in the page's language when it is one of the sign-in page's own."""
    return SIGNIN_MESSAGES.get(message, message)


def safe_next(request, default="console_home") -> str:
    """The ``next`` target when it stays on this site, else Console Home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _with_next(url: str, request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return f"{url}?{urlencode({'next': nxt})}"
    return url


@login_not_required
@csrf_exempt
@never_cache
def home(request):
    """``/``: the AWS API endpoint for API clients, else the console (or its sign-in page)."""
    if api_views.is_api_request(request):
        return api_views.aws_endpoint(request)
    return redirect("console_home" if request.user.is_authenticated else "signin")


@login_not_required
@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
def signup(request):
    form = SignUpForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "signin/signup.html", context)
        data = form.cleaned_data
        try:
            root = signin.sign_up(
                email=data["email"],
                password=data["password"],
                account_name=data["account_name"],
                source_ip=session.client_ip(request),
            )
        except Throttled as exc:
            return _refused(request, "signin/signup.html", context, exc)
        except IAMError as exc:
            field = (
                "email"
                if exc.code == "EntityAlreadyExists"
                else ("password" if exc.code == "PasswordPolicyViolation" else None)
            )
            return form_failed(request, "signin/signup.html", context, form, exc, field)
        session.complete_sign_in(request, root)
        messages.success(
            request,
            _(
                "Your AWS account %(account)s is ready. As a security best practice, "
                "add MFA for the root user and create IAM users for daily work."
            )
            % {"account": root.account.dashed_id},
        )
        return redirect("console_home")
    return render(request, "signin/signup.html", context)


@login_not_required
@csrf_protect
@never_cache
def signin_start(request):
    """AWS's first sign-in page: choose Root user or IAM user, then Next."""
    root_chosen = request.GET.get("user_type") == SignInStartForm.ROOT  # e.g. after the root user signs out
    form = SignInStartForm(
        request.POST or None, initial={"user_type": SignInStartForm.ROOT} if root_chosen else None
    )
    context = {"form": form, "next": request.GET.get("next", "")}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "signin/start.html", context)
        data = form.cleaned_data
        if data["user_type"] == SignInStartForm.ROOT:
            request.session[ROOT_EMAIL_SESSION_KEY] = data["root_email"]
            return redirect(_with_next(reverse("signin_root"), request))
        account = data["account"].strip().lower()
        digits = account.replace("-", "")
        if len(digits) == 12 and digits.isdigit():
            account = digits
        elif not ALIAS_RE.match(account):
            form.add_error("account", _("Enter a 12-digit account ID or a valid account alias."))
            return invalid(request, "signin/start.html", context)
        return redirect(_with_next(reverse("signin_account", args=[account]), request))
    return render(request, "signin/start.html", context)


def _refused(request, template, context, exc: IAMError):
    """A refused sign-in step: AWS's message on the form, 401/403, or 429 with Retry-After."""
    context["form"].add_error(None, signin_message(exc.message))
    response = render(request, template, context, status=exc.status)
    if isinstance(exc, Throttled):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _password_accepted(request, identity):
    """After a correct password: the MFA step when the identity has a device, else the console."""
    target = safe_next(request)
    if signin.needs_mfa(identity):
        session.begin_mfa(request, identity, target)
        return redirect("signin_mfa")
    session.complete_sign_in(request, identity)
    return redirect(target)


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def signin_root(request):
    """Root user: the password step after the email."""
    email = request.session.get(ROOT_EMAIL_SESSION_KEY)
    if not email:
        return redirect("signin")
    form = RootPasswordForm(request.POST or None)
    context = {"form": form, "email": email, "next": request.GET.get("next", "")}
    template = "signin/root_password.html"
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            identity = signin.sign_in_root(
                email=email, password=form.cleaned_data["password"], source_ip=session.client_ip(request)
            )
        except (Throttled, signin.SignInRefused) as exc:
            return _refused(request, template, context, exc)
        request.session.pop(ROOT_EMAIL_SESSION_KEY, None)
        return _password_accepted(request, identity)
    return render(request, template, context)


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def signin_account(request, account):
    """IAM user: account ID or alias (prefilled from the account's sign-in URL), user name, password."""
    form = IAMUserSignInForm(request.POST or None, initial={"account": account})
    context = {"form": form, "account": account, "next": request.GET.get("next", "")}
    template = "signin/iam_user.html"
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        data = form.cleaned_data
        try:
            identity = signin.sign_in_iam_user(
                account=data["account"],
                user_name=data["user_name"],
                password=data["password"],
                source_ip=session.client_ip(request),
            )
        except (Throttled, signin.SignInRefused) as exc:
            return _refused(request, template, context, exc)
        return _password_accepted(request, identity)
    return render(request, template, context)


@login_not_required
@csrf_protect
@never_cache
def signin_mfa(request):
    """The second stage: an MFA code from any of the identity's devices."""
    pending = session.pending_identity(request)
    if pending is None:
        messages.error(request, _("Your sign-in session expired. Sign in again."))
        return redirect("signin")
    identity, target = pending
    form = MFACodeForm(request.POST or None)
    context = {"form": form, "identity": identity}
    template = "signin/mfa.html"
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            signin.verify_mfa(identity, code=form.cleaned_data["code"], source_ip=session.client_ip(request))
        except Throttled as exc:
            return _refused(request, template, context, exc)
        except signin.SignInRefused as exc:
            form.add_error("code", signin_message(exc.message))
            return render(request, template, context, status=exc.status)
        session.complete_sign_in(request, identity, mfa=True)
        return redirect(target)
    return render(request, template, context)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def reauthenticate(request):
    """Confirm the password (and an MFA code when the user has a device) before an MFA change."""
    user = request.user
    form = ReauthenticateForm(request.POST or None, needs_code=signin.needs_mfa(user))
    context = {"form": form}
    template = "signin/reauthenticate.html"
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        try:
            signin.reauthenticate(
                user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data.get("code") if form.needs_code else None,
                source_ip=session.client_ip(request),
            )
        except (Throttled, signin.SignInRefused) as exc:
            return _refused(request, template, context, exc)
        session.reauthenticated(request)
        return redirect(safe_next(request))
    return render(request, template, context)


@login_not_required
@require_POST
@allowed_during_password_change
def signout(request):
    identity = request.user if request.user.is_authenticated else None
    back_to = None
    if identity is not None and not identity.is_root:
        account = account_services.describe_account(identity)
        back_to = reverse("signin_account", args=[account["alias"] or account["account_id"]])
    session.sign_out(request)
    messages.info(request, _("You have signed out."))
    if back_to is None and identity is not None:  # the root user: the root sign-in again
        back_to = f"{reverse('signin')}?user_type={SignInStartForm.ROOT}"
    return redirect(back_to or "signin")


@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
@csrf_protect
@never_cache
@allowed_during_password_change
def password_change_required(request):
    """The new-password page an IAM user must pass before anything else in the console."""
    user = request.user
    must_change, expired, rules = signin.must_change_password(user)
    if not must_change:
        return redirect("console_home")
    form = ChangePasswordForm(request.POST or None)
    context = {"form": form, "rules": rules, "expired": expired}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "signin/password_change_required.html", context)
        data = form.cleaned_data
        try:
            updated = signin.change_password(
                user, old_password=data["old_password"], new_password=data["new_password"]
            )
        except Throttled as exc:
            return _refused(request, "signin/password_change_required.html", context, exc)
        except IAMError as exc:
            field = "old_password" if exc.code == "InvalidInput" else "new_password"
            return form_failed(request, "signin/password_change_required.html", context, form, exc, field)
        update_session_auth_hash(request, updated)
        messages.success(request, _("Your password has been changed."))
        return redirect(safe_next(request))
    return render(request, "signin/password_change_required.html", context)

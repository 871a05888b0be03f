"""Sign-up, sign-in (root by email, IAM user by account + user name), sign-out, forced change."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ..backends import resolve_account
from ..errors import IAMError, Throttled
from ..forms import (
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
from ..services import credentials, signin, throttle
from ..services import mfa as mfa_services
from .base import form_failed, invalid

ROOT_EMAIL_SESSION_KEY = "signin_root_email"


def safe_next(request, default="iam:dashboard") -> str:
    """The ``next`` target when it stays on this site, else the dashboard."""
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
@never_cache
def home(request):
    return redirect("iam:dashboard" if request.user.is_authenticated else "signin")


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
            root = account_services.create_account(
                email=data["email"], password=data["password"], account_name=data["account_name"]
            )
        except IAMError as exc:
            field = (
                "email"
                if exc.code == "EntityAlreadyExists"
                else ("password" if exc.code == "PasswordPolicyViolation" else None)
            )
            return form_failed(request, "signin/signup.html", context, form, exc, field)
        signin.complete_sign_in(request, root)
        messages.success(
            request,
            f"Your AWS account {root.account.dashed_id} is ready. As a security best practice, "
            "add MFA for the root user and create IAM users for daily work.",
        )
        return redirect("iam:dashboard")
    return render(request, "signin/signup.html", context)


@login_not_required
@csrf_protect
@never_cache
def signin_start(request):
    """AWS's first sign-in page: choose Root user or IAM user, then Next."""
    form = SignInStartForm(request.POST or None)
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
            form.add_error("account", "Enter a 12-digit account ID or a valid account alias.")
            return invalid(request, "signin/start.html", context)
        return redirect(_with_next(reverse("signin_account", args=[account]), request))
    return render(request, "signin/start.html", context)


def _throttled(request, template, context, exc: Throttled):
    context["form"].add_error(None, exc.message)
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _password_accepted(request, identity):
    """After a correct password: the MFA step when the identity has a device, else the console."""
    target = safe_next(request)
    if signin.needs_mfa(identity):
        signin.begin_mfa(request, identity, target)
        return redirect("signin_mfa")
    signin.complete_sign_in(request, identity)
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
        ip = request.META.get("REMOTE_ADDR")
        key = throttle.typed_identity_key(root_email=email)
        try:
            throttle.check(key, ip)
        except Throttled as exc:
            signin.record_failure(login_to="root", user_name=email, reason="Throttled")
            return _throttled(request, template, context, exc)
        identity = authenticate(request, root_email=email, password=form.cleaned_data["password"])
        if identity is None:
            throttle.record_failure(key, ip, "password")
            signin.record_failure(login_to="root", user_name=email, reason="Failed authentication")
            form.add_error(None, signin.GENERIC_FAILURE)
            return render(request, template, context, status=401)
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
        ip = request.META.get("REMOTE_ADDR")
        key = throttle.typed_identity_key(
            account=resolve_account(data["account"]),
            account_text=data["account"],
            user_name=data["user_name"],
        )
        try:
            throttle.check(key, ip)
        except Throttled as exc:
            signin.record_failure(login_to=data["account"], user_name=data["user_name"], reason="Throttled")
            return _throttled(request, template, context, exc)
        identity = authenticate(
            request, account=data["account"], user_name=data["user_name"], password=data["password"]
        )
        if identity is None:
            throttle.record_failure(key, ip, "password")
            signin.record_failure(
                login_to=data["account"], user_name=data["user_name"], reason="Failed authentication"
            )
            form.add_error(None, signin.GENERIC_FAILURE)
            return render(request, template, context, status=401)
        reason = signin.refuse_reason(identity)
        if reason:
            signin.record_failure(
                login_to=data["account"], user_name=data["user_name"], reason=reason, identity=identity
            )
            form.add_error(None, reason)
            return render(request, template, context, status=403)
        return _password_accepted(request, identity)
    return render(request, template, context)


@login_not_required
@csrf_protect
@never_cache
def signin_mfa(request):
    """The second stage: an MFA code from any of the identity's devices."""
    pending = signin.pending_identity(request)
    if pending is None:
        messages.error(request, "Your sign-in session expired. Sign in again.")
        return redirect("signin")
    identity, target = pending
    form = MFACodeForm(request.POST or None)
    context = {"form": form, "identity": identity}
    template = "signin/mfa.html"
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, template, context)
        ip = request.META.get("REMOTE_ADDR")
        key = throttle.identity_key_for(identity)
        try:
            throttle.check(key, ip)
        except Throttled as exc:
            signin.record_failure(
                login_to=identity.account.account_id, user_name=key, reason="Throttled", identity=identity
            )
            return _throttled(request, template, context, exc)
        device = mfa_services.verify_code(identity, form.cleaned_data["code"])
        if device is None:
            throttle.record_failure(key, ip, "mfa", account_id=identity.account.account_id)
            signin.record_failure(
                login_to=identity.account.account_id, user_name=key, reason="Failed MFA", identity=identity
            )
            form.add_error("code", signin.MFA_FAILURE)
            return render(request, template, context, status=401)
        signin.complete_sign_in(request, identity, mfa=True)
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
        ip = request.META.get("REMOTE_ADDR")
        key = throttle.identity_key_for(user)
        try:
            throttle.check(key, ip)
        except Throttled as exc:
            return _throttled(request, template, context, exc)
        ok = user.check_password(form.cleaned_data["password"])
        if ok and form.needs_code:
            ok = mfa_services.verify_code(user, form.cleaned_data["code"]) is not None
        if not ok:
            throttle.record_failure(key, ip, "reauth", account_id=user.account.account_id)
            form.add_error(None, signin.GENERIC_FAILURE)
            return render(request, template, context, status=401)
        signin.reauthenticated(request)
        return redirect(safe_next(request))
    return render(request, template, context)


@login_not_required
@require_POST
@allowed_during_password_change
def signout(request):
    account = request.user.account if request.user.is_authenticated else None
    signin.sign_out(request)
    messages.info(request, "You have signed out.")
    if account is not None and not request.user.is_authenticated:
        return redirect(account.signin_path())
    return redirect("signin")


@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
@csrf_protect
@never_cache
@allowed_during_password_change
def password_change_required(request):
    """The new-password page an IAM user must pass before anything else in the console."""
    user = request.user
    rules = user.account.password_rules()
    if user.is_root or not (user.password_reset_required or user.password_expired(rules)):
        return redirect("iam:dashboard")
    form = ChangePasswordForm(request.POST or None)
    context = {"form": form, "rules": rules, "expired": user.password_expired(rules)}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "signin/password_change_required.html", context)
        data = form.cleaned_data
        try:
            updated = credentials.change_password(
                user, old_password=data["old_password"], new_password=data["new_password"]
            )
        except IAMError as exc:
            field = "old_password" if exc.code == "InvalidInput" else "new_password"
            return form_failed(request, "signin/password_change_required.html", context, form, exc, field)
        update_session_auth_hash(request, updated)
        messages.success(request, "Your password has been changed.")
        return redirect(safe_next(request))
    return render(request, "signin/password_change_required.html", context)

"""The IAM dashboard, account settings (password policy, alias) and "My security credentials"."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from ..errors import AccessDenied, IAMError, Throttled
from ..forms.account import AccountAliasForm, PasswordPolicyForm
from ..forms.common import ConfirmDeleteForm
from ..forms.signin import ChangePasswordForm
from ..services import access_keys as key_services
from ..services import account as account_services
from ..services import credentials
from ..services import identity_providers as identity_provider_services
from ..services import mfa as mfa_services
from .base import form_failed, invalid, refuse_unless, signin_url


def security_recommendations(actor, summary) -> list[dict]:
    """AWS's dashboard recommendations, each with its state, for the signed-in principal."""
    if actor.is_root:
        root_mfa = bool(summary["AccountMFAEnabled"])
        root_keys = bool(summary["AccountAccessKeysPresent"])
        return [
            {
                "done": root_mfa,
                "title": _("Root user has MFA") if root_mfa else _("Add MFA for root user"),
                "text": _(
                    "Having multi-factor authentication (MFA) for the root user improves security for this account."
                ),
                "action": None if root_mfa else (_("Add MFA"), reverse("iam:mfa_assign_self")),
            },
            {
                "done": not root_keys,
                "title": _("Root user has no active access keys")
                if not root_keys
                else _("Deactivate or delete access keys for root user"),
                "text": _(
                    "Using access keys attached to an IAM user instead of the root user improves security."
                ),
                "action": None
                if not root_keys
                else (_("Manage access keys"), reverse("iam:security_credentials")),
            },
        ]
    if actor.is_role_session:
        return []
    has_mfa = bool(mfa_services.list_mfa_devices(actor).items)
    return [
        {
            "done": has_mfa,
            "title": _("You have MFA") if has_mfa else _("Add MFA for yourself"),
            "text": _(
                "Having multi-factor authentication (MFA) for yourself improves security for this account."
            ),
            "action": None if has_mfa else (_("Add MFA"), reverse("iam:mfa_assign_self")),
        }
    ]


def dashboard(request):
    """AWS's IAM dashboard: account ID, alias, sign-in URL, resource counts, recommendations."""
    actor = request.principal
    account = account_services.describe_account(actor)
    summary_refusal = None
    try:
        summary = account_services.get_account_summary(actor).summary_map
    except AccessDenied as exc:
        summary, summary_refusal = None, exc
    counts = None
    if summary is not None:
        counts = {"groups": summary["Groups"], "users": summary["Users"], "roles": summary["Roles"]}
    recommendations = (
        security_recommendations(actor, summary) if summary is not None or not actor.is_root else []
    )
    return render(
        request,
        "iam/dashboard.html",
        {
            "account": account,
            "signin_url": signin_url(request, account),
            "counts": counts,
            "summary_refusal": summary_refusal,
            "recommendations": recommendations,
        },
    )


def account_alias_edit(request):
    actor = request.principal
    refuse_unless(actor, "iam:CreateAccountAlias")
    account = account_services.describe_account(actor)
    form = AccountAliasForm(request.POST or None, initial={"alias": account["alias"] or ""})
    context = {"form": form, "account": account}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/account_alias_edit.html", context)
        try:
            account_services.create_account_alias(actor, account_alias=form.cleaned_data["alias"])
        except IAMError as exc:
            return form_failed(request, "iam/account_alias_edit.html", context, form, exc, "alias")
        messages.success(
            request, _("Account alias %(alias)s created.") % {"alias": form.cleaned_data["alias"]}
        )
        return redirect("iam:dashboard")
    return render(request, "iam/account_alias_edit.html", context)


def account_alias_delete(request):
    actor = request.principal
    refuse_unless(actor, "iam:DeleteAccountAlias")
    alias = account_services.describe_account(actor)["alias"]
    if request.method == "POST" and alias:
        account_services.delete_account_alias(actor, account_alias=alias)
        messages.success(request, _("Account alias %(alias)s deleted.") % {"alias": alias})
        return redirect("iam:dashboard")
    if not alias:
        return redirect("iam:dashboard")
    return render(request, "iam/account_alias_delete.html", {"alias": alias})


def account_settings(request):
    actor = request.principal
    rules = account_services.get_account_password_policy(actor, or_default=True)
    return render(
        request,
        "iam/account_settings.html",
        {"rules": rules, "account": account_services.describe_account(actor)},
    )


def password_policy_edit(request):
    actor = request.principal
    refuse_unless(actor, "iam:UpdateAccountPasswordPolicy")
    rules = account_services.get_account_password_policy(actor, or_default=True)
    initial = {
        "mode": "default" if rules.is_default else "custom",
        "minimum_password_length": rules.minimum_password_length,
        "require_uppercase_characters": rules.require_uppercase_characters,
        "require_lowercase_characters": rules.require_lowercase_characters,
        "require_numbers": rules.require_numbers,
        "require_symbols": rules.require_symbols,
        "expire_passwords": bool(rules.max_password_age),
        "max_password_age": rules.max_password_age or 90,
        "hard_expiry": rules.hard_expiry,
        "allow_users_to_change_password": rules.allow_users_to_change_password,
        "prevent_reuse": bool(rules.password_reuse_prevention),
        "password_reuse_prevention": rules.password_reuse_prevention or 5,
    }
    form = PasswordPolicyForm(request.POST or None, initial=initial)
    context = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/password_policy_edit.html", context)
        try:
            if form.cleaned_data["mode"] == PasswordPolicyForm.DEFAULT:
                if not rules.is_default:
                    account_services.delete_account_password_policy(actor)
            else:
                account_services.update_account_password_policy(actor, **form.policy_values())
        except IAMError as exc:
            return form_failed(request, "iam/password_policy_edit.html", context, form, exc)
        messages.success(request, _("Password policy updated."))
        return redirect("iam:account_settings")
    return render(request, "iam/password_policy_edit.html", context)


def security_credentials(request):
    """My security credentials: console password, MFA devices and access keys of the caller."""
    actor = request.principal
    if actor.is_role_session:
        # a role has no credentials of its own: they are the signed-in user's
        return render(
            request, "iam/security_credentials.html", {"me": account_services.describe_caller(actor)}
        )
    can_change = credentials.may_change_own_password(actor)
    return render(
        request,
        "iam/security_credentials.html",
        {
            "me": account_services.describe_caller(actor),
            "subject_is_root": actor.is_root,
            "can_change_password": can_change,
            "signin_url": signin_url(request, account_services.describe_account(actor)),
            "mfa_devices": mfa_services.list_mfa_devices(actor),
            "access_keys": key_services.list_access_keys(actor),
            "base": reverse("iam:security_credentials"),
        },
    )


@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
def security_credentials_password(request):
    """Update console password (self-service), allowed by the password policy or a policy."""
    actor = request.principal
    form = ChangePasswordForm(request.POST or None)
    form.fields["old_password"].label = _("Current password")
    form.fields["new_password_confirm"].label = _("Confirm new password")
    rules = account_services.get_password_rules_for(actor)
    context = {"form": form, "rules": rules}
    refuse_unless(actor, "iam:ChangePassword", arn=actor.arn)
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/security_credentials_password.html", context)
        data = form.cleaned_data
        try:
            updated = credentials.change_password(
                actor, old_password=data["old_password"], new_password=data["new_password"]
            )
        except Throttled as exc:  # too many wrong current passwords: the sign-in throttle's 429
            form.add_error(None, exc.message)
            response = render(request, "iam/security_credentials_password.html", context, status=exc.status)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except IAMError as exc:
            field = "old_password" if exc.code == "InvalidInput" else "new_password"
            return form_failed(request, "iam/security_credentials_password.html", context, form, exc, field)
        update_session_auth_hash(request, updated)
        messages.success(request, _("Your console password has been updated."))
        return redirect("iam:security_credentials")
    return render(request, "iam/security_credentials_password.html", context)


def account_reset(request):
    """Root's "Reset this account": type the account ID to confirm, then every IAM entity,
    policy, credential and alias goes (the account and the root user stay)."""
    actor = request.principal
    if not actor.is_root:
        raise AccessDenied(account_services.RESET_REFUSED.format(arn=actor.arn, account=actor.account_id))
    form = ConfirmDeleteForm(request.POST or None, expected=actor.account_id, noun=_("account ID"))
    context = {"form": form, "account": account_services.describe_account(actor)}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/account_reset.html", context)
        counts = account_services.reset_account(actor)
        total = sum(counts.values())
        messages.success(
            request,
            _("Account reset: %(count)s item(s) deleted. The account and its root user remain.")
            % {"count": total},
        )
        return redirect("iam:account_settings")
    return render(request, "iam/account_reset.html", context)


def identity_providers(request):
    """Identity providers: SAML and OpenID Connect providers (none until federation exists);
    a caller who may not list them keeps the page and sees AWS's refusal in the table."""
    context, status = {"providers": []}, 200
    try:
        context["providers"] = [
            *identity_provider_services.list_saml_providers(request.principal),
            *identity_provider_services.list_open_id_connect_providers(request.principal),
        ]
    except AccessDenied as exc:
        context["denied"], status = exc, 403
    return render(request, "iam/identity_providers.html", context, status=status)

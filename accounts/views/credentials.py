"""MFA devices and access keys, for oneself (Security credentials) and for an IAM user (its page).

Every view takes ``user_name``: None for the signed-in identity itself, else the IAM user
an administrator manages. Changing MFA needs a recent sign-in (re-authentication).
"""

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import crypto, downloads, totp
from ..errors import IAMError
from ..forms.common import ConfirmDeleteForm
from ..forms.credentials import AssignMFADeviceForm, CreateAccessKeyForm, TwoCodesForm
from ..services import access_keys as key_services
from ..services import account as account_services
from ..services import mfa as mfa_services
from ..services import users as user_services
from . import session
from .base import form_failed, invalid, no_store, refuse_unless

ENROLMENT_KEY = "mfa_enrolment"


def credentials_home(user_name) -> str:
    if user_name is None:
        return reverse("iam:security_credentials")
    return reverse("iam:user_detail", args=[user_name]) + "?tab=security_credentials"


def cred_base(user_name) -> str:
    """The URL prefix of the credential actions for the caller (None) or an IAM user."""
    if user_name is None:
        return reverse("iam:security_credentials")
    return reverse("iam:user_detail", args=[user_name])


def _subject(request, user_name) -> dict:
    """Whose credentials: the caller itself (None) or an IAM user of its account (GetUser)."""
    actor = request.principal
    if user_name is None:
        return {"is_self": True, "is_root": actor.is_root, "name": actor.name, "arn": actor.arn}
    user = user_services.get_user(actor, user_name=user_name)
    return {"is_self": False, "is_root": False, "name": user.user_name, "arn": user.arn}


def _require_recent_auth(request):
    if session.recently_authenticated(request):
        return None
    return redirect(reverse("reauthenticate") + "?" + urlencode({"next": request.get_full_path()}))


# --- MFA ---------------------------------------------------------------------------------


def mfa_assign(request, user_name=None):
    """Step 1: name the device; a fresh secret waits (encrypted) in the session."""
    actor = request.principal
    subject = _subject(request, user_name)
    refuse_unless(actor, "iam:EnableMFADevice", arn=subject["arn"])
    if (redirect_to := _require_recent_auth(request)) is not None:
        return redirect_to
    form = AssignMFADeviceForm(request.POST or None)
    context = {"form": form, "subject": subject, "home": credentials_home(user_name)}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/mfa_assign.html", context)
        name = form.cleaned_data["device_name"]
        try:
            mfa_services.check_device_name_free(actor, device_name=name)
        except IAMError as exc:
            return form_failed(request, "iam/mfa_assign.html", context, form, exc, "device_name")
        request.session[ENROLMENT_KEY] = {
            "subject": user_name or "",
            "name": name,
            "secret": crypto.encrypt(totp.new_secret()),
        }
        return redirect(cred_base(user_name) + "mfa/setup/")
    return render(request, "iam/mfa_assign.html", context)


def mfa_setup(request, user_name=None):
    """Step 2: QR code (or the secret key) and two consecutive codes."""
    actor = request.principal
    subject = _subject(request, user_name)
    refuse_unless(actor, "iam:EnableMFADevice", arn=subject["arn"])
    if (redirect_to := _require_recent_auth(request)) is not None:
        return redirect_to
    enrolment = request.session.get(ENROLMENT_KEY)
    if not enrolment or enrolment["subject"] != (user_name or ""):
        return redirect(cred_base(user_name) + "mfa/assign/")
    secret = crypto.decrypt(enrolment["secret"])
    form = TwoCodesForm(request.POST or None)
    account = account_services.describe_account(actor)
    uri = totp.provisioning_uri(
        secret, enrolment["name"], account["alias"] or account["account_id"], issuer="iamconsole"
    )
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).to_string(
        encoding="unicode"
    )
    context = {
        "form": form,
        "subject": subject,
        "device_name": enrolment["name"],
        "secret": secret,
        "qr_svg": mark_safe(svg),  # noqa: S308 - qrcode's own SVG of a URI it escaped
        "home": credentials_home(user_name),
    }
    if request.method == "POST":
        if not form.is_valid():
            return no_store(invalid(request, "iam/mfa_setup.html", context))
        try:
            mfa_services.enable_virtual_mfa_device(
                actor,
                user_name=user_name,
                device_name=enrolment["name"],
                secret=secret,
                code1=form.cleaned_data["code1"],
                code2=form.cleaned_data["code2"],
            )
        except IAMError as exc:
            return no_store(form_failed(request, "iam/mfa_setup.html", context, form, exc))
        request.session.pop(ENROLMENT_KEY, None)
        messages.success(
            request,
            _("MFA device assigned. The device %(name)s is now required at sign-in.")
            % {"name": enrolment["name"]},
        )
        return redirect(credentials_home(user_name))
    return no_store(render(request, "iam/mfa_setup.html", context))


def mfa_remove(request, device_name, user_name=None):
    actor = request.principal
    subject = _subject(request, user_name)
    serial = mfa_services.mfa_serial_number(actor, device_name)
    refuse_unless(actor, "iam:DeactivateMFADevice", arn=subject["arn"])
    if (redirect_to := _require_recent_auth(request)) is not None:
        return redirect_to
    if request.method == "POST":
        mfa_services.console_remove_mfa_device(actor, user_name=user_name, serial_number=serial)
        messages.success(request, _("MFA device %(name)s removed.") % {"name": device_name})
        return redirect(credentials_home(user_name))
    mfa_services.get_mfa_device(actor, user_name=user_name, serial_number=serial)  # NoSuchEntity → 404
    devices = mfa_services.list_mfa_devices(actor, user_name=user_name)
    return render(
        request,
        "iam/mfa_remove.html",
        {
            "subject": subject,
            "serial": serial,
            "device_name": device_name,
            "device_count": len(devices),
            "home": credentials_home(user_name),
        },
    )


def mfa_resync(request, device_name, user_name=None):
    actor = request.principal
    subject = _subject(request, user_name)
    serial = mfa_services.mfa_serial_number(actor, device_name)
    refuse_unless(actor, "iam:ResyncMFADevice", arn=subject["arn"])
    if (redirect_to := _require_recent_auth(request)) is not None:
        return redirect_to
    if request.method != "POST":
        mfa_services.get_mfa_device(actor, user_name=user_name, serial_number=serial)  # NoSuchEntity → 404
    form = TwoCodesForm(request.POST or None)
    context = {
        "form": form,
        "subject": subject,
        "device_name": device_name,
        "home": credentials_home(user_name),
    }
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/mfa_resync.html", context)
        try:
            mfa_services.resync_mfa_device(
                actor,
                user_name=user_name,
                serial_number=serial,
                authentication_code1=form.cleaned_data["code1"],
                authentication_code2=form.cleaned_data["code2"],
            )
        except IAMError as exc:
            return form_failed(request, "iam/mfa_resync.html", context, form, exc)
        messages.success(request, _("MFA device %(name)s resynchronized.") % {"name": device_name})
        return redirect(credentials_home(user_name))
    return render(request, "iam/mfa_resync.html", context)


# --- access keys -------------------------------------------------------------------------


def access_key_create(request, user_name=None):
    actor = request.principal
    subject = _subject(request, user_name)
    refuse_unless(actor, "iam:CreateAccessKey", arn=subject["arn"])
    form = CreateAccessKeyForm(request.POST or None)
    context = {"form": form, "subject": subject, "home": credentials_home(user_name)}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/access_key_create.html", context)
        try:
            key = key_services.create_access_key(
                actor, user_name=user_name, description=form.cleaned_data["description"]
            )
        except IAMError as exc:
            return form_failed(request, "iam/access_key_create.html", context, form, exc)
        token = downloads.stash(
            request,
            filename=f"{key.user_name}_accessKeys.csv",
            content=downloads.access_key_csv(key.access_key_id, key.secret_access_key),
        )
        return no_store(
            render(
                request,
                "iam/access_key_retrieve.html",
                {
                    "key": key,
                    "secret": key.secret_access_key,
                    "subject": subject,
                    "download_token": token,
                    "home": credentials_home(user_name),
                },
            )
        )
    return render(request, "iam/access_key_create.html", context)


@require_POST
def access_key_status(request, access_key_id, status, user_name=None):
    key_services.update_access_key(
        request.principal, user_name=user_name, access_key_id=access_key_id, status=status
    )
    text = (
        _("Access key %(key)s is now active.")
        if status.lower() == "active"
        else _("Access key %(key)s is now inactive.")
    )
    messages.success(request, text % {"key": access_key_id})
    return redirect(credentials_home(user_name))


def access_key_delete(request, access_key_id, user_name=None):
    actor = request.principal
    subject = _subject(request, user_name)
    refuse_unless(actor, "iam:DeleteAccessKey", arn=subject["arn"])
    key = key_services.get_access_key(actor, user_name=user_name, access_key_id=access_key_id)
    form = ConfirmDeleteForm(request.POST or None, expected=access_key_id, noun=_("access key ID"))
    context = {"form": form, "key": key, "subject": subject, "home": credentials_home(user_name)}
    if request.method == "POST":
        if not form.is_valid():
            return invalid(request, "iam/access_key_delete.html", context)
        try:
            key_services.console_delete_access_key(actor, user_name=user_name, access_key_id=access_key_id)
        except IAMError as exc:
            return form_failed(request, "iam/access_key_delete.html", context, form, exc)
        messages.success(request, _("Access key %(key)s deleted.") % {"key": access_key_id})
        return redirect(credentials_home(user_name))
    return render(request, "iam/access_key_delete.html", context)

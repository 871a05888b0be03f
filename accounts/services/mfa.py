"""Virtual MFA devices: assign (two consecutive codes), verify at sign-in without replay, resync, remove."""

import logging

from django.utils import timezone

from .. import crypto, totp
from ..authz import authorize
from ..errors import (
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from ..identifiers import NAME_CHARS, could_be_arn, iam_arn
from ..models import Identity, MFADevice
from .base import add_detail, iam_action, record_event
from .lookups import find_user

log = logging.getLogger("iamconsole.mfa")

MFA_DEVICES_PER_USER = 8
INVALID_CODE = "Authentication code for device is not valid."
# How far either way resync looks for the two codes (in 30-second steps).
RESYNC_WINDOW_STEPS = 20


def _subject(actor, user_name: str | None) -> Identity:
    """The identity whose devices are managed: the caller itself (None) or an IAM user of its account."""
    if user_name is None:
        return Identity.objects.select_related("account").get(pk=actor.pk)
    return find_user(actor, user_name)


def serial_number_for(identity: Identity, device_name: str) -> str:
    return iam_arn(identity.account.account_id, "mfa", "/", device_name)


def validate_device_name(name: str) -> str:
    if not name or len(name) > 128 or not NAME_CHARS.match(name):
        raise ValidationError(
            "The device name must be 1-128 characters: A-Z, a-z, 0-9, and + = , . @ _ - (hyphen)."
        )
    return name


def _two_consecutive_steps(secret: str, code1: str, code2: str, around: int, window: int) -> int | None:
    """The step of ``code2`` when ``code1`` and ``code2`` are consecutive codes near ``around``."""
    if not (totp.is_well_formed(code1) and totp.is_well_formed(code2)):
        return None
    for step in range(around + window, around - window - 1, -1):
        if totp.code_at_step(secret, step) == code1 and totp.code_at_step(secret, step + 1) == code2:
            return step + 1
    return None


@iam_action("iam:EnableMFADevice")
def enable_virtual_mfa_device(
    actor, *, user_name: str | None, device_name: str, secret: str, code1: str, code2: str
) -> MFADevice:
    """Create and enable a virtual MFA device (AWS's CreateVirtualMFADevice + EnableMFADevice).

    Raises ValidationError, EntityAlreadyExists, LimitExceeded, InvalidAuthenticationCode.
    """
    validate_device_name(device_name)
    subject = _subject(actor, user_name)
    serial = serial_number_for(subject, device_name)
    authorize(actor, "iam:CreateVirtualMFADevice", serial)
    authorize(actor, "iam:EnableMFADevice", subject.arn)
    add_detail(serial_number=serial)
    Identity.objects.select_for_update().filter(pk=subject.pk).first()  # serialise per user
    if MFADevice.objects.filter(serial_number=serial).exists():
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
    if subject.mfa_devices.count() >= MFA_DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}")
    step = _two_consecutive_steps(secret, code1, code2, totp.time_step(), window=2)
    if step is None:
        raise InvalidAuthenticationCode(INVALID_CODE)
    return MFADevice.objects.create(
        identity=subject,
        name=device_name,
        serial_number=serial,
        secret_encrypted=crypto.encrypt(secret),
        last_used_step=step,
    )


def list_mfa_devices(actor, subject: Identity):
    authorize(actor, "iam:ListMFADevices", subject.arn)
    return list(subject.mfa_devices.all())


def get_mfa_device(actor, subject: Identity, serial_number: str) -> MFADevice:
    authorize(actor, "iam:ListMFADevices", subject.arn)
    return _find_device(subject, serial_number)


def _find_device(subject: Identity, serial_number: str) -> MFADevice:
    device = None
    if could_be_arn(serial_number):
        device = subject.mfa_devices.filter(serial_number=serial_number).first()
    if device is None:
        raise NoSuchEntity(f"MFA Device with serial number {serial_number} does not exist.")
    return device


@iam_action("iam:DeactivateMFADevice")
def deactivate_mfa_device(actor, *, user_name: str | None, serial_number: str) -> None:
    """Remove a device from its user (the console's Remove: deactivate and delete it)."""
    subject = _subject(actor, user_name)
    authorize(actor, "iam:DeactivateMFADevice", subject.arn)
    device = _find_device(subject, serial_number)
    authorize(actor, "iam:DeleteVirtualMFADevice", device.serial_number)
    device.delete()


@iam_action("iam:ResyncMFADevice")
def resync_mfa_device(
    actor, *, user_name: str | None, serial_number: str, code1: str, code2: str
) -> MFADevice:
    """Learn a device's clock drift from two consecutive codes (within ±10 minutes)."""
    subject = _subject(actor, user_name)
    authorize(actor, "iam:ResyncMFADevice", subject.arn)
    device = _find_device(subject, serial_number)
    now = totp.time_step()
    step = _two_consecutive_steps(device.secret, code1, code2, now, window=RESYNC_WINDOW_STEPS)
    if step is None or step <= device.last_used_step:
        raise InvalidAuthenticationCode(INVALID_CODE)
    device.drift = step - now
    device.last_used_step = step
    device.save(update_fields=["drift", "last_used_step"])
    return device


def verify_code(identity: Identity, code: str) -> MFADevice | None:
    """The device of ``identity`` that accepts ``code`` now (±1 step of its drift), or None.

    A code is accepted once: the device's ``last_used_step`` moves up in one conditional
    UPDATE, so of concurrent submissions of one code exactly one wins; a replay is logged
    and audited.
    """
    if not totp.is_well_formed(code):
        return None
    now = totp.time_step()
    for device in identity.mfa_devices.all():
        step = totp.find_step(device.secret, code, now + device.drift)
        if step is None:
            continue
        won = MFADevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
            last_used_step=step, last_used_at=timezone.now()
        )
        if won:
            return device
        log.warning("Refused a replayed MFA code for %s (device %s)", identity.arn, device.serial_number)
        record_event(
            actor=identity,
            action="signin:MFAReplay",
            target=device.serial_number,
            result="Failure",
            error_message="MFA code already used",
        )
        return None
    return None

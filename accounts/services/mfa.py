"""Virtual MFA devices: create, enable (two consecutive codes), verify at sign-in without
replay, resync, deactivate, delete.

AWS's API makes a device in two steps (CreateVirtualMFADevice stores the seed; EnableMFADevice
assigns it to a user with two consecutive codes); the console keeps the fresh seed in the
session until the codes confirm it and then does both at once (``enable_virtual_mfa_device``).
"""

import logging
import struct
import zlib

import qrcode
from django.db.models.functions import Lower
from django.utils import timezone

from .. import crypto, shapes, totp
from ..audit import add_detail, atomic_action, record_event
from ..authz import authorize
from ..errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from ..identifiers import NAME_CHARS, could_be_arn, iam_arn, validate_path
from ..models import Identity, MFADevice
from . import convert
from .base import iam_action, iam_read
from .lookups import account_of, subject_of
from .paging import paginate

log = logging.getLogger("iamconsole.mfa")

MFA_DEVICES_PER_USER = 8
INVALID_CODE = "Authentication code for device is not valid."
# How far either way resync looks for the two codes (in 30-second steps).
RESYNC_WINDOW_STEPS = 20


def mfa_serial_number(actor, device_name: str, path: str = "/") -> str:
    """``arn:aws:iam::ACCOUNT:mfa/NAME``: a virtual device's serial number is its ARN."""
    return iam_arn(actor.account_id, "mfa", path, device_name)


def validate_device_name(name: str) -> str:
    if not name or len(name) > 128 or not NAME_CHARS.match(name):
        raise ValidationError(
            "The device name must be 1-128 characters: A-Z, a-z, 0-9, and + = , . @ _ - (hyphen)."
        )
    return name


def _owner_name(identity: Identity) -> str:
    return "root" if identity.is_root else identity.name


def _two_consecutive_steps(secret: str, code1: str, code2: str, around: int, window: int) -> int | None:
    """The step of ``code2`` when ``code1`` and ``code2`` are consecutive codes near ``around``."""
    if not (totp.is_well_formed(code1) and totp.is_well_formed(code2)):
        return None
    for step in range(around + window, around - window - 1, -1):
        if totp.code_at_step(secret, step) == code1 and totp.code_at_step(secret, step + 1) == code2:
            return step + 1
    return None


def _account_device(actor, serial_number: str, *, for_update: bool = False) -> MFADevice:
    device = None
    if could_be_arn(serial_number):
        qs = MFADevice.objects.select_related("identity")
        if for_update:
            qs = qs.select_for_update(of=("self",))
        device = qs.filter(account_id=actor.account_id, serial_number=serial_number).first()
    if device is None:
        raise NoSuchEntity(f"MFA Device with serial number {serial_number} does not exist.")
    return device


def check_device_name_free(actor, *, device_name: str, path: str = "/") -> str:
    """The console's step 1: the name is valid and no device of the account has it; returns
    the serial number the device will have."""
    validate_device_name(device_name)
    serial = mfa_serial_number(actor, device_name, path)
    if MFADevice.objects.filter(serial_number=serial).exists():
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
    return serial


@iam_action("iam:CreateVirtualMFADevice")
def create_virtual_mfa_device(actor, *, virtual_mfa_device_name: str, path: str = "/") -> dict:
    """A new, unassigned virtual device; returns its serial number, the Base32 seed and a QR
    code PNG of the provisioning URI (shown once, as AWS does)."""
    validate_path(path)
    serial = check_device_name_free(actor, device_name=virtual_mfa_device_name, path=path)
    authorize(actor, "iam:CreateVirtualMFADevice", serial)
    secret = totp.new_secret()
    MFADevice.objects.create(
        account_id=actor.account_id,
        name=virtual_mfa_device_name,
        path=path,
        serial_number=serial,
        secret_encrypted=crypto.encrypt(secret),
    )
    add_detail(serial_number=serial)
    label = account_of(actor).alias or actor.account_id
    uri = totp.provisioning_uri(secret, virtual_mfa_device_name, label, issuer="iamconsole")
    return {
        "serial_number": serial,
        "base32_string_seed": secret.encode(),
        "qr_code_png": qr_code_png(uri),
    }


def qr_code_png(data: str, *, box: int = 4, border: int = 4) -> bytes:
    """A QR code of ``data`` as a greyscale PNG, written here (qrcode's own PNG output needs
    Pillow or pypng, which the project does not install): ``box`` pixels per module."""
    qr = qrcode.QRCode(box_size=1, border=border)
    qr.add_data(data)
    qr.make(fit=True)
    rows = []
    for row in qr.get_matrix():
        line = b"\x00" + b"".join((b"\x00" if dark else b"\xff") * box for dark in row)  # filter 0
        rows.append(line * box)
    side = len(qr.get_matrix()) * box

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _enable(actor, subject: Identity, device: MFADevice, secret: str, code1: str, code2: str) -> MFADevice:
    Identity.objects.select_for_update().filter(pk=subject.pk).first()  # serialise per user
    if subject.mfa_devices.count() >= MFA_DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}")
    step = _two_consecutive_steps(secret, code1, code2, totp.time_step(), window=2)
    if step is None:
        raise InvalidAuthenticationCode(INVALID_CODE)
    device.identity = subject
    device.enabled_at = timezone.now()
    device.last_used_step = step
    device.save()
    return device


@iam_action("iam:EnableMFADevice")
def enable_mfa_device(
    actor,
    *,
    user_name: str | None = None,
    serial_number: str,
    authentication_code1: str,
    authentication_code2: str,
) -> None:
    """Assign a device made by CreateVirtualMFADevice to a user (two consecutive codes)."""
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:EnableMFADevice", subject.arn)
    device = _account_device(actor, serial_number, for_update=True)
    add_detail(serial_number=device.serial_number)
    if device.identity_id is not None:
        raise EntityAlreadyExists("MFA Device is already in use.")
    _enable(actor, subject, device, device.secret, authentication_code1, authentication_code2)


@iam_action("iam:EnableMFADevice")
def enable_virtual_mfa_device(
    actor, *, user_name: str | None, device_name: str, secret: str, code1: str, code2: str
) -> shapes.MFADevice:
    """The console's Assign MFA device: create and enable a virtual device in one go (AWS's
    CreateVirtualMFADevice + EnableMFADevice). Raises ValidationError, EntityAlreadyExists,
    LimitExceeded, InvalidAuthenticationCode."""
    validate_device_name(device_name)
    subject = subject_of(actor, user_name)
    serial = mfa_serial_number(actor, device_name)
    authorize(actor, "iam:CreateVirtualMFADevice", serial)
    authorize(actor, "iam:EnableMFADevice", subject.arn)
    add_detail(serial_number=serial)
    if MFADevice.objects.filter(serial_number=serial).exists():
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
    device = MFADevice(
        account_id=actor.account_id,
        name=device_name,
        serial_number=serial,
        secret_encrypted=crypto.encrypt(secret),
    )
    device = _enable(actor, subject, device, secret, code1, code2)
    return convert.mfa_device(device, _owner_name(subject))


@iam_read("iam:ListMFADevices")
def list_mfa_devices(actor, *, user_name: str | None = None, marker=None, max_items=None) -> shapes.Page:
    """The devices of ``user_name`` (or the caller): at most 8, so one page."""
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:ListMFADevices", subject.arn)
    owner = _owner_name(subject)
    return shapes.Page([convert.mfa_device(d, owner) for d in subject.mfa_devices.all()])


@iam_read("iam:ListVirtualMFADevices")
def list_virtual_mfa_devices(
    actor, *, assignment_status: str = "Any", marker: str | None = None, max_items: int | None = None
) -> shapes.Page:
    """The account's virtual devices, assigned, unassigned or any, with their users."""
    authorize(actor, "iam:ListVirtualMFADevices", mfa_serial_number(actor, ""))
    qs = MFADevice.objects.filter(account_id=actor.account_id).select_related("identity")
    if assignment_status == "Assigned":
        qs = qs.filter(identity__isnull=False)
    elif assignment_status == "Unassigned":
        qs = qs.filter(identity__isnull=True)
    return paginate(
        qs.annotate(sort_key=Lower("serial_number")),
        key="sort_key",
        marker=marker,
        max_items=max_items,
        convert=lambda d: (d.serial_number, d.enabled_at, convert.user(d.identity) if d.identity else None),
    )


@iam_read("iam:ListMFADevices")
def get_mfa_device(actor, *, user_name: str | None = None, serial_number: str) -> shapes.MFADevice:
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:ListMFADevices", subject.arn)
    return convert.mfa_device(_find_device(subject, serial_number), _owner_name(subject))


def _find_device(subject: Identity, serial_number: str) -> MFADevice:
    device = None
    if could_be_arn(serial_number):
        device = subject.mfa_devices.filter(serial_number=serial_number).first()
    if device is None:
        raise NoSuchEntity(f"MFA Device with serial number {serial_number} does not exist.")
    return device


@iam_action("iam:DeactivateMFADevice")
def deactivate_mfa_device(actor, *, user_name: str | None = None, serial_number: str) -> None:
    """Take a device from its user (it stays, unassigned, until DeleteVirtualMFADevice)."""
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:DeactivateMFADevice", subject.arn)
    device = _find_device(subject, serial_number)
    add_detail(serial_number=device.serial_number)
    device.identity = None
    device.enabled_at = None
    device.save(update_fields=["identity", "enabled_at"])


@iam_action("iam:DeleteVirtualMFADevice")
def delete_virtual_mfa_device(actor, *, serial_number: str) -> None:
    device = _account_device(actor, serial_number, for_update=True)
    authorize(actor, "iam:DeleteVirtualMFADevice", device.serial_number)
    if device.identity_id is not None:
        raise DeleteConflict("MFA VirtualDevice in use. Must deactivate first.")
    device.delete()


def console_remove_mfa_device(actor, *, user_name: str | None = None, serial_number: str) -> None:
    """The console's Remove: deactivate the device and delete it; all or nothing."""
    with atomic_action():
        deactivate_mfa_device(actor, user_name=user_name, serial_number=serial_number)
        delete_virtual_mfa_device(actor, serial_number=serial_number)


@iam_action("iam:ResyncMFADevice")
def resync_mfa_device(
    actor,
    *,
    user_name: str | None = None,
    serial_number: str,
    authentication_code1: str,
    authentication_code2: str,
) -> None:
    """Learn a device's clock drift from two consecutive codes (within ±10 minutes)."""
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:ResyncMFADevice", subject.arn)
    device = _find_device(subject, serial_number)
    now = totp.time_step()
    step = _two_consecutive_steps(
        device.secret, authentication_code1, authentication_code2, now, window=RESYNC_WINDOW_STEPS
    )
    if step is None or step <= device.last_used_step:
        raise InvalidAuthenticationCode(INVALID_CODE)
    device.drift = step - now
    device.last_used_step = step
    device.save(update_fields=["drift", "last_used_step"])


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


def verify_serial_code(identity: Identity, serial_number: str, code: str) -> bool:
    """The code is right now for the identity's device ``serial_number`` (STS's SerialNumber +
    TokenCode), and not a replay."""
    device = (
        identity.mfa_devices.filter(serial_number=serial_number).first()
        if could_be_arn(serial_number)
        else None
    )
    if device is None or not totp.is_well_formed(code):
        return False
    step = totp.find_step(device.secret, code, totp.time_step() + device.drift)
    if step is None:
        return False
    return bool(
        MFADevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
            last_used_step=step, last_used_at=timezone.now()
        )
    )

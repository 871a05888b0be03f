import threading

import pytest
import time_machine
from django.db import connection

from accounts import totp
from accounts.errors import (
    AccessDenied,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from accounts.models import AuditEvent, Identity, MFADevice
from accounts.services import mfa
from tests.mfa_helpers import code, consecutive

NOW = 1_800_000_015.0  # a fixed instant, 15 s into a time step


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def enrol(actor, user_name=None, name="phone"):
    secret = totp.new_secret()
    c1, c2 = consecutive(secret)
    device = mfa.enable_virtual_mfa_device(
        actor, user_name=user_name, device_name=name, secret=secret, code1=c1, code2=c2
    )
    return MFADevice.objects.get(serial_number=device.serial_number), secret


def test_enrol_root_device_with_two_consecutive_codes(root, frozen):
    device, secret = enrol(root)
    assert device.serial_number == f"arn:aws:iam::{root.account.account_id}:mfa/phone"
    assert device.last_used_step == totp.time_step()
    assert secret not in device.secret_encrypted and device.secret == secret
    assert AuditEvent.objects.filter(action="iam:EnableMFADevice", result="Success").count() == 1


@pytest.mark.parametrize(
    "pair",
    [
        lambda s: (code(s, 0), code(s, -1)),  # reversed
        lambda s: (code(s, -2), code(s, 0)),  # not consecutive
        lambda s: (code(s, 0), code(s, 0)),  # the same code twice
        lambda s: ("000000", "111111"),
        lambda s: ("12345", "123456"),
    ],
)
def test_enrol_refuses_wrong_codes_and_writes_nothing(root, frozen, pair):
    secret = totp.new_secret()
    c1, c2 = pair(secret)
    with pytest.raises(InvalidAuthenticationCode, match="Authentication code for device is not valid."):
        mfa.enable_virtual_mfa_device(
            root, user_name=None, device_name="phone", secret=secret, code1=c1, code2=c2
        )
    assert not MFADevice.objects.exists()


def test_device_names_limits_and_duplicates(root, frozen):
    enrol(root, name="phone")
    with pytest.raises(EntityAlreadyExists):
        enrol(root, name="phone")
    with pytest.raises(ValidationError):
        enrol(root, name="my phone")
    for i in range(7):
        enrol(root, name=f"d{i}")
    with pytest.raises(LimitExceeded, match="MFADevicesPerUser: 8"):
        enrol(root, name="ninth")
    assert MFADevice.objects.count() == 8


def test_admin_enrols_for_a_user_user_cannot_for_others(root, user_factory, frozen):
    kim = user_factory("kim")
    device, _ = enrol(root, user_name="kim")
    assert device.identity == kim
    user_factory("lee")
    with pytest.raises(AccessDenied):
        enrol(kim, user_name="lee")


def test_verify_accepts_once_then_refuses_replay(root, frozen):
    _, secret = enrol(root)
    frozen.shift(30)  # the enrolment used the current step; move to the next
    current = code(secret)
    assert mfa.verify_code(root, current) is not None
    assert mfa.verify_code(root, current) is None
    assert AuditEvent.objects.filter(action="signin:MFAReplay").count() == 1


def test_older_code_after_newer_is_refused(root, frozen):
    _, secret = enrol(root)
    frozen.shift(60)
    newer, older = code(secret, 0), code(secret, -1)
    assert mfa.verify_code(root, newer)
    assert mfa.verify_code(root, older) is None


@pytest.mark.parametrize("offset,accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_drift_window_edges(root, frozen, offset, accepted):
    _, secret = enrol(root)
    frozen.shift(120)
    assert (mfa.verify_code(root, code(secret, offset)) is not None) is accepted


def test_any_of_several_devices_signs_in(root, frozen):
    enrol(root, name="a")
    _, secret_b = enrol(root, name="b")
    frozen.shift(30)
    assert mfa.verify_code(root, code(secret_b)).name == "b"


def test_code_from_removed_device_is_refused(root, frozen):
    device, secret = enrol(root)
    mfa.deactivate_mfa_device(root, user_name=None, serial_number=device.serial_number)
    frozen.shift(30)
    assert mfa.verify_code(root, code(secret)) is None
    with pytest.raises(NoSuchEntity):
        mfa.deactivate_mfa_device(root, user_name=None, serial_number=device.serial_number)


def test_resync_learns_drift(root, frozen):
    device, secret = enrol(root)
    frozen.shift(60)
    # The device's clock runs 5 steps (2.5 minutes) ahead: its codes fall outside ±1.
    ahead = [code(secret, 4), code(secret, 5)]
    assert mfa.verify_code(root, code(secret, 5)) is None
    mfa.resync_mfa_device(
        root,
        user_name=None,
        serial_number=device.serial_number,
        authentication_code1=ahead[0],
        authentication_code2=ahead[1],
    )
    assert MFADevice.objects.get(pk=device.pk).drift == 5
    frozen.shift(30)
    assert mfa.verify_code(Identity.objects.get(pk=root.pk), code(secret, 6)) is not None
    with pytest.raises(InvalidAuthenticationCode):
        mfa.resync_mfa_device(
            root,
            user_name=None,
            serial_number=device.serial_number,
            authentication_code1="111111",
            authentication_code2="222222",
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_code_exactly_one_wins(root_factory):
    """N threads submit the same fresh code at once: one conditional UPDATE wins."""
    root = root_factory()
    secret = totp.new_secret()
    with time_machine.travel(NOW, tick=False):
        c1, c2 = consecutive(secret)
        mfa.enable_virtual_mfa_device(
            root, user_name=None, device_name="phone", secret=secret, code1=c1, code2=c2
        )
    fresh = code(secret, 1, at=NOW)
    results, barrier = [], threading.Barrier(8)

    def submit():
        try:
            with time_machine.travel(NOW + 30, tick=False):
                barrier.wait()
                results.append(mfa.verify_code(Identity.objects.get(pk=root.pk), fresh) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]

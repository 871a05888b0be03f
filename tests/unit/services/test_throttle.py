import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from accounts.errors import Throttled
from accounts.models import AuditEvent, SignInThrottle
from accounts.services import throttle


def fail(key, ip, n, stage="password"):
    for _ in range(n):
        throttle.failed(throttle.reserve(key, ip, stage))


def test_identity_locks_after_five_failures_from_one_address_and_cools_off(db):
    fail("iam:1:kim", "10.0.0.1", 4)
    throttle.succeeded(throttle.reserve("iam:1:kim", "10.0.0.1", "password"))  # a right one: given back
    fail("iam:1:kim", "10.0.0.1", 1)
    with pytest.raises(Throttled) as exc:
        throttle.reserve("iam:1:kim", "10.0.0.1", "password")
    assert exc.value.status == 429 and 0 < exc.value.retry_after <= 900
    assert AuditEvent.objects.filter(action="signin:Lockout").count() == 1
    # A stranger's five failures lock kim out of the stranger's address only.
    throttle.succeeded(throttle.reserve("iam:1:kim", "10.0.0.9", "password"))
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        throttle.reserve("iam:1:kim", "10.0.0.1", "password")  # cooled off by itself


def test_refused_attempt_counts_nowhere(db):
    fail("iam:1:kim", "10.0.0.1", 5)
    for _ in range(3):
        with pytest.raises(Throttled):
            throttle.reserve("iam:1:kim", "10.0.0.1", "password")
    assert SignInThrottle.objects.get(key="source:10.0.0.1").failures == 5
    assert SignInThrottle.objects.get(key="identity:iam:1:kim").failures == 5


def test_ip_limit_catches_stuffing_across_users(db):
    for i in range(20):
        fail(f"iam:1:user{i}", "10.0.0.2", 1)
    with pytest.raises(Throttled):
        throttle.reserve("iam:1:someone-new", "10.0.0.2", "password")
    throttle.reserve("iam:1:someone-new", "10.0.0.3", "password")


@override_settings(SIGNIN_THROTTLE_IDENTITY_HOURLY_LIMIT=12)
def test_identity_limit_over_all_addresses_catches_a_distributed_guesser(db):
    for n in range(4):
        fail("iam:1:kim", f"10.0.1.{n}", 3)
    with pytest.raises(Throttled) as exc:
        throttle.reserve("iam:1:kim", "10.0.1.200", "password")
    assert 15 * 60 < exc.value.retry_after <= 3600
    assert "identity from all addresses" in AuditEvent.objects.get(action="signin:Lockout").error_message
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=61)):
        throttle.reserve("iam:1:kim", "10.0.1.200", "password")


def test_success_clears_only_this_identity_from_this_ip(db):
    fail("iam:1:kim", "10.0.0.1", 3)
    fail("iam:1:kim", "10.0.0.2", 4)
    throttle.clear("iam:1:kim", "10.0.0.1")
    fail("iam:1:kim", "10.0.0.1", 5)  # five again from the cleared address ...
    with pytest.raises(Throttled):
        throttle.reserve("iam:1:kim", "10.0.0.1", "password")
    fail("iam:1:kim", "10.0.0.2", 1)  # ... and the other address still counts its four
    with pytest.raises(Throttled):
        throttle.reserve("iam:1:kim", "10.0.0.2", "password")


def test_a_refusal_rolls_back_the_other_buckets(db):
    fail("iam:1:kim", "10.0.0.1", 5)
    with pytest.raises(Throttled):
        throttle.reserve("iam:1:kim", "10.0.0.1", "password")
    # The address bucket was counted before the pair bucket refused: not any more.
    assert SignInThrottle.objects.get(key="source:10.0.0.1").failures == 5


@pytest.mark.parametrize(
    "typed,stored",
    [("KIM", "kim"), (" kim ", "kim"), ("Kim", "kim")],
)
def test_typed_and_stored_names_share_a_key(root, user_factory, typed, stored):
    kim = user_factory(stored)
    assert throttle.typed_identity_key(account=root.account, user_name=typed) == throttle.identity_key_for(
        kim
    )
    assert throttle.typed_identity_key(account_text=root.account.account_id, user_name=typed) == (
        throttle.identity_key_for(kim)
    )


@pytest.mark.parametrize("look_alike", ["kım", "\u212aim", "kİm", "ｋｉｍ"])
def test_look_alike_names_have_their_own_keys(root, user_factory, look_alike):
    kim = user_factory("kim")
    key = throttle.typed_identity_key(account=root.account, user_name=look_alike)
    assert key != throttle.identity_key_for(kim)
    assert key.isascii() and len(key) < 80


def test_root_key_folds_ascii_case_only(root):
    assert throttle.typed_identity_key(root_email=root.email.upper()) == throttle.identity_key_for(root)
    assert throttle.typed_identity_key(root_email=root.email.replace("o", "ο")) != throttle.identity_key_for(
        root
    )


def test_signup_bucket(db, settings):
    settings.SIGNUP_THROTTLE_LIMIT = 2
    throttle.reserve_signup("10.0.0.5")
    throttle.reserve_signup("10.0.0.5")
    with pytest.raises(Throttled):
        throttle.reserve_signup("10.0.0.5")
    throttle.reserve_signup("10.0.0.6")

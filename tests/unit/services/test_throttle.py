import pytest
import time_machine
from django.utils import timezone

from accounts.errors import Throttled
from accounts.models import AuditEvent
from accounts.services import throttle


def fail(key, ip, n):
    for _ in range(n):
        throttle.record_failure(key, ip, "password")


def test_identity_locks_after_five_failures_and_cools_off(db):
    fail("iam:1:kim", "10.0.0.1", 4)
    throttle.check("iam:1:kim", "10.0.0.1")
    fail("iam:1:kim", "10.0.0.1", 1)
    with pytest.raises(Throttled) as exc:
        throttle.check("iam:1:kim", "10.0.0.9")  # any IP: the identity is locked
    assert exc.value.status == 429 and 0 < exc.value.retry_after <= 900
    assert AuditEvent.objects.filter(action="signin:Lockout").count() == 1
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        throttle.check("iam:1:kim", "10.0.0.1")  # cooled off by itself


def test_ip_limit_catches_stuffing_across_users(db):
    for i in range(20):
        fail(f"iam:1:user{i}", "10.0.0.2", 1)
    with pytest.raises(Throttled):
        throttle.check("iam:1:someone-new", "10.0.0.2")
    throttle.check("iam:1:someone-new", "10.0.0.3")


def test_success_clears_only_this_identity_from_this_ip(db):
    fail("iam:1:kim", "10.0.0.1", 3)
    fail("iam:1:kim", "10.0.0.2", 2)
    throttle.clear("iam:1:kim", "10.0.0.1")
    # The two failures from the other IP still count: two more make four, not locked ...
    fail("iam:1:kim", "10.0.0.1", 2)
    throttle.check("iam:1:kim", "10.0.0.1")
    # ... and a fifth locks.
    fail("iam:1:kim", "10.0.0.1", 1)
    with pytest.raises(Throttled):
        throttle.check("iam:1:kim", "10.0.0.1")

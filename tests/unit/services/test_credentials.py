import pytest
import time_machine
from django.utils import timezone

from accounts.errors import AccessDenied, InvalidInput, PasswordPolicyViolation
from accounts.models import AuditEvent, Identity
from accounts.services import account as account_services
from accounts.services import credentials


def test_change_own_password_needs_permission(root, user_factory):
    kim = user_factory("kim")
    with pytest.raises(AccessDenied):
        credentials.change_password(kim, old_password="User-Passw0rd!", new_password="New-Passw0rd!")
    account_services.update_account_password_policy(root, allow_users_to_change_password=True)
    kim = Identity.objects.get(pk=kim.pk)
    credentials.change_password(kim, old_password="User-Passw0rd!", new_password="New-Passw0rd!")
    assert Identity.objects.get(pk=kim.pk).check_password("New-Passw0rd!")


def test_must_reset_user_may_always_change_and_flag_clears(user_factory):
    kim = user_factory("kim", reset=True)
    credentials.change_password(kim, old_password="User-Passw0rd!", new_password="New-Passw0rd!")
    kim.refresh_from_db()
    assert not kim.password_reset_required and kim.check_password("New-Passw0rd!")


def test_wrong_old_password_and_same_password(user_factory):
    kim = user_factory("kim", reset=True)
    with pytest.raises(InvalidInput):
        credentials.change_password(kim, old_password="wrong", new_password="New-Passw0rd!")
    with pytest.raises(PasswordPolicyViolation):
        credentials.change_password(kim, old_password="User-Passw0rd!", new_password="User-Passw0rd!")
    kim.refresh_from_db()
    assert kim.password_reset_required and kim.check_password("User-Passw0rd!")
    assert AuditEvent.objects.filter(action="iam:ChangePassword", result="InvalidInput").exists()


def test_reuse_prevention_remembers_n_passwords(root, user_factory):
    account_services.update_account_password_policy(
        root, allow_users_to_change_password=True, password_reuse_prevention=2
    )
    kim = user_factory("kim", password="First-pass1")

    def change(old, new):
        credentials.change_password(Identity.objects.get(pk=kim.pk), old_password=old, new_password=new)

    change("First-pass1", "Second-pass2")
    with pytest.raises(PasswordPolicyViolation, match="password reuse prevention"):
        change("Second-pass2", "First-pass1")
    change("Second-pass2", "Third-pass3")
    # Only the last 2 are remembered: the first one may come back now.
    change("Third-pass3", "First-pass1")


def test_password_expiry(root, user_factory):
    account_services.update_account_password_policy(root, max_password_age=30)
    kim = user_factory("kim")
    rules = Identity.objects.get(pk=kim.pk).account.password_rules()
    assert not kim.password_expired(rules)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=31)):
        assert kim.password_expired(rules)
        # An expired password may be changed even without "allow users to change".
        credentials.change_password(
            Identity.objects.get(pk=kim.pk), old_password="User-Passw0rd!", new_password="Fresh-Passw0rd!"
        )
        assert not Identity.objects.get(pk=kim.pk).password_expired(rules)

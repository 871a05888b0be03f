"""The sign-in throttle's bypasses (issue 9): races, look-alike names, the proxy's address, a
stranger's lockout, sign-up, and wrong current passwords on both change-password pages.

The races need no timing: a ``Gate`` holds every thread that reaches the password (or code)
check until each thread has either reached it or been answered without it; then it counts how
many were checked. Threads share the test database, so those tests are transactional.
"""

import threading

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import totp
from accounts.models import AuditEvent, Identity
from accounts.services import account as account_services
from tests.conftest import ROOT_PASSWORD, USER_PASSWORD
from tests.mfa_helpers import code, consecutive
from tests.web.test_signin import signin_iam, signin_root

SAFETY_TIMEOUT = 120  # seconds; only a deadlock would reach it


class Gate:
    """Holds every thread that calls ``arrive`` until each of ``n`` threads has arrived or
    finished without arriving; counts the arrivals."""

    def __init__(self, n: int):
        self.n = n
        self.arrived = 0
        self.finished = 0
        self.opened = False
        self.cond = threading.Condition()

    def arrive(self) -> None:
        with self.cond:
            self.arrived += 1
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.opened or self.arrived + self.finished >= self.n, SAFETY_TIMEOUT)
            self.opened = True
            self.cond.notify_all()

    def finish(self) -> None:
        with self.cond:
            self.finished += 1
            self.cond.notify_all()


def run_concurrently(n: int, work, gate: Gate | None = None) -> list:
    """``work(i)`` in ``n`` threads started together; their results (or exceptions)."""
    results: list = [None] * n
    start = threading.Barrier(n)

    def run(i):
        try:
            start.wait(SAFETY_TIMEOUT)
            results[i] = work(i)
        except Exception as exc:  # the test inspects it
            results[i] = exc
        finally:
            if gate is not None:
                gate.finish()
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SAFETY_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "threads still running"
    return results


N = 12
LIMIT = 5  # SIGNIN_THROTTLE_IDENTITY_LIMIT


def gate_password_checks(monkeypatch, n) -> Gate:
    """Hold every password check (the hasher's verify) until all ``n`` threads got that far or
    were refused before it."""
    gate = Gate(n)
    real_verify = MD5PasswordHasher.verify

    def verify(self, password, encoded):
        gate.arrive()
        return real_verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", verify)
    return gate


def enrol(root, user_name=None):
    from accounts.services import mfa

    secret = totp.new_secret()
    c1, c2 = consecutive(secret)
    mfa.enable_virtual_mfa_device(
        root, user_name=user_name, device_name="phone", secret=secret, code1=c1, code2=c2
    )
    return secret


def signed_in_client(identity, **kwargs):
    client = Client(**kwargs)
    client.force_login(identity, backend="accounts.backends.IAMUserBackend")
    return client


# --- the race: reserve before checking ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_are_tried_at_most_limit_times(root, user_factory, monkeypatch):
    """40 simultaneous wrong passwords were all tried (the check came before the count)."""
    user_factory("kim")
    gate = gate_password_checks(monkeypatch, N)
    account = root.account.account_id

    responses = run_concurrently(N, lambda i: signin_iam(Client(), account, "kim", f"wrong-{i}"), gate)
    statuses = sorted(r.status_code for r in responses)
    assert gate.arrived == LIMIT
    assert statuses == [401] * LIMIT + [429] * (N - LIMIT)
    monkeypatch.undo()
    assert signin_iam(Client(), account, "kim", USER_PASSWORD).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_mfa_codes_are_tried_at_most_limit_times(root, user_factory, monkeypatch):
    user_factory("kim")
    secret = enrol(root, user_name="kim")
    account = root.account.account_id
    clients = []
    for _ in range(N):  # N sessions waiting for their MFA code (a right password is given back)
        client = Client()
        assert signin_iam(client, account, "kim", USER_PASSWORD)["Location"] == reverse("signin_mfa")
        clients.append(client)
    gate = Gate(N)
    real_find_step = totp.find_step

    def find_step(*args, **kwargs):
        gate.arrive()
        return real_find_step(*args, **kwargs)

    monkeypatch.setattr(totp, "find_step", find_step)
    wrong = "000000" if code(secret) != "000000" else "111111"
    responses = run_concurrently(N, lambda i: clients[i].post(reverse("signin_mfa"), {"code": wrong}), gate)
    assert gate.arrived == LIMIT
    assert sorted(r.status_code for r in responses) == [401] * LIMIT + [429] * (N - LIMIT)


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_reauthentication_is_tried_at_most_limit_times(root, user_factory, monkeypatch):
    kim = user_factory("kim")
    clients = [signed_in_client(kim) for _ in range(N)]
    gate = gate_password_checks(monkeypatch, N)
    responses = run_concurrently(
        N, lambda i: clients[i].post(reverse("reauthenticate"), {"password": f"wrong-{i}"}), gate
    )
    assert gate.arrived == LIMIT
    assert sorted(r.status_code for r in responses) == [401] * LIMIT + [429] * (N - LIMIT)


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_current_passwords_are_tried_at_most_limit_times(root, monkeypatch):
    clients = [signed_in_client(root) for _ in range(N)]
    gate = gate_password_checks(monkeypatch, N)
    url = reverse("iam:security_credentials_password")

    def attempt(i):
        data = {
            "old_password": f"wrong-{i}",
            "new_password": "Fresh-Pass1!",
            "new_password_confirm": "Fresh-Pass1!",
        }
        return clients[i].post(url, data)

    responses = run_concurrently(N, attempt, gate)
    assert gate.arrived == LIMIT
    assert sorted(r.status_code for r in responses) == [400] * LIMIT + [429] * (N - LIMIT)


# --- wrong current passwords (12 were never throttled) -------------------------------------------


def test_wrong_current_passwords_are_throttled_on_the_security_credentials_page(root, root_client):
    url = reverse("iam:security_credentials_password")
    data = {"old_password": "wrong", "new_password": "Fresh-Pass1!", "new_password_confirm": "Fresh-Pass1!"}
    for _ in range(LIMIT):
        assert root_client.post(url, data).status_code == 400
    right = dict(data, old_password=ROOT_PASSWORD)
    locked = root_client.post(url, right)
    assert locked.status_code == 429 and locked["Retry-After"]
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert Identity.objects.get(pk=root.pk).check_password(ROOT_PASSWORD)  # unchanged
    assert AuditEvent.objects.filter(action="iam:ChangePassword", result="Throttling").count() == 1
    assert AuditEvent.objects.filter(action="signin:Lockout").count() == 1


def test_wrong_current_passwords_are_throttled_on_the_forced_change_page(root, user_factory):
    kim = user_factory("kim", reset=True)
    client = signed_in_client(kim)
    url = reverse("password_change_required")
    data = {"old_password": "wrong", "new_password": "Fresh-Pass1!", "new_password_confirm": "Fresh-Pass1!"}
    for _ in range(LIMIT):
        assert client.post(url, data).status_code == 400
    assert client.post(url, dict(data, old_password=USER_PASSWORD)).status_code == 429


def test_a_right_current_password_gives_its_attempt_back(root, root_client):
    url = reverse("iam:security_credentials_password")
    wrong = {"old_password": "wrong", "new_password": "Fresh-Pass1!", "new_password_confirm": "Fresh-Pass1!"}
    for _ in range(LIMIT - 1):
        root_client.post(url, wrong)
    right = dict(wrong, old_password=ROOT_PASSWORD)
    assert root_client.post(url, right).status_code == 302


# --- look-alike names: one normalization on SQLite and PostgreSQL ---------------------------------


@pytest.mark.parametrize("look_alike", ["alıce", "ALİCE", "alic\u0435", "ａｌｉｃｅ"])
def test_look_alike_user_names_sign_in_as_nobody(root, user_factory, look_alike):
    """PostgreSQL's UPPER('alıce') is 'ALICE': the lookup matched alice while the throttle
    counted another key, so a locked-out alice signed in as alıce."""
    user_factory("alice")
    account = root.account.account_id
    for _ in range(LIMIT):
        signin_iam(Client(), account, "alice", "wrong")
    assert signin_iam(Client(), account, "ALICE", USER_PASSWORD).status_code == 429  # one identity
    response = signin_iam(Client(), account, look_alike, USER_PASSWORD)
    assert response.status_code in (401, 429)
    assert "_auth_user_id" not in response.client.session


@pytest.mark.parametrize("look_alike", ["alıce@example.com", "ALİCE@EXAMPLE.COM", "alice@exampｌe.com"])
def test_look_alike_root_emails_sign_in_as_nobody(root_factory, look_alike):
    root_factory(email="alice@example.com")
    client = Client()
    assert signin_root(client, look_alike, ROOT_PASSWORD).status_code == 401
    assert "_auth_user_id" not in client.session
    assert signin_root(Client(), "ALICE@example.com", ROOT_PASSWORD).status_code == 302


def test_signup_refuses_a_non_ascii_email(db):
    response = Client().post(
        reverse("signup"),
        {
            "email": "alıce@example.com",
            "account_name": "A",
            "password": "Str0ng-pass",
            "password_confirm": "Str0ng-pass",
        },
    )
    assert response.status_code == 400 and response.context["form"].errors["email"]
    assert not Identity.objects.exists()


def test_console_lookups_find_no_look_alike(root, user_factory):
    from accounts.errors import NoSuchEntity
    from accounts.services import users as user_services

    user_factory("alice")
    assert user_services.get_user(root, user_name="ALICE").user_name == "alice"
    with pytest.raises(NoSuchEntity):
        user_services.get_user(root, user_name="alıce")


# --- the proxy's address -------------------------------------------------------------------------


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_each_client_has_its_own_address(root, user_factory):
    """Behind the README's TLS proxy every client had the proxy's address: 22 failures over
    many names locked out every sign-in."""
    user_factory("kim")
    account = root.account.account_id
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for i in range(22):
        signin_iam(attacker, account, f"user{i}", "wrong")
    assert signin_iam(attacker, account, "kim", USER_PASSWORD).status_code == 429
    # What the attacker writes into the header is not believed: the proxy's entry is.
    spoofing = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.66")
    assert signin_iam(spoofing, account, "kim", USER_PASSWORD).status_code == 429
    someone = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert signin_iam(someone, account, "kim", USER_PASSWORD).status_code == 302
    event = AuditEvent.objects.filter(action="signin:ConsoleLogin", result="Success").latest("id")
    assert event.source_ip == "203.0.113.9"


def test_without_trusted_proxies_the_header_is_ignored(root, user_factory):
    user_factory("kim")
    account = root.account.account_id
    for i in range(20):
        signin_iam(
            Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"), account, f"u{i}", "x"
        )
    blocked = signin_iam(
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"), account, "kim", "x"
    )
    assert blocked.status_code == 429


# --- a stranger cannot lock a user out everywhere -------------------------------------------------


def test_a_strangers_failures_lock_the_user_out_of_the_strangers_address_only(root, user_factory):
    user_factory("kim")
    account = root.account.account_id
    stranger = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(LIMIT):
        signin_iam(stranger, account, "kim", "guess")
    assert signin_iam(stranger, account, "kim", USER_PASSWORD).status_code == 429
    assert signin_iam(Client(REMOTE_ADDR="198.51.100.7"), account, "kim", USER_PASSWORD).status_code == 302


@override_settings(SIGNIN_THROTTLE_IDENTITY_HOURLY_LIMIT=12)
def test_a_guesser_spread_over_addresses_meets_the_hourly_identity_limit(root, user_factory):
    user_factory("kim")
    account = root.account.account_id
    for n in range(4):
        for _ in range(3):
            signin_iam(Client(REMOTE_ADDR=f"203.0.113.{n}"), account, "kim", "guess")
    assert signin_iam(Client(REMOTE_ADDR="198.51.100.7"), account, "kim", USER_PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=61)):
        assert (
            signin_iam(Client(REMOTE_ADDR="198.51.100.7"), account, "kim", USER_PASSWORD).status_code == 302
        )


# --- sign-up -----------------------------------------------------------------------------------


@override_settings(SIGNUP_THROTTLE_LIMIT=3)
def test_signup_is_throttled_per_address(root):
    """Sign-up tells that an email address has an account: it must not be an unlimited oracle."""

    def signup(client, email):
        data = {
            "email": email,
            "account_name": "X",
            "password": "Str0ng-pass",
            "password_confirm": "Str0ng-pass",
        }
        return client.post(reverse("signup"), data)

    client = Client(REMOTE_ADDR="203.0.113.5")
    assert signup(client, root.email).status_code == 409
    assert signup(client, "probe2@example.com").status_code == 302
    assert signup(Client(REMOTE_ADDR="203.0.113.5"), "probe3@example.com").status_code == 302
    refused = signup(Client(REMOTE_ADDR="203.0.113.5"), root.email)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "already uses this email" not in refused.content.decode()
    assert signup(Client(REMOTE_ADDR="203.0.113.6"), "other@example.com").status_code == 302
    assert AuditEvent.objects.filter(action="signup:CreateAccount", result="Throttling").count() == 1


def test_account_alias_and_id_keys_stay_shared(root, user_factory):
    account_services.create_account_alias(root, account_alias="acme")
    user_factory("kim")
    for account in [root.account.account_id, "ACME", root.account.dashed_id, "acme", "acme"]:
        signin_iam(Client(), account, "kim", "wrong")
    assert signin_iam(Client(), "acme", "Kim", USER_PASSWORD).status_code == 429

"""Sign-in with MFA and its protections (security test plan rows 1-17)."""

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import totp
from accounts.models import AuditEvent
from accounts.services import mfa
from accounts.services import users as user_services
from tests.conftest import ROOT_PASSWORD, USER_PASSWORD
from tests.mfa_helpers import code, consecutive
from tests.web.test_signin import signin_iam, signin_root
from tests.web.urlwalk import CONSOLE_URLS, url_for

NOW = 1_800_000_015.0


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def enrol(actor, user_name=None):
    secret = totp.new_secret()
    c1, c2 = consecutive(secret)
    mfa.enable_virtual_mfa_device(
        actor, user_name=user_name, device_name="phone", secret=secret, code1=c1, code2=c2
    )
    return secret


@pytest.fixture
def kim_with_mfa(root, user_factory, frozen):
    kim = user_factory("kim")
    secret = enrol(root, user_name="kim")
    frozen.shift(30)
    return kim, secret


def test_password_then_mfa_then_console(root, kim_with_mfa):
    kim, secret = kim_with_mfa
    client = Client()
    client.get(reverse("signin"))
    response = signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    assert response["Location"] == reverse("signin_mfa")
    after_password = client.session.session_key
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("signin_mfa"))
    assert page.status_code == 200 and "MFA code" in page.content.decode()
    ok = client.post(reverse("signin_mfa"), {"code": code(secret)})
    assert ok.status_code == 302 and ok["Location"] == reverse("console_home")
    assert client.session.session_key != after_password  # rotated at the MFA step
    assert not Session.objects.filter(session_key=after_password).exists()
    assert client.get(reverse("iam:security_credentials")).status_code == 200
    assert AuditEvent.objects.filter(
        action="signin:ConsoleLogin", result="Success", detail__mfa_used=True
    ).exists()


def test_root_with_mfa(root, frozen):
    secret = enrol(root)
    frozen.shift(30)
    client = Client()
    assert signin_root(client, root.email, ROOT_PASSWORD)["Location"] == reverse("signin_mfa")
    assert client.post(reverse("signin_mfa"), {"code": code(secret)}).status_code == 302
    assert client.get(reverse("iam:dashboard")).status_code == 200


@pytest.mark.parametrize("name,args", CONSOLE_URLS)
def test_password_only_session_reaches_no_console_url(root, kim_with_mfa, name, args):
    client = Client()
    signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    for method in (client.get, client.post):
        response = method(url_for(name, args))
        assert response.status_code == 302 and response["Location"] == reverse("signin_mfa"), name


@pytest.mark.parametrize("bad", ["123", "abcdef", "1234567", "000000"])
def test_wrong_or_malformed_codes(root, kim_with_mfa, bad):
    client = Client()
    signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    response = client.post(reverse("signin_mfa"), {"code": bad})
    assert response.status_code in (400, 401)
    assert "_auth_user_id" not in client.session


def test_replayed_code_is_refused_and_logged(root, kim_with_mfa, caplog):
    kim, secret = kim_with_mfa
    first = Client()
    signin_iam(first, root.account.account_id, "kim", USER_PASSWORD)
    used = code(secret)
    assert first.post(reverse("signin_mfa"), {"code": used}).status_code == 302
    # Someone who saw the code over the shoulder, with the password, within the same 30 s:
    second = Client()
    signin_iam(second, root.account.account_id, "kim", USER_PASSWORD)
    with caplog.at_level("WARNING", logger="iamconsole.mfa"):
        response = second.post(reverse("signin_mfa"), {"code": used})
    assert response.status_code == 401
    assert "replayed MFA code" in caplog.text
    assert AuditEvent.objects.filter(action="signin:MFAReplay").count() == 1


def test_admin_password_reset_does_not_bypass_mfa(root, kim_with_mfa):
    user_services.update_login_profile(
        root, user_name="kim", password="Reset-Passw0rd!", password_reset_required=True
    )
    client = Client()
    response = signin_iam(client, root.account.account_id, "kim", "Reset-Passw0rd!")
    assert response["Location"] == reverse("signin_mfa")
    assert client.get(reverse("password_change_required"))["Location"] == reverse("signin_mfa")


def test_mfa_guessing_is_throttled_and_valid_code_refused_while_locked(root, kim_with_mfa):
    kim, secret = kim_with_mfa
    client = Client()
    signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    for _ in range(5):
        assert client.post(reverse("signin_mfa"), {"code": "000000"}).status_code == 401
    locked = client.post(reverse("signin_mfa"), {"code": code(secret)})
    assert locked.status_code == 429 and "Too many failed sign-in attempts" in locked.content.decode()
    assert locked["Retry-After"]
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="signin:Lockout").exists()


def test_password_success_does_not_reset_mfa_guess_count(root, kim_with_mfa):
    """Knowing the password must not buy unlimited MFA guesses."""
    client = Client()
    for _ in range(5):
        signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
        client.post(reverse("signin_mfa"), {"code": "000000"})
    response = signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    assert response.status_code == 429


def test_password_brute_force_gets_429_then_cools_off(root, user_factory):
    user_factory("kim")
    client = Client()
    for _ in range(5):
        assert signin_iam(client, root.account.account_id, "kim", "wrong").status_code == 401
    blocked = signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    assert blocked.status_code == 429
    # The same answer for a user that does not exist: no enumeration through the lockout.
    for _ in range(5):
        signin_iam(Client(), root.account.account_id, "ghost", "wrong")
    assert signin_iam(Client(), root.account.account_id, "ghost", "x").status_code == 429
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert signin_iam(Client(), root.account.account_id, "kim", USER_PASSWORD).status_code == 302


def test_alias_and_id_share_one_counter(root, user_factory):
    from accounts.services import account as account_services

    account_services.create_account_alias(root, account_alias="acme")
    user_factory("kim")
    for account in [root.account.account_id, "acme", root.account.account_id, "acme", "acme"]:
        signin_iam(Client(), account, "kim", "wrong")
    assert signin_iam(Client(), root.account.account_id, "kim", USER_PASSWORD).status_code == 429


def test_ip_limit_across_users(root, user_factory):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(20):
        signin_iam(client, root.account.account_id, f"user{i}", "wrong")
    user_factory("kim")
    assert signin_iam(client, root.account.account_id, "kim", USER_PASSWORD).status_code == 429
    other_ip = Client(REMOTE_ADDR="203.0.113.8")
    assert signin_iam(other_ip, root.account.account_id, "kim", USER_PASSWORD).status_code == 302


def test_pending_mfa_expires(root, kim_with_mfa, frozen):
    kim, secret = kim_with_mfa
    client = Client()
    signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    frozen.shift(6 * 60)
    response = client.post(reverse("signin_mfa"), {"code": code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("signin")
    assert "_auth_user_id" not in client.session


def test_stale_temporary_password_is_refused(root, user_factory):
    user_factory("kim", reset=True)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        response = signin_iam(Client(), root.account.account_id, "kim", USER_PASSWORD)
    assert response.status_code == 403 and "temporary password has expired" in response.content.decode()


def test_mfa_state_reaches_the_request_context(root, kim_with_mfa, rf):
    """aws:MultiFactorAuthPresent/Age come from the session's MFA time, via the call context."""
    from django.http import HttpResponse

    from accounts import context
    from accounts.middleware import RequestContextMiddleware
    from accounts.views.session import MFA_AT_KEY

    kim, secret = kim_with_mfa
    client = Client()
    signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    client.post(reverse("signin_mfa"), {"code": code(secret)})
    assert client.session[MFA_AT_KEY] == NOW + 30

    seen = {}

    def get_response(request):
        seen["mfa_at"] = context.current().mfa_authenticated_at
        return HttpResponse()

    request = rf.get("/")
    request.session = {MFA_AT_KEY: NOW + 30}
    RequestContextMiddleware(get_response)(request)
    assert seen["mfa_at"] == NOW + 30
    assert context.current().mfa_authenticated_at is None  # reset after the request

"""Sign-up, both sign-in kinds, no enumeration, session rotation, forced change, sign-out."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Identity
from accounts.services import account as account_services
from accounts.services.signin import GENERIC_FAILURE
from tests.conftest import ROOT_PASSWORD, USER_PASSWORD


def signin_iam(client, account, user_name, password, next_url=None):
    url = reverse("signin_account", args=[account])
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"account": account, "user_name": user_name, "password": password})


def signin_root(client, email, password):
    client.post(reverse("signin"), {"user_type": "root", "root_email": email})
    return client.post(reverse("signin_root"), {"password": password})


def test_signup_creates_account_and_signs_in(db):
    client = Client()
    response = client.post(
        reverse("signup"),
        {
            "email": "new@example.com",
            "account_name": "New Co",
            "password": "Str0ng-pass",
            "password_confirm": "Str0ng-pass",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("console_home")
    root = Identity.objects.get(email="new@example.com")
    page = client.get(reverse("iam:dashboard"))
    assert page.status_code == 200
    assert root.account.account_id in page.content.decode()
    assert f"New Co @ {root.account.dashed_id}" in page.content.decode()


@pytest.mark.parametrize(
    "data,field",
    [
        (
            {
                "email": "bad",
                "account_name": "A",
                "password": "Str0ng-pass",
                "password_confirm": "Str0ng-pass",
            },
            "email",
        ),
        (
            {"email": "a@b.co", "account_name": "A", "password": "weakweak", "password_confirm": "weakweak"},
            "password",
        ),
        (
            {"email": "a@b.co", "account_name": "A", "password": "Str0ng-pass", "password_confirm": "x"},
            "password_confirm",
        ),
    ],
)
def test_signup_bad_input_is_a_4xx_with_message(db, data, field):
    response = Client().post(reverse("signup"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Identity.objects.exists()


def test_signup_duplicate_email(root):
    response = Client().post(
        reverse("signup"),
        {
            "email": root.email.upper(),
            "account_name": "X",
            "password": "Str0ng-pass",
            "password_confirm": "Str0ng-pass",
        },
    )
    assert response.status_code == 409
    assert "already uses this email" in response.content.decode()


def test_root_signs_in_by_email_then_password(root):
    client = Client()
    start = client.post(reverse("signin"), {"user_type": "root", "root_email": root.email})
    assert start["Location"] == reverse("signin_root")
    assert root.email in client.get(reverse("signin_root")).content.decode()
    response = client.post(reverse("signin_root"), {"password": ROOT_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("iam:dashboard")).context["request"].user == root
    assert AuditEvent.objects.filter(
        action="signin:ConsoleLogin", result="Success", actor_arn=root.arn
    ).exists()


def test_iam_user_signs_in_by_account_id_and_by_alias(root, user_factory):
    user_factory("kim")
    account_services.create_account_alias(root, account_alias="acme")
    for account in (root.account.account_id, "acme", "ACME", root.account.dashed_id):
        client = Client()
        response = signin_iam(client, account, "kim", USER_PASSWORD)
        assert response.status_code == 302, account
        page = client.get(reverse("iam:security_credentials"))
        assert page.status_code == 200
        assert "kim @ acme" in page.content.decode()


def test_signin_start_redirects_to_the_accounts_signin_url(root):
    response = Client().post(reverse("signin"), {"user_type": "iam", "account": root.account.dashed_id})
    assert response["Location"] == reverse("signin_account", args=[root.account.account_id])


def test_signin_url_prefills_the_account(root):
    page = Client().get(reverse("signin_account", args=[root.account.account_id]))
    assert page.status_code == 200
    assert page.context["form"]["account"].value() == root.account.account_id


def test_same_message_for_wrong_account_user_or_password(root, user_factory):
    user_factory("kim")
    user_factory("nologin", console=False)
    bodies = set()
    for account, name, password in [
        (root.account.account_id, "kim", "wrong-password"),
        (root.account.account_id, "nobody", USER_PASSWORD),
        (root.account.account_id, "nologin", USER_PASSWORD),
        ("999999999999", "kim", USER_PASSWORD),
        ("no-such-alias", "kim", USER_PASSWORD),
    ]:
        response = signin_iam(Client(), account, name, password)
        assert response.status_code == 401
        assert GENERIC_FAILURE in response.content.decode()
        bodies.add(response.context["form"].non_field_errors()[0])
    assert bodies == {GENERIC_FAILURE}
    assert AuditEvent.objects.filter(action="signin:ConsoleLogin", result="Failure").count() == 5


def test_root_wrong_password_and_unknown_email_look_the_same(root):
    a = signin_root(Client(), root.email, "wrong")
    b = signin_root(Client(), "nobody@example.com", ROOT_PASSWORD)
    assert a.status_code == b.status_code == 401
    assert a.context["form"].non_field_errors() == b.context["form"].non_field_errors() == [GENERIC_FAILURE]


def test_unknown_user_still_pays_for_a_password_hash(root, user_factory, monkeypatch):
    """Unknown account, unknown user and wrong password each run the hasher once."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    user_factory("kim")
    calls = []
    real_encode, real_verify = MD5PasswordHasher.encode, MD5PasswordHasher.verify
    monkeypatch.setattr(
        MD5PasswordHasher, "encode", lambda self, *a: calls.append("hash") or real_encode(self, *a)
    )
    monkeypatch.setattr(
        MD5PasswordHasher, "verify", lambda self, *a: calls.append("hash") or real_verify(self, *a)
    )
    for account, name in [
        (root.account.account_id, "nobody"),
        ("000000000000", "kim"),
        (root.account.account_id, "kim"),
    ]:
        calls.clear()
        signin_iam(Client(), account, name, "wrong-password")
        assert calls, (account, name)


def test_root_cannot_use_iam_user_signin(root):
    response = signin_iam(Client(), root.account.account_id, "root", ROOT_PASSWORD)
    assert response.status_code == 401


def test_session_key_rotates_at_signin(root, user_factory):
    user_factory("kim")
    client = Client()
    client.get(reverse("signin"))
    client.post(reverse("signin"), {"user_type": "iam", "account": root.account.account_id})
    before = client.session.session_key
    assert before
    signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    assert client.session.session_key != before
    # The old key is dead on the server.
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=before).exists()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site(root, user_factory, target):
    user_factory("kim")
    response = signin_iam(Client(), root.account.account_id, "kim", USER_PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("console_home")


def test_next_on_site_is_followed(root, user_factory):
    user_factory("kim")
    response = signin_iam(
        Client(), root.account.account_id, "kim", USER_PASSWORD, next_url="/iam/security-credentials/"
    )
    assert response["Location"] == "/iam/security-credentials/"


def test_console_requires_signin(db):
    response = Client().get(reverse("iam:user_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("signin"))


def test_signout_is_post_only_and_ends_the_session(root_client):
    assert root_client.get(reverse("signout")).status_code == 405
    key = root_client.session.session_key
    response = root_client.post(reverse("signout"))
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert root_client.get(reverse("iam:dashboard")).status_code == 302


def test_forced_password_change_flow(root, user_factory):
    user_factory("kim", reset=True)
    client = Client()
    response = signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    assert response.status_code == 302
    # Everything else sends the user to the change page.
    for name in ["iam:dashboard", "iam:user_list", "iam:security_credentials", "iam:account_settings"]:
        r = client.get(reverse(name))
        assert r.status_code == 302 and r["Location"] == reverse("password_change_required"), name
    page = client.get(reverse("password_change_required"))
    assert page.status_code == 200 and "Confirm password change" in page.content.decode()
    bad = client.post(
        reverse("password_change_required"),
        {"old_password": USER_PASSWORD, "new_password": "short", "new_password_confirm": "short"},
    )
    assert bad.status_code == 400 and "minimum length" in bad.content.decode()
    mismatch = client.post(
        reverse("password_change_required"),
        {"old_password": USER_PASSWORD, "new_password": "Fresh-Pass1", "new_password_confirm": "Fresh-Pass2"},
    )
    assert mismatch.status_code == 400
    key = client.session.session_key
    ok = client.post(
        reverse("password_change_required"),
        {
            "old_password": USER_PASSWORD,
            "new_password": "Fresh-Pass1!",
            "new_password_confirm": "Fresh-Pass1!",
        },
    )
    assert ok.status_code == 302
    assert client.session.session_key != key
    assert client.get(reverse("iam:security_credentials")).status_code == 200
    kim = Identity.objects.get(name="kim")
    assert not kim.password_reset_required and kim.check_password("Fresh-Pass1!")


def test_hard_expiry_refuses_signin(root, user_factory):
    import time_machine
    from django.utils import timezone

    account_services.update_account_password_policy(root, max_password_age=10, hard_expiry=True)
    user_factory("kim")
    with time_machine.travel(timezone.now() + timezone.timedelta(days=11)):
        response = signin_iam(Client(), root.account.account_id, "kim", USER_PASSWORD)
    assert response.status_code == 403
    assert "only an administrator can reset it" in response.content.decode()


def test_soft_expiry_sends_user_to_change_page(root, user_factory):
    import time_machine
    from django.utils import timezone

    account_services.update_account_password_policy(root, max_password_age=10)
    user_factory("kim")
    with time_machine.travel(timezone.now() + timezone.timedelta(days=11)):
        client = Client()
        signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
        r = client.get(reverse("iam:dashboard"))
        assert r["Location"] == reverse("password_change_required")
        assert "Your password has expired" in client.get(r["Location"]).content.decode()


def test_csrf_enforced_on_signin(root):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("signin"), {"user_type": "root", "root_email": root.email})
    assert response.status_code == 403

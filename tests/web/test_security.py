"""Attacks from the security test plan that this part exposes: walks every URL pattern."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Identity, Role
from accounts.services import groups as group_services
from tests.web.urlwalk import CONSOLE_URLS, url_for


def test_the_walk_sees_the_console():
    names = {n for n, _ in CONSOLE_URLS}
    assert {"iam:user_list", "iam:user_create", "iam:group_delete", "iam:dashboard"} <= names
    assert len(CONSOLE_URLS) >= 20


@pytest.mark.parametrize("name,args", CONSOLE_URLS)
def test_console_urls_need_signin(db, name, args):
    response = Client().get(url_for(name, args))
    assert response.status_code == 302 and response["Location"].startswith("/signin/")


@pytest.mark.parametrize("name,args", CONSOLE_URLS)
def test_must_reset_session_reaches_only_the_change_page(root, user_factory, client_for, name, args):
    kim = user_factory("kim", reset=True)
    client = client_for(kim)
    for method in (client.get, client.post):
        response = method(url_for(name, args))
        assert response.status_code == 302 and response["Location"] == reverse("password_change_required")


@pytest.mark.parametrize(
    "name,args", [(n, a) for n, a in CONSOLE_URLS if {"user_name", "group_name", "role_name"} & set(a)]
)
def test_other_accounts_objects_are_404(root_factory, client_for, name, args):
    """Account B's kim, Admins and AppRole exist; account A's root asks for them by name."""
    owner, intruder = root_factory(), root_factory()
    from accounts.services import roles as role_services
    from accounts.services import users as user_services

    user_services.console_create_user(
        owner, user_name="kim", console_access=True, custom_password="Abcdefg1!"
    )
    group_services.create_group(owner, group_name="Admins")
    group_services.add_user_to_group(owner, group_name="Admins", user_name="kim")
    role_services.create_role(
        owner,
        role_name="AppRole",
        assume_role_policy_document=role_services.service_trust_policy("ec2.amazonaws.com"),
    )
    client = client_for(intruder)
    for method in (client.get, client.post):
        response = method(url_for(name, args))
        assert response.status_code in (404, 405), (name, response.status_code)
    assert Identity.objects.get(name="kim").iam_groups.count() == 1
    assert Role.objects.get(name="AppRole").account_id == owner.account_id


@pytest.mark.parametrize(
    "name,data",
    [
        ("iam:user_create", {"user_name": "lee"}),
        ("iam:group_create", {"group_name": "G"}),
        ("iam:account_alias_edit", {"alias": "abc"}),
        ("iam:password_policy_edit", {"mode": "custom", "minimum_password_length": "9"}),
    ],
)
def test_csrf_is_enforced_on_console_forms(root, name, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(root, backend="accounts.backends.RootUserBackend")
    assert client.post(reverse(name), data).status_code == 403


def test_security_headers(root_client):
    response = root_client.get(reverse("iam:dashboard"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_signin_pages_are_not_cached(db):
    response = Client().get(reverse("signin"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_deploy_check_is_clean_with_debug_off(monkeypatch):
    """`manage.py check --deploy` with production settings (DEBUG off, HTTPS on)."""
    import subprocess
    import sys

    env = {
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "x" * 60 + "-production-like-secret-key",
        "DJANGO_SETTINGS_MODULE": "iamconsole.settings",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_passwords_never_reach_the_logs(root, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    client = Client()
    client.post(reverse("signin"), {"user_type": "root", "root_email": root.email})
    client.post(reverse("signin_root"), {"password": "Wrong-Secret-9"})
    assert "Wrong-Secret-9" not in caplog.text

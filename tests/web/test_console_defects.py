"""Defects a learner met (issue 10): each one pinned by a test that failed before its fix."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import ROOT_PASSWORD
from tests.web.test_signin import signin_iam, signin_root


def test_a_wrong_iam_password_says_so_once(root, user_factory):
    user_factory("kim")
    client = Client()
    response = signin_iam(client, root.account.account_id, "kim", "wrong-password")
    body = response.content.decode()
    message = response.context["form"].non_field_errors()[0]
    assert response.status_code in (401, 403) and message
    assert body.count(message) == 1


@override_settings(DEBUG=True)
def test_an_unknown_url_gets_the_console_404_even_with_debug_on(root_client):
    for client in (root_client, Client()):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        body = response.content.decode()
        assert "This page does not exist." in body
        assert "URLconf" not in body and "urlpatterns" not in body


@override_settings(DEBUG=True)
def test_a_server_error_gets_the_console_500_even_with_debug_on(root, monkeypatch):
    def boom(request):
        raise RuntimeError("secret internals")

    client = Client(raise_request_exception=False)
    client.force_login(root, backend="accounts.backends.RootUserBackend")
    import iamconsole.urls as root_urls

    pattern = next(p for p in root_urls.urlpatterns if getattr(p, "name", "") == "console_home")
    monkeypatch.setattr(pattern, "callback", boom)
    response = client.get(reverse("console_home"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_root_sign_out_returns_to_the_root_sign_in(root):
    client = Client()
    signin_root(client, root.email, ROOT_PASSWORD)
    out = client.post(reverse("signout"))
    assert out.status_code == 302 and out["Location"] == reverse("signin") + "?user_type=root"
    page = client.get(out["Location"])
    assert page.context["form"]["user_type"].value() == "root"
    root_input = re.search(r'<input[^>]*value="root"[^>]*>', page.content.decode()).group(0)
    assert "checked" in root_input


def test_the_sign_in_choice_has_an_accessible_name():
    body = Client().get(reverse("signin")).content.decode()
    assert '<legend class="visually-hidden">User type</legend>' in body


@pytest.mark.parametrize("name", ["mfa_assign", "access_key_create"])
def test_credential_pages_of_a_user_keep_users_in_the_breadcrumb(root_client, user_factory, name):
    import time

    from accounts.views.session import AUTH_AT_KEY

    user_factory("kim")
    session = root_client.session
    session[AUTH_AT_KEY] = time.time()  # signed in just now: no reauthentication step
    session.save()
    body = root_client.get(reverse(f"iam:{name}", args=["kim"])).content.decode()
    crumbs = body[body.index('aria-label="Breadcrumbs"') :]
    crumbs = crumbs[: crumbs.index("</ol>")]
    assert reverse("iam:user_list") in crumbs and ">Users<" in crumbs and ">kim<" in crumbs


def test_the_console_shows_no_zero_minutes_ago(root_client, user_factory):
    user_factory("kim")
    body = root_client.get(reverse("iam:user_list")).content.decode()
    assert "0 minutes ago" not in body and "Now" in body


def test_radio_tiles_show_a_title_and_its_description(client):
    """A tile's "Title — what it does" is a bold title with the description under it (the
    accessible name keeps the whole sentence)."""
    body = client.get(reverse("signin")).content.decode()
    assert (
        '<span class="cs-tile__label">Root user</span><span class="visually-hidden"> — </span>'
        '<span class="cs-tile__description">' in body
    )

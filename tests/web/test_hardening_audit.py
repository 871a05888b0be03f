"""The smaller defects of issue 9: what the audit trail misses, MFA codes in other digits, the
credentials CSV, the Content-Security-Policy, and ``seed_demo | head``."""

import csv
import io
import re
import time
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts import downloads
from accounts.models import Account, AuditEvent
from tests.conftest import USER_PASSWORD
from tests.mfa_helpers import code
from tests.web.test_hardening_throttle import enrol, signed_in_client
from tests.web.test_signin import signin_iam
from tests.web.urlwalk import CONSOLE_URLS, populate_account, url_for

# --- the audit trail -----------------------------------------------------------------------------


def test_reauthentication_is_audited_either_way(root, user_factory):
    kim = user_factory("kim")
    client = signed_in_client(kim)
    assert client.post(reverse("reauthenticate"), {"password": "wrong"}).status_code == 401
    assert client.post(reverse("reauthenticate"), {"password": USER_PASSWORD}).status_code == 302
    events = AuditEvent.objects.filter(action="signin:Reauthenticate").order_by("id")
    assert [(e.result, e.actor_arn, e.account_id) for e in events] == [
        ("Failure", kim.arn, kim.account_id),
        ("Success", kim.arn, kim.account_id),
    ]


def test_failed_signin_of_an_existing_user_is_its_accounts_event(root, user_factory):
    kim = user_factory("kim")
    signin_iam(Client(), root.account.account_id, "kim", "wrong")
    event = AuditEvent.objects.get(action="signin:ConsoleLogin", result="Failure")
    assert event.account_id == root.account_id and event.actor_arn == kim.arn
    assert event.detail == {"user_name": "kim"}


def test_failed_signin_of_an_unknown_user_is_stored_cut_and_marked(root):
    typed = "Correct horse battery staple, my password! " * 3  # typed into the user name field
    from accounts.services import signin

    with pytest.raises(signin.SignInRefused):
        signin.sign_in_iam_user(
            account=root.account.account_id, user_name=typed, password="x", source_ip="203.0.113.1"
        )
    event = AuditEvent.objects.get(action="signin:ConsoleLogin", result="Failure")
    assert event.account_id == root.account_id and event.actor_arn == ""
    assert event.detail == {"user_name": typed[:64], "user_name_unknown": True}
    assert typed not in str(event.detail) + event.error_message + event.target


def test_failed_signin_through_the_page_marks_the_unknown_name(root):
    signin_iam(Client(), root.account.account_id, "Hunter2-is-my-password", "x")
    event = AuditEvent.objects.get(action="signin:ConsoleLogin", result="Failure")
    assert event.detail["user_name_unknown"] is True


def test_a_request_that_ends_in_a_500_is_audited(root, root_client, monkeypatch):
    from accounts.views import console

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(console, "security_recommendations", broken)
    client = Client(raise_request_exception=False)
    client.cookies = root_client.cookies
    assert client.get(reverse("iam:dashboard")).status_code == 500
    event = AuditEvent.objects.get(result="ServiceFailure")
    assert event.action == "console:iam:dashboard" and event.actor_arn == root.arn
    assert event.target == reverse("iam:dashboard") and "RuntimeError" in event.error_message


def test_a_fault_inside_an_action_is_audited_once_as_that_action(root, root_client, monkeypatch):
    from accounts.services import groups as group_services

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(group_services, "validate_path", broken)
    client = Client(raise_request_exception=False)
    client.cookies = root_client.cookies
    assert client.post(reverse("iam:group_create"), {"group_name": "Ops"}).status_code == 500
    event = AuditEvent.objects.get(result="ServiceFailure")
    assert event.action == "iam:CreateGroup"


# --- MFA codes in other digits -------------------------------------------------------------------

NON_ASCII_CODES = ["١٢٣٤٥٦", "１２３４５６", "۱۲۳۴۵۶", "१२३४५६", "12345\u0663"]


@pytest.mark.parametrize("bad", NON_ASCII_CODES)
def test_mfa_code_in_other_digits_is_a_form_error(root, user_factory, bad):
    user_factory("kim")
    enrol(root, user_name="kim")
    client = Client()
    signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    response = client.post(reverse("signin_mfa"), {"code": bad})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["Enter the 6-digit code from your MFA device."]
    assert "_auth_user_id" not in client.session


def test_mfa_service_refuses_other_digits(root, user_factory):
    """The right code's digits in other scripts (str.isdigit() takes them all): refused, and
    the ASCII code still works afterwards (no replay state moved)."""
    from accounts.services import mfa

    kim = user_factory("kim")
    secret = enrol(root, user_name="kim")
    right = code(secret, 1)
    for zero in ("\u0660", "\u06f0", "\u0966", "\uff10", "\U0001d7ce"):  # ٠ ۰ ० ０ 𝟎
        digits = "".join(chr(ord(zero) + int(c)) for c in right)
        assert mfa.verify_code(kim, digits) is None, digits
    assert mfa.verify_code(kim, right) is not None


# --- the credentials CSV ---------------------------------------------------------------------------


@pytest.mark.parametrize("first", "+=-@")
def test_csv_writes_a_generated_secret_as_it_is(first):
    secret = first + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"[1:]
    rows = list(csv.reader(io.StringIO(downloads.access_key_csv("AKIAIOSFODNN7EXAMPLE", secret).decode())))
    assert rows[1] == ["AKIAIOSFODNN7EXAMPLE", secret]


def test_csv_writes_a_password_as_it_is_and_escapes_the_name(db):
    rows = list(
        csv.reader(io.StringIO(downloads.password_csv("=cmd", "=Abcdefg1!", "https://x/signin/a/").decode()))
    )
    assert rows[1] == ["'=cmd", "=Abcdefg1!", "https://x/signin/a/"]


def test_custom_password_starting_with_equals_downloads_as_it_is(root, root_client):
    response = root_client.post(
        reverse("iam:user_create"),
        {
            "user_name": "kim",
            "console_access": "on",
            "password_type": "custom",
            "custom_password": "=Abcdefg1!",
        },
    )
    download = root_client.post(
        reverse("iam:credentials_download", args=[response.context["download_token"]])
    )
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[1][:2] == ["kim", "=Abcdefg1!"]


def test_download_token_is_bound_to_its_session_and_expires(root, root_client, client_for):
    import time_machine
    from django.utils import timezone

    response = root_client.post(reverse("iam:user_create"), {"user_name": "kim", "console_access": "on"})
    url = reverse("iam:credentials_download", args=[response.context["download_token"]])
    assert client_for(root).post(url).status_code == 404  # another session of the same user
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=11)):
        assert root_client.post(url).status_code == 404


# --- Content-Security-Policy -------------------------------------------------------------------------

INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # inline script
    re.compile(r"<style\b", re.IGNORECASE),  # style element
    re.compile(r"\sstyle\s*=", re.IGNORECASE),  # style attribute
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),  # event handler attribute
    re.compile(r"javascript:", re.IGNORECASE),
]


def _inline_content(html: str) -> list[str]:
    return [m.group(0) for pattern in INLINE for m in pattern.finditer(html)]


def test_every_console_page_has_a_strict_csp_and_no_inline_script_or_style(root, root_client):
    """The walk renders every console page of a populated account (and the sign-in pages)."""
    populated = populate_account(root)
    pages = [
        url_for(name, args, populated["values"](name)) + "?" + urlencode(populated["query"])
        for name, args in CONSOLE_URLS
        if set(args) <= set(populated["values"](name))
    ]
    session = root_client.session
    from accounts.views.session import AUTH_AT_KEY

    session[AUTH_AT_KEY] = time.time()
    session.save()
    client = Client(raise_request_exception=False)  # a broken page still carries the header
    client.cookies = root_client.cookies
    seen = 0
    for url in pages:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            seen += 1
            assert not _inline_content(response.content.decode()), (
                url,
                _inline_content(response.content.decode()),
            )
    assert seen >= 30
    for name in ("signin", "signup"):
        response = Client().get(reverse(name))
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert not _inline_content(response.content.decode())


def test_templates_hold_no_inline_script_or_style():
    from pathlib import Path

    from django.conf import settings

    found = {
        str(path): _inline_content(path.read_text())
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if _inline_content(path.read_text())
    }
    # The style guide names what it forbids in a comment ("no style="" attributes").
    found.pop(str(Path(settings.BASE_DIR, "templates/console/styleguide.html")), None)
    assert not found


# --- seed_demo | head --------------------------------------------------------------------------------


class ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_seed_demo_keeps_its_seed_when_the_reader_goes_away(db):
    call_command("seed_demo", stdout=ClosedPipe())
    account = Account.objects.get(alias="iamconsole-demo")
    assert account.identities.filter(kind="user").count() == 4

"""MFA and access-key pages, for oneself and for a user; secrets shown once."""

import csv
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AccessKey, AuditEvent, MFADevice
from tests.conftest import ROOT_PASSWORD
from tests.mfa_helpers import consecutive

NOW = 1_800_000_015.0


def signed_in_root(root):
    """A root session that signed in through the form (so it counts as a recent sign-in)."""
    client = Client()
    client.post(reverse("signin"), {"user_type": "root", "root_email": root.email})
    client.post(reverse("signin_root"), {"password": ROOT_PASSWORD})
    return client


def test_assign_mfa_for_self(root):
    with time_machine.travel(NOW, tick=False):
        client = signed_in_root(root)
        step1 = client.post(
            reverse("iam:mfa_assign_self"), {"device_name": "phone", "device_type": "authenticator_app"}
        )
        assert step1["Location"] == reverse("iam:mfa_setup_self")
        page = client.get(reverse("iam:mfa_setup_self"))
        assert page.status_code == 200 and "no-store" in page["Cache-Control"]
        secret = page.context["secret"]
        assert len(secret) == 32 and "<svg" in page.content.decode()
        bad = client.post(reverse("iam:mfa_setup_self"), {"code1": "000000", "code2": "111111"})
        assert (
            bad.status_code == 403 and "Authentication code for device is not valid." in bad.content.decode()
        )
        c1, c2 = consecutive(secret)
        done = client.post(reverse("iam:mfa_setup_self"), {"code1": c1, "code2": c2})
        assert done.status_code == 302
    device = MFADevice.objects.get()
    assert device.identity == root and device.secret == secret
    body = client.get(reverse("iam:security_credentials")).content.decode()
    assert device.serial_number in body and secret not in body
    dashboard = client.get(reverse("iam:dashboard")).content.decode()
    assert "Root user has MFA" in dashboard


def test_mfa_changes_need_a_recent_signin(root, root_client):
    """force_login sets no sign-in time: the page asks for the password again first."""
    response = root_client.get(reverse("iam:mfa_assign_self"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
    wrong = root_client.post(response["Location"], {"password": "nope"})
    assert wrong.status_code == 401
    ok = root_client.post(response["Location"], {"password": ROOT_PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == reverse("iam:mfa_assign_self")
    assert root_client.get(reverse("iam:mfa_assign_self")).status_code == 200


def test_recent_signin_goes_stale(root):
    with time_machine.travel(NOW, tick=False) as t:
        client = signed_in_root(root)
        assert client.get(reverse("iam:mfa_assign_self")).status_code == 200
        t.shift(16 * 60)
        assert client.get(reverse("iam:mfa_assign_self")).status_code == 302


def test_duplicate_and_bad_device_names(root):
    client = signed_in_root(root)
    assert (
        client.post(
            reverse("iam:mfa_assign_self"), {"device_name": "my phone", "device_type": "authenticator_app"}
        ).status_code
        == 400
    )
    MFADevice.objects.create(
        identity=root,
        account_id=root.account_id,
        name="phone",
        serial_number=f"arn:aws:iam::{root.account.account_id}:mfa/phone",
        secret_encrypted="x",
    )
    dup = client.post(
        reverse("iam:mfa_assign_self"), {"device_name": "phone", "device_type": "authenticator_app"}
    )
    assert dup.status_code == 409


def test_admin_assigns_and_removes_a_users_device(root, user_factory):
    user_factory("kim")
    with time_machine.travel(NOW, tick=False):
        client = signed_in_root(root)
        client.post(
            reverse("iam:mfa_assign", args=["kim"]),
            {"device_name": "kims-phone", "device_type": "authenticator_app"},
        )
        page = client.get(reverse("iam:mfa_setup", args=["kim"]))
        c1, c2 = consecutive(page.context["secret"])
        assert (
            client.post(reverse("iam:mfa_setup", args=["kim"]), {"code1": c1, "code2": c2}).status_code == 302
        )
        assert MFADevice.objects.get().identity.name == "kim"
        url = reverse("iam:mfa_remove", args=["kim", "kims-phone"])
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 302
    assert not MFADevice.objects.exists()
    assert AuditEvent.objects.filter(action="iam:DeactivateMFADevice", result="Success").exists()


def test_enrolment_secret_is_bound_to_its_subject(root, user_factory):
    """A secret generated for kim cannot be confirmed on root's own page."""
    user_factory("kim")
    client = signed_in_root(root)
    client.post(
        reverse("iam:mfa_assign", args=["kim"]), {"device_name": "p", "device_type": "authenticator_app"}
    )
    assert client.get(reverse("iam:mfa_setup_self"))["Location"] == reverse("iam:mfa_assign_self")


def test_access_key_create_show_once_csv_once(root, root_client, user_factory):
    user_factory("kim")
    url = reverse("iam:access_key_create", args=["kim"])
    assert root_client.post(url, {"use_case": "cli"}).status_code == 400  # the confirmation box
    response = root_client.post(url, {"use_case": "cli", "confirm": "on", "description": "laptop"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key, secret = response.context["key"], response.context["secret"]
    assert escape(secret) in response.content.decode()
    download = root_client.post(
        reverse("iam:credentials_download", args=[response.context["download_token"]])
    )
    assert download["Content-Disposition"] == 'attachment; filename="kim_accessKeys.csv"'
    assert download.content == f"Access key ID,Secret access key\r\n{key.access_key_id},{secret}\r\n".encode()
    assert list(csv.reader(io.StringIO(download.content.decode())))[1] == [key.access_key_id, secret]
    url = reverse("iam:credentials_download", args=[response.context["download_token"]])
    assert root_client.post(url).content == download.content  # again, while on the step
    root_client.get(reverse("iam:user_list"))  # leaves the step
    assert root_client.post(url).status_code == 404
    later = root_client.get(
        reverse("iam:user_detail", args=["kim"]) + "?tab=security_credentials"
    ).content.decode()
    assert key.access_key_id in later and escape(secret) not in later and "N/A" in later


def test_third_key_is_limit_exceeded(root_client, user_factory):
    user_factory("kim")
    url = reverse("iam:access_key_create", args=["kim"])
    for _ in range(2):
        root_client.post(url, {"use_case": "cli", "confirm": "on"})
    third = root_client.post(url, {"use_case": "cli", "confirm": "on"})
    assert (
        third.status_code == 409 and "Cannot exceed quota for AccessKeysPerUser: 2" in third.content.decode()
    )
    assert AccessKey.objects.count() == 2


def test_deactivate_then_delete(root_client, root):
    response = root_client.post(reverse("iam:access_key_create_self"), {"use_case": "other", "confirm": "on"})
    key_id = response.context["key"].access_key_id
    delete_url = reverse("iam:access_key_delete_self", args=[key_id])
    refused = root_client.post(delete_url, {"confirmation": key_id})
    assert refused.status_code == 400 and "you must deactivate it" in refused.content.decode()
    assert root_client.get(reverse("iam:access_key_deactivate_self", args=[key_id])).status_code == 405
    assert root_client.post(reverse("iam:access_key_deactivate_self", args=[key_id])).status_code == 302
    assert AccessKey.objects.get().status == "Inactive"
    assert root_client.post(delete_url, {"confirmation": "wrong"}).status_code == 400
    assert root_client.post(delete_url, {"confirmation": key_id}).status_code == 302
    assert not AccessKey.objects.exists()


def test_root_key_warning_and_dashboard_recommendation(root_client):
    page = root_client.get(reverse("iam:access_key_create_self"))
    assert "Root user access keys are not recommended" in page.content.decode()
    assert "Root user has no active access keys" in root_client.get(reverse("iam:dashboard")).content.decode()
    root_client.post(reverse("iam:access_key_create_self"), {"use_case": "other", "confirm": "on"})
    assert (
        "Deactivate or delete access keys for root user"
        in root_client.get(reverse("iam:dashboard")).content.decode()
    )


def test_iam_user_dashboard_recommends_mfa_for_self(client_for, user_factory):
    kim = user_factory("kim")
    body = client_for(kim).get(reverse("iam:dashboard")).content.decode()
    assert "Add MFA for yourself" in body


@pytest.mark.parametrize("name", ["iam:access_key_create", "iam:mfa_assign"])
def test_user_without_policies_cannot_manage_others_credentials(client_for, user_factory, name):
    kim = user_factory("kim")
    user_factory("lee")
    response = client_for(kim).post(reverse(name, args=["lee"]), {"use_case": "cli", "confirm": "on"})
    assert response.status_code in (302, 403)
    assert not AccessKey.objects.exists() and not MFADevice.objects.exists()


def test_secrets_never_in_logs(root_client, caplog):
    caplog.set_level("DEBUG")
    response = root_client.post(reverse("iam:access_key_create_self"), {"use_case": "other", "confirm": "on"})
    assert response.context["secret"] not in caplog.text


@pytest.mark.parametrize(
    "bad", ["AKIA\x00", "phone\x00", "A" * 100_000], ids=["nul-key", "nul-device", "long"]
)
def test_a_key_or_device_that_names_nothing_is_404(root, user_factory, bad):
    """NUL bytes in an access key ID or a device name reached PostgreSQL (500); now no query."""
    client = signed_in_root(root)
    user_factory("kim")
    for name, arg in (("iam:access_key_delete", "access_key_id"), ("iam:mfa_remove", "device_name")):
        page = reverse(name, kwargs={"user_name": "kim", arg: bad})
        assert client.get(page).status_code == 404
        assert client.post(page, {"confirmation": bad}).status_code == 404
    resync = reverse("iam:mfa_resync", kwargs={"user_name": "kim", "device_name": bad})
    assert client.post(resync, {"code1": "123456", "code2": "234567"}).status_code == 404
    assert client.get(resync).status_code == 404
    missing = reverse("iam:mfa_resync", kwargs={"user_name": "kim", "device_name": "no-such-phone"})
    assert client.get(missing).status_code == 404
    activate = reverse("iam:access_key_activate", kwargs={"user_name": "kim", "access_key_id": bad})
    assert client.post(activate).status_code == 404

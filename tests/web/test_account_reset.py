"""Resetting an account between classes: root's confirmed button and ``manage.py reset_account``."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AuditEvent, Group, Identity


def test_root_resets_the_account_after_typing_its_id(
    root, root_client, user_factory, group_factory, client_for
):
    kim = user_factory("kim", groups=[group_factory("Devs").name])
    page = root_client.get(reverse("iam:account_settings"))
    assert reverse("iam:account_reset") in page.content.decode()
    assert client_for(kim).get(reverse("iam:account_reset")).status_code == 403  # root only
    wrong = root_client.post(reverse("iam:account_reset"), {"confirmation": "123"})
    assert wrong.status_code == 400 and Identity.objects.filter(name="kim").exists()
    done = root_client.post(reverse("iam:account_reset"), {"confirmation": root.account_id})
    assert done.status_code == 302 and done["Location"] == reverse("iam:account_settings")
    assert not Identity.objects.filter(name="kim").exists() and not Group.objects.exists()
    assert root_client.get(reverse("iam:dashboard")).status_code == 200  # root is still signed in
    assert AuditEvent.objects.filter(action="iamconsole:ResetAccount", result="Success").count() == 1


def test_reset_account_command(root, user_factory, monkeypatch):
    user_factory("kim")
    with pytest.raises(CommandError, match="No account 000000000000"):
        call_command("reset_account", "000000000000", "--no-input")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("reset_account", root.account_id)
    assert Identity.objects.filter(name="kim").exists()
    out = io.StringIO()
    call_command("reset_account", root.account_id, "--no-input", stdout=out)
    assert f"Account {root.account_id} reset: " in out.getvalue() and "1 users" in out.getvalue()
    assert list(Identity.objects.values_list("kind", flat=True)) == ["root"]


def test_reset_empties_the_credential_report_and_tells_the_other_apps(root, user_factory):
    from accounts.models import CredentialReport
    from accounts.services import account as account_services
    from accounts.services import credential_report
    from accounts.signals import account_reset

    user_factory("kim")
    credential_report.generate_credential_report(root)
    assert CredentialReport.objects.filter(account_id=root.account_id).exists()
    heard = []

    def receiver(sender, account_id, counts, **kwargs):
        heard.append(account_id)
        counts["widgets"] = 3

    account_reset.connect(receiver)
    try:
        counts = account_services.reset_account(root)
    finally:
        account_reset.disconnect(receiver)
    assert heard == [root.account_id] and counts["widgets"] == 3 and counts["credential_reports"] == 1
    assert not CredentialReport.objects.filter(account_id=root.account_id).exists()

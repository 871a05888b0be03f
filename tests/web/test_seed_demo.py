"""``manage.py seed_demo``: the demo account to browse, and an empty lab account where the
articles' walkthrough starts clean (its first step, "create the group Developers", works)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.management.commands import seed_demo
from accounts.models import Account, Group, Identity


@pytest.mark.django_db
def test_the_lab_account_is_empty_and_the_walkthrough_starts_there():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    lab = Account.objects.get(alias=seed_demo.LAB_ALIAS)
    assert Account.objects.filter(alias=seed_demo.LAB_ALIAS).count() == 1
    assert not Identity.objects.iam_users().filter(account=lab).exists()
    assert not Group.objects.filter(account=lab).exists()
    text = out.getvalue()
    assert f"The lab account {lab.dashed_id} (alias {seed_demo.LAB_ALIAS}) is empty" in text
    assert f"email {seed_demo.LAB_ROOT_EMAIL}   password {seed_demo.LAB_ROOT_PASSWORD}" in text

    client = Client()
    client.post(reverse("signin"), {"user_type": "root", "root_email": seed_demo.LAB_ROOT_EMAIL})
    signed_in = client.post(reverse("signin_root"), {"password": seed_demo.LAB_ROOT_PASSWORD})
    assert signed_in.status_code == 302
    created = client.post(reverse("iam:group_create"), {"group_name": "Developers"})
    assert created.status_code == 302
    assert Group.objects.filter(account=lab, name="Developers").exists()
    demo = Account.objects.get(alias=seed_demo.ALIAS)
    assert Group.objects.filter(account=demo, name="Developers").count() == 1  # the demo's own, untouched

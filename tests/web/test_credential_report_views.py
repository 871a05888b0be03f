"""The console's Access reports → Credential report page: the download's exact bytes, AWS's
four-hour rule seen from the button, refusals inside the page with AWS's text, and a number of
queries that does not grow with the users."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import CredentialReport, Identity
from accounts.services import access_keys, permissions, users
from accounts.services.credential_report import HEADER as COLUMNS

T0 = datetime(2026, 5, 4, 8, 0, 0, tzinfo=UTC)
URL = "/iam/credential-report/"
HEADER = ",".join(COLUMNS) + "\n"  # spelled out in tests/unit/services/test_credential_report.py


def allow(*actions):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(clock, root_factory):
    """A root user whose account was created at T0."""
    return root_factory()


def download(client):
    response = client.post(URL)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="credential_report.csv"'
    assert "no-store" in response["Cache-Control"]
    return response.content


def test_the_url_and_the_side_navigation(owner, client_for):
    assert reverse("iam:credential_report") == URL
    page = client_for(owner).get(reverse("iam:dashboard")).content.decode()
    assert '<h2 class="cs-sidenav__section-title">Access reports</h2>' in page
    assert f'href="{URL}">Credential report</a>' in page


def test_page_explains_and_offers_the_download(owner, client_for):
    response = client_for(owner).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="cs-page-title">Credential report</h1>' in page
    assert "Download credentials report</button>" in page
    assert 'class="cs-sidenav__link active" href="/iam/credential-report/"' in page
    assert "four hours" in page
    assert not CredentialReport.objects.exists()  # opening the page generates nothing


def test_download_is_the_reports_csv(owner, client_for, clock):
    acct = owner.account.account_id
    client = client_for(owner)
    clock.move_to(T0 + timedelta(minutes=5))
    users.console_create_user(owner, user_name="kim", console_access=True, custom_password="Kim-Passw0rd!1")
    clock.move_to(T0 + timedelta(minutes=6))
    key = access_keys.create_access_key(owner, user_name="kim").access_key_id
    clock.move_to(T0 + timedelta(minutes=7))
    access_keys.record_access_key_use(key, service="sts", region="eu-west-1")
    Identity.objects.filter(name="kim").update(last_login=T0 + timedelta(minutes=8))
    clock.move_to(T0 + timedelta(minutes=10))

    expected = (
        HEADER + f"<root_account>,arn:aws:iam::{acct}:root,2026-05-04T08:00:00+00:00,not_supported,"
        "2026-05-04T08:00:00+00:00,not_supported,not_supported,false,"  # root signed in at T0
        "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        f"kim,arn:aws:iam::{acct}:user/kim,2026-05-04T08:05:00+00:00,true,2026-05-04T08:08:00+00:00,"
        "2026-05-04T08:05:00+00:00,N/A,false,"
        "true,2026-05-04T08:06:00+00:00,2026-05-04T08:07:00+00:00,eu-west-1,sts,"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    ).encode()
    assert download(client) == expected


def test_the_button_downloads_the_recent_report_for_four_hours(owner, client_for, clock):
    client = client_for(owner)
    first = download(client)
    clock.move_to(T0 + timedelta(hours=4))
    users.create_user(owner, user_name="newcomer")
    assert download(client) == first  # the report of T0: no newcomer yet
    clock.move_to(T0 + timedelta(hours=4, seconds=1))
    fresh = download(client)
    assert b"\nnewcomer,arn:aws:iam::" in fresh
    assert CredentialReport.objects.get().generated_at == T0 + timedelta(hours=4, seconds=1)


def test_a_user_without_policy_is_refused_inside_the_page(root, user_factory, client_for):
    kim = user_factory("kim")
    response = client_for(kim).post(URL)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert (
        f"User: {kim.arn} is not authorized to perform: iam:GenerateCredentialReport on resource: * "
        "because no identity-based policy allows the iam:GenerateCredentialReport action"
    ) in page
    assert 'data-testid="form-error"' in page and 'data-testid="refusal-why"' in page
    assert "Download credentials report</button>" in page  # still the page, with its button
    assert not CredentialReport.objects.exists()


def test_a_user_who_may_generate_but_not_read_is_refused_the_download(root, user_factory, client_for):
    kim = user_factory("kim")
    permissions.put_user_policy(
        root, user_name="kim", policy_name="Generate", policy_document=allow("iam:GenerateCredentialReport")
    )
    response = client_for(kim).post(URL)
    assert response.status_code == 403
    assert (
        f"User: {kim.arn} is not authorized to perform: iam:GetCredentialReport on resource: * "
        "because no identity-based policy allows the iam:GetCredentialReport action"
    ) in response.content.decode()
    assert CredentialReport.objects.filter(account=root.account).count() == 1  # generated all the same


def test_a_user_allowed_both_actions_downloads(root, user_factory, client_for):
    kim = user_factory("kim")
    permissions.put_user_policy(
        root,
        user_name="kim",
        policy_name="Reports",
        policy_document=allow("iam:GenerateCredentialReport", "iam:GetCredentialReport"),
    )
    lines = download(client_for(kim)).decode().splitlines()
    assert lines[0] == HEADER.strip()
    assert lines[1].startswith(f"<root_account>,arn:aws:iam::{root.account.account_id}:root,")
    assert lines[2].startswith(f"kim,{kim.arn},")


def test_download_queries_do_not_grow_with_users(owner, client_for, clock):
    client = client_for(owner)
    download(client)  # warms the session and the gate's caches

    def queries_of_a_new_report(hours):
        clock.move_to(T0 + timedelta(hours=hours))
        with CaptureQueriesContext(connection) as captured:
            content = download(client)
        return len(captured), content

    users.create_user(owner, user_name="one")
    few, _ = queries_of_a_new_report(5)
    for n in range(20):
        users.create_user(owner, user_name=f"many{n:02}")
        access_keys.create_access_key(owner, user_name=f"many{n:02}")
    many, content = queries_of_a_new_report(10)
    assert few == many
    assert len(content.decode().splitlines()) == 1 + 1 + 21

"""The credential report (services.credential_report): the CSV's exact bytes, AWS's four-hour
rule, its errors, who may generate and read it, and a constant number of queries."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import totp
from accounts.errors import AccessDenied, ReportExpired, ReportNotPresent
from accounts.models import AuditEvent, CredentialReport, Identity
from accounts.services import access_keys, account, mfa, permissions, users
from accounts.services import credential_report as reports
from tests.mfa_helpers import consecutive

T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)  # the account is created at T0
HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated\n"
)
BOTH_ACTIONS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:GenerateCredentialReport", "iam:GetCredentialReport"],
                "Resource": "*",
            }
        ],
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


def at(clock, **delta):
    clock.move_to(T0 + timedelta(**delta))


def enable_mfa(actor, user_name, device_name):
    secret = totp.new_secret()
    c1, c2 = consecutive(secret)
    mfa.enable_virtual_mfa_device(
        actor, user_name=user_name, device_name=device_name, secret=secret, code1=c1, code2=c2
    )


def signed_in(name, when):
    """What a console sign-in records: the password's last use."""
    Identity.objects.filter(name=name, kind=Identity.USER).update(last_login=when)


def test_report_bytes_root_and_users_with_and_without_password_mfa_and_keys(owner, clock):
    acct = owner.account.account_id
    account.update_account_password_policy(owner, max_password_age=90)
    at(clock, minutes=30)
    access_keys.create_access_key(owner)
    # kim: a console password (used), MFA, no keys
    at(clock, hours=1)
    users.console_create_user(owner, user_name="kim", console_access=True, custom_password="Kim-Passw0rd!1")
    enable_mfa(owner, "kim", "kim-phone")
    signed_in("kim", T0 + timedelta(hours=2, seconds=7, microseconds=500))
    # lee (path /dev/): nothing at all
    at(clock, hours=1, minutes=5)
    users.create_user(owner, user_name="lee", path="/dev/")
    # Max: a password never used, one active key never used (upper case sorts by name too)
    at(clock, hours=1, minutes=10)
    users.console_create_user(owner, user_name="Max", console_access=True, custom_password="Max-Passw0rd!1")
    at(clock, hours=1, minutes=11)
    access_keys.create_access_key(owner, user_name="Max")
    # ann: no password, two keys: the first used, the second inactive and used
    at(clock, hours=1, minutes=20)
    users.create_user(owner, user_name="ann")
    at(clock, hours=1, minutes=21)
    first = access_keys.create_access_key(owner, user_name="ann").access_key_id
    at(clock, hours=1, minutes=22)
    second = access_keys.create_access_key(owner, user_name="ann").access_key_id
    at(clock, hours=3)
    access_keys.record_access_key_use(first, service="iam", region="us-east-1")
    at(clock, hours=3, minutes=1)
    access_keys.record_access_key_use(second, service="s3", region="")
    access_keys.update_access_key(owner, user_name="ann", access_key_id=second, status="Inactive")

    at(clock, hours=4)
    assert reports.generate_credential_report(owner).state == "STARTED"
    report = reports.get_credential_report(owner)

    assert report.report_format == "text/csv"
    assert report.generated_time == T0 + timedelta(hours=4)
    assert (
        report.content
        == (
            HEADER
            + f"<root_account>,arn:aws:iam::{acct}:root,2026-03-01T09:00:00+00:00,not_supported,no_information,"
            "not_supported,not_supported,false,"
            "true,2026-03-01T09:30:00+00:00,N/A,N/A,N/A,"
            "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
            f"ann,arn:aws:iam::{acct}:user/ann,2026-03-01T10:20:00+00:00,false,N/A,N/A,N/A,false,"
            "true,2026-03-01T10:21:00+00:00,2026-03-01T12:00:00+00:00,us-east-1,iam,"
            "false,N/A,2026-03-01T12:01:00+00:00,N/A,s3,false,N/A,false,N/A\n"
            f"kim,arn:aws:iam::{acct}:user/kim,2026-03-01T10:00:00+00:00,true,2026-03-01T11:00:07+00:00,"
            "2026-03-01T10:00:00+00:00,2026-05-30T10:00:00+00:00,true,"
            "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
            f"lee,arn:aws:iam::{acct}:user/dev/lee,2026-03-01T10:05:00+00:00,false,N/A,N/A,N/A,false,"
            "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
            f"Max,arn:aws:iam::{acct}:user/Max,2026-03-01T10:10:00+00:00,true,no_information,"
            "2026-03-01T10:10:00+00:00,2026-05-30T10:10:00+00:00,false,"
            "true,2026-03-01T10:11:00+00:00,N/A,N/A,N/A,"
            "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        ).encode()
    )


def test_root_signed_in_with_mfa_and_no_password_policy(owner, clock):
    """Without a password policy that expires passwords, password_next_rotation is N/A."""
    acct = owner.account.account_id
    enable_mfa(owner, None, "root-phone")
    Identity.objects.filter(pk=owner.pk).update(last_login=T0 + timedelta(minutes=1))
    at(clock, minutes=2)
    users.console_create_user(owner, user_name="kim", console_access=True, custom_password="Kim-Passw0rd!1")
    reports.generate_credential_report(owner)
    assert (
        reports.get_credential_report(owner).content
        == (
            HEADER + f"<root_account>,arn:aws:iam::{acct}:root,2026-03-01T09:00:00+00:00,not_supported,"
            "2026-03-01T09:01:00+00:00,not_supported,not_supported,true,"
            "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
            f"kim,arn:aws:iam::{acct}:user/kim,2026-03-01T09:02:00+00:00,true,no_information,"
            "2026-03-01T09:02:00+00:00,N/A,false,"
            "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        ).encode()
    )


def test_a_name_with_a_comma_is_quoted(owner, clock):
    users.create_user(owner, user_name="a,b")
    reports.generate_credential_report(owner)
    lines = reports.get_credential_report(owner).content.decode().splitlines()
    assert lines[2].startswith(f'"a,b","arn:aws:iam::{owner.account.account_id}:user/a,b",')


def test_report_not_present_before_the_first_generate(owner):
    with pytest.raises(ReportNotPresent) as caught:
        reports.get_credential_report(owner)
    assert (caught.value.code, caught.value.status) == ("ReportNotPresent", 410)
    assert caught.value.message == (
        "The request was rejected because the credential report does not exist. "
        "To generate a credential report, use GenerateCredentialReport."
    )


def test_one_report_every_four_hours(owner, clock):
    started = reports.generate_credential_report(owner)
    assert (started.state, started.description) == (
        "STARTED",
        "No report exists. Starting a new report generation task",
    )
    first = reports.get_credential_report(owner)
    assert first.generated_time == T0

    # within four hours: COMPLETE, and the report stays as it was
    at(clock, hours=1)
    users.create_user(owner, user_name="late")
    again = reports.generate_credential_report(owner)
    assert (again.state, again.description) == ("COMPLETE", None)
    at(clock, hours=4)  # four hours old: still served
    assert reports.get_credential_report(owner) == first
    assert b"late" not in first.content

    # older than four hours: expired, until the next generate makes a new one
    at(clock, hours=4, seconds=1)
    with pytest.raises(ReportExpired) as caught:
        reports.get_credential_report(owner)
    assert (caught.value.code, caught.value.status) == ("ReportExpired", 410)
    assert caught.value.message == (
        "The request was rejected because the most recent credential report has expired. "
        "To generate a new credential report, use GenerateCredentialReport."
    )
    assert reports.generate_credential_report(owner).state == "STARTED"
    fresh = reports.get_credential_report(owner)
    assert fresh.generated_time == T0 + timedelta(hours=4, seconds=1)
    assert b"\nlate,arn:aws:iam::" in fresh.content
    assert CredentialReport.objects.filter(account=owner.account).count() == 1  # the latest only


def test_generated_time_is_to_the_second(owner, clock):
    clock.move_to(T0 + timedelta(microseconds=999_999))
    reports.generate_credential_report(owner)
    assert reports.get_credential_report(owner).generated_time == T0


def test_each_account_sees_its_own_report(owner, root_factory):
    other = root_factory()
    reports.generate_credential_report(owner)
    with pytest.raises(ReportNotPresent):
        reports.get_credential_report(other)
    reports.generate_credential_report(other)
    own = reports.get_credential_report(other).content.decode()
    assert f"arn:aws:iam::{other.account.account_id}:root" in own
    assert owner.account.account_id not in own


def test_user_without_policy_is_refused_both_actions(root, user_factory):
    nobody = user_factory("nobody")
    for action, call in (
        ("iam:GenerateCredentialReport", reports.generate_credential_report),
        ("iam:GetCredentialReport", reports.get_credential_report),
    ):
        with pytest.raises(AccessDenied) as caught:
            call(nobody)
        assert caught.value.message == (
            f"User: {nobody.arn} is not authorized to perform: {action} on resource: * "
            f"because no identity-based policy allows the {action} action"
        )
        assert AuditEvent.objects.filter(action=action, result="AccessDenied").count() == 1
    assert not CredentialReport.objects.exists()


def test_a_user_allowed_both_actions_generates_and_reads(root, user_factory):
    auditor = user_factory("auditor")
    permissions.put_user_policy(
        root, user_name="auditor", policy_name="Reports", policy_document=BOTH_ACTIONS
    )
    assert reports.generate_credential_report(auditor).state == "STARTED"
    content = reports.get_credential_report(auditor).content.decode()
    assert content.splitlines()[2].startswith("auditor,")
    assert AuditEvent.objects.filter(action="iam:GenerateCredentialReport", result="Success").count() == 1


def test_generate_queries_do_not_grow_with_users(owner, clock):
    reports.generate_credential_report(owner)  # warms the gate's caches

    def queries_of_a_new_report(hours):
        at(clock, hours=hours)
        with CaptureQueriesContext(connection) as captured:
            assert reports.generate_credential_report(owner).state == "STARTED"
        return len(captured)

    users.create_user(owner, user_name="one")
    few = queries_of_a_new_report(5)
    for n in range(6):
        name = f"many{n}"
        users.console_create_user(
            owner, user_name=name, console_access=True, custom_password="Many-Passw0rd!1"
        )
        access_keys.create_access_key(owner, user_name=name)
        access_keys.create_access_key(owner, user_name=name)
        enable_mfa(owner, name, f"{name}-phone")
    many = queries_of_a_new_report(10)
    assert few == many
    assert len(reports.get_credential_report(owner).content.decode().splitlines()) == 1 + 1 + 7


def test_building_a_report_takes_three_queries(owner):
    for n in range(3):
        users.create_user(owner, user_name=f"u{n}")
        access_keys.create_access_key(owner, user_name=f"u{n}")
    from accounts.services.lookups import account_of

    account_row = account_of(owner)
    with CaptureQueriesContext(connection) as captured:
        reports.build_credential_report(account_row)
    assert len(captured) == 3

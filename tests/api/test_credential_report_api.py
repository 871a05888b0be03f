"""GenerateCredentialReport and GetCredentialReport through boto3 and the AWS CLI against the
live server: AWS's states and description, the report's bytes (base64 on the wire, as AWS
sends a blob), ReportNotPresent and ReportExpired with 410, and a refusal that writes nothing."""

import base64
import csv
import io
import re
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from accounts.models import CredentialReport
from accounts.services.credential_report import (
    EXPIRED_MESSAGE,
    HEADER,
    NOT_PRESENT_MESSAGE,
    STARTED_DESCRIPTION,
)
from tests.api.conftest import denied, error_of, send
from tests.api.test_cli import aws, ok


def rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_report_not_present_before_the_first_generate(world):
    with pytest.raises(ClientError) as caught:
        world.root.iam.get_credential_report()
    error = error_of(caught)
    assert (error["Code"], error["Type"], error["HTTPStatusCode"]) == ("ReportNotPresent", "Sender", 410)
    assert error["Message"] == NOT_PRESENT_MESSAGE
    assert error["RequestId"]
    # boto3 knows the code as the model's exception
    with pytest.raises(world.root.iam.exceptions.CredentialReportNotPresentException):
        world.root.iam.get_credential_report()


def test_generate_then_get_the_report(world):
    iam = world.admin.iam
    iam.get_user()  # the admin's key is used (its use is noted after each call)
    started = iam.generate_credential_report()
    started.pop("ResponseMetadata")
    assert started == {"State": "STARTED", "Description": STARTED_DESCRIPTION}
    again = iam.generate_credential_report()
    again.pop("ResponseMetadata")
    assert again == {"State": "COMPLETE"}

    report = iam.get_credential_report()
    stored = CredentialReport.objects.get()
    assert report["ReportFormat"] == "text/csv"
    assert report["GeneratedTime"] == stored.generated_at
    assert report["Content"] == bytes(stored.content)  # boto3 decodes the base64
    table = rows(report["Content"])
    assert list(table[0]) == list(HEADER)
    assert [r["user"] for r in table] == ["<root_account>", "admin", "nobody"]
    root_row, admin_row, nobody_row = table
    assert root_row["arn"] == f"arn:aws:iam::{world.account_id}:root"
    assert root_row["password_enabled"] == "not_supported"
    assert admin_row["arn"] == world.admin.arn
    assert admin_row["password_enabled"] == "true"
    assert admin_row["password_last_used"] == "no_information"
    # the admin's key signed GetUser before the report was made
    assert admin_row["access_key_1_active"] == "true"
    assert admin_row["access_key_1_last_used_service"] == "iam"
    assert admin_row["access_key_1_last_used_region"] == "us-east-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", admin_row["access_key_1_last_used_date"])
    assert admin_row["access_key_2_active"] == "false"
    assert nobody_row["mfa_active"] == "false"


def test_content_is_base64_in_the_xml(world):
    world.root.iam.generate_credential_report()
    raw = send(world.endpoint, "Action=GetCredentialReport&Version=2010-05-08", keys=world.root.keys)
    assert raw.status == 200
    body = raw.body.decode()
    content = re.search(r"<Content>([A-Za-z0-9+/=]+)</Content>", body).group(1)
    stored = CredentialReport.objects.get()
    assert base64.b64decode(content) == bytes(stored.content)
    assert "<ReportFormat>text/csv</ReportFormat>" in body
    assert f"<GeneratedTime>{stored.generated_at:%Y-%m-%dT%H:%M:%S}Z</GeneratedTime>" in body


def test_an_expired_report_until_the_next_generate(world):
    iam = world.root.iam
    iam.generate_credential_report()
    first = CredentialReport.objects.get()
    CredentialReport.objects.filter(pk=first.pk).update(
        generated_at=first.generated_at - timedelta(hours=4, seconds=1)
    )
    with pytest.raises(ClientError) as caught:
        iam.get_credential_report()
    error = error_of(caught)
    assert (error["Code"], error["Type"], error["HTTPStatusCode"]) == ("ReportExpired", "Sender", 410)
    assert error["Message"] == EXPIRED_MESSAGE

    assert iam.generate_credential_report()["State"] == "STARTED"
    fresh = iam.get_credential_report()
    assert fresh["GeneratedTime"] > first.generated_at - timedelta(hours=4)
    assert CredentialReport.objects.count() == 1


def test_a_user_without_policy_is_refused_and_nothing_is_written(world):
    for call, action in (
        (world.nobody.iam.generate_credential_report, "iam:GenerateCredentialReport"),
        (world.nobody.iam.get_credential_report, "iam:GetCredentialReport"),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        error = error_of(caught)
        assert (error["Code"], error["HTTPStatusCode"]) == ("AccessDenied", 403)
        assert error["Message"] == denied(world.nobody.arn, action, "*")
    assert not CredentialReport.objects.exists()


def test_the_aws_cli_generates_and_gets_the_report(world, tmp_path):
    run = lambda *args: ok(aws(world.endpoint, world.root.keys, "iam", *args, tmp_path=tmp_path))  # noqa: E731
    assert run("generate-credential-report") == {"State": "STARTED", "Description": STARTED_DESCRIPTION}
    got = run("get-credential-report")
    stored = CredentialReport.objects.get()
    # the CLI prints a blob base64-encoded
    assert base64.b64decode(got["Content"]) == bytes(stored.content)
    assert got["ReportFormat"] == "text/csv"
    assert got["GeneratedTime"] == f"{stored.generated_at:%Y-%m-%dT%H:%M:%S}Z"

"""The AWS CLI against the live server (``aws s3 ls/cp/rm/mb/rb``, ``aws s3api …``), with keys
from the console's CSV and the services. Most calls run the CLI's own driver in this process
(the CLI as installed, without paying its start-up for each call); one runs the ``aws`` program."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import pytest

from s3.models import S3Object
from tests.s3.conftest import read
from tests.s3.live import keys_from_console, keys_from_services

BUCKET = "cli-reports"


def env_for(keys, tmp_path: Path) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": keys.access_key_id,
        "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_PAGER": "",
    }


class CLI:
    """The CLI's driver for one caller, built once (its command table is the costly part)."""

    def __init__(self, endpoint: str, keys, tmp_path: Path):
        from awscli.clidriver import create_clidriver

        self.endpoint = endpoint
        self.env = env_for(keys, tmp_path)
        with mock.patch.dict(os.environ, self.env):
            self.driver = create_clidriver()

    def __call__(self, *args: str) -> tuple[int, str, str]:
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
        err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
        with mock.patch.dict(os.environ, self.env), redirect_stdout(out), redirect_stderr(err):
            rc = self.driver.main(["--endpoint-url", self.endpoint, *args])
        return rc, out.buffer.getvalue().decode(), err.buffer.getvalue().decode()


@pytest.fixture
def reports(root, make_bucket, put):
    make_bucket(root, BUCKET)
    put(root, BUCKET, "reports/2025/q1.csv", b"region,amount\nseoul,1200\n")
    put(root, BUCKET, "README.txt", b"hello")
    return BUCKET


def test_carol_lists_and_downloads_and_is_refused_upload(
    live_server, root, carol, client_for, reports, tmp_path
):
    aws = CLI(live_server.url, keys_from_console(client_for(root), "carol"), tmp_path)
    rc, out, _ = aws("s3", "ls")
    assert rc == 0 and out.split()[-1] == BUCKET
    rc, out, _ = aws("s3", "ls", f"s3://{BUCKET}/")
    assert rc == 0 and "PRE reports/" in out and "README.txt" in out
    rc, out, _ = aws("s3", "ls", f"s3://{BUCKET}", "--recursive")
    assert rc == 0 and "reports/2025/q1.csv" in out
    target = tmp_path / "q1.csv"
    rc, _, _ = aws("s3", "cp", f"s3://{BUCKET}/reports/2025/q1.csv", str(target))
    assert rc == 0 and target.read_bytes() == b"region,amount\nseoul,1200\n"
    notes = tmp_path / "notes.txt"
    notes.write_text("carol's notes")
    rc, _, err = aws("s3", "cp", str(notes), f"s3://{BUCKET}/notes.txt")
    assert rc == 1
    assert "An error occurred (AccessDenied) when calling the PutObject operation" in err
    assert err.rstrip().endswith(
        f'User: {carol.arn} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::{BUCKET}/notes.txt" '
        "because no identity-based policy allows the s3:PutObject action"
    )
    assert not S3Object.objects.filter(key=b"notes.txt").exists()


def test_bob_is_refused_s3_ls_by_the_aws_program(live_server, root, bob, reports, tmp_path):
    env = {**os.environ, **env_for(keys_from_services(root, "bob"), tmp_path)}
    aws = Path(sys.executable).with_name("aws")
    done = subprocess.run(
        [str(aws), "--endpoint-url", live_server.url, "s3", "ls"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 255  # the CLI v1 exit status of a service error
    assert done.stderr.strip() == (
        f"An error occurred (AccessDenied) when calling the ListBuckets operation: User: {bob.arn} is not authorized "
        "to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action"
    )


def test_an_administrator_works_with_s3_and_s3api(live_server, root, alice, reports, tmp_path):
    aws = CLI(live_server.url, keys_from_services(root, "alice"), tmp_path)
    assert aws("s3", "mb", "s3://alice-cli-bucket")[0] == 0
    upload = tmp_path / "data.bin"
    upload.write_bytes(b"\x00\x01binary\xff" * 100)
    assert aws("s3", "cp", str(upload), "s3://alice-cli-bucket/dir/data.bin")[0] == 0
    rc, out, _ = aws("s3api", "head-object", "--bucket", "alice-cli-bucket", "--key", "dir/data.bin")
    assert rc == 0 and json.loads(out)["ContentLength"] == 900
    assert read(root, "alice-cli-bucket", "dir/data.bin") == upload.read_bytes()
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{root.account_id}:root"},
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::alice-cli-bucket/*",
                    }
                ],
            }
        )
    )
    rc, _, err = aws("s3api", "put-bucket-policy", "--bucket", "alice-cli-bucket", "--policy", "policy.json")
    assert rc != 0 and "(MalformedPolicy)" in err and "the first byte must be '{'" in err
    assert (
        aws("s3api", "put-bucket-policy", "--bucket", "alice-cli-bucket", "--policy", f"file://{policy}")[0]
        == 0
    )
    rc, out, _ = aws("s3api", "get-bucket-policy", "--bucket", "alice-cli-bucket")
    assert json.loads(json.loads(out)["Policy"])["Statement"][0]["Action"] == "s3:GetObject"
    rc, _, err = aws("s3", "rb", "s3://alice-cli-bucket")
    assert rc != 0 and "BucketNotEmpty" in err
    assert aws("s3", "rm", "s3://alice-cli-bucket/dir/data.bin")[0] == 0
    assert aws("s3", "rb", "s3://alice-cli-bucket")[0] == 0
    rc, out, _ = aws("s3", "ls")
    assert "alice-cli-bucket" not in out and BUCKET in out

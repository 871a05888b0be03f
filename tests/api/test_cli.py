"""The AWS CLI (``.venv/bin/aws``, a new Python process per command, so only a few) against the
live server, with keys from the console's CSV in the environment and ``--endpoint-url``."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import Keys, denied

AWS_CLI = Path(sys.executable).with_name("aws")


def aws(endpoint: str, keys: Keys, *args: str, tmp_path) -> subprocess.CompletedProcess:
    if not AWS_CLI.exists() and shutil.which("aws") is None:
        pytest.fail("the AWS CLI is not installed (bin/setup --test installs awscli from requirements-dev.txt)")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": keys.access_key_id,
        "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_PAGER": "",
    }
    if keys.session_token:
        env["AWS_SESSION_TOKEN"] = keys.session_token
    command = [str(AWS_CLI if AWS_CLI.exists() else shutil.which("aws")), "--endpoint-url", endpoint]
    return subprocess.run(  # noqa: S603 - our own CLI, arguments we wrote
        [*command, *args, "--output", "json"], env=env, capture_output=True, text=True, timeout=120
    )


def ok(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_cli_creates_a_user_attaches_a_policy_and_reads_it_back(world, tmp_path):
    run = lambda *args: aws(world.endpoint, world.root.keys, *args, tmp_path=tmp_path)  # noqa: E731
    created = ok(run("iam", "create-user", "--user-name", "kim", "--path", "/dev/"))
    assert created["User"]["Arn"] == f"arn:aws:iam::{world.account_id}:user/dev/kim"
    policy = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    assert ok(run("iam", "attach-user-policy", "--user-name", "kim", "--policy-arn", policy)) is None
    user = ok(run("iam", "get-user", "--user-name", "kim"))["User"]
    assert (user["UserName"], user["Path"], user["UserId"]) == ("kim", "/dev/", created["User"]["UserId"])
    listed = ok(run("iam", "list-users"))["Users"]
    assert sorted(u["UserName"] for u in listed) == ["admin", "kim", "nobody"]
    # the stored state agrees
    world_policies = world.root.iam.list_attached_user_policies(UserName="kim")["AttachedPolicies"]
    assert world_policies == [{"PolicyName": "IAMReadOnlyAccess", "PolicyArn": policy}]


def test_cli_refused_call_exits_with_awss_message(world, tmp_path):
    result = aws(
        world.endpoint, world.nobody.keys, "iam", "create-user", "--user-name", "x", tmp_path=tmp_path
    )
    # AWS CLI v1 exits 255 on a service error (v2 exits 254)
    assert result.returncode == 255
    message = denied(world.nobody.arn, "iam:CreateUser", f"arn:aws:iam::{world.account_id}:user/x")
    assert (
        f"An error occurred (AccessDenied) when calling the CreateUser operation: {message}" in result.stderr
    )
    assert result.stdout == ""


def test_cli_sts_identity_and_assume_role(world, root, tmp_path):
    from accounts.services import permissions, roles

    identity = ok(aws(world.endpoint, world.admin.keys, "sts", "get-caller-identity", tmp_path=tmp_path))
    assert identity == {
        "UserId": world.admin.identity.unique_id,
        "Account": world.account_id,
        "Arn": world.admin.arn,
    }
    roles.create_role(
        root, role_name="Reader", assume_role_policy_document=roles.account_trust_policy(world.account_id)
    )
    permissions.attach_role_policy(
        root, role_name="Reader", policy_arn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    )
    assumed = ok(
        aws(
            world.endpoint,
            world.admin.keys,
            "sts",
            "assume-role",
            "--role-arn",
            f"arn:aws:iam::{world.account_id}:role/Reader",
            "--role-session-name",
            "cli",
            tmp_path=tmp_path,
        )
    )
    credentials = assumed["Credentials"]
    session = Keys(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    listed = ok(aws(world.endpoint, session, "iam", "list-roles", tmp_path=tmp_path))
    assert [r["RoleName"] for r in listed["Roles"]] == ["Reader"]
    refused = aws(world.endpoint, session, "iam", "delete-role", "--role-name", "Reader", tmp_path=tmp_path)
    assert refused.returncode == 255
    session_arn = f"arn:aws:sts::{world.account_id}:assumed-role/Reader/cli"
    role_arn = f"arn:aws:iam::{world.account_id}:role/Reader"
    assert denied(session_arn, "iam:DeleteRole", role_arn) in refused.stderr

"""EC2 in the browser: an administrator launches an instance with a role from the console,
connects to it, reads the role's credentials from its metadata service, uses them with boto3
(they act as assumed-role/<role>/<instance-id>), then stops the instance from the Instances
table and the credentials stop working."""

import json
import re

import pytest
from playwright.sync_api import expect

from accounts.services import instance_profiles, permissions, roles
from tests.conftest import USER_PASSWORD
from tests.e2e.test_first_user_flow import shot

AWS = "arn:aws:iam::aws:policy/"


@pytest.fixture
def instant_transitions(settings):
    settings.EC2_TRANSITION_SECONDS = {"pending": 0, "stopping": 0, "shutting-down": 0}


def _client(live_server, service, creds):
    import botocore.session
    from botocore.config import Config

    return botocore.session.get_session().create_client(
        service,
        region_name="ap-northeast-2",
        endpoint_url=live_server.url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["Token"],
        config=Config(retries={"max_attempts": 1}),
    )


def test_launch_with_a_role_connect_and_use_its_credentials(
    live_server, page, root, user_factory, instant_transitions
):
    from botocore.exceptions import ClientError

    roles.create_role(
        root, role_name="AppRole", assume_role_policy_document=roles.service_trust_policy("ec2.amazonaws.com")
    )
    permissions.attach_role_policy(root, role_name="AppRole", policy_arn=AWS + "AmazonEC2ReadOnlyAccess")
    instance_profiles.create_instance_profile(root, instance_profile_name="AppRole")
    instance_profiles.add_role_to_instance_profile(root, instance_profile_name="AppRole", role_name="AppRole")
    user_factory("alice")
    permissions.attach_user_policy(root, user_name="alice", policy_arn=AWS + "AdministratorAccess")
    account = root.account.account_id

    page.goto(f"{live_server.url}/signin/{account}/")
    page.locator("#id_user_name").fill("alice")
    page.locator("#id_password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-menu")).to_contain_text("alice @")

    page.goto(f"{live_server.url}/ec2/")
    expect(page.get_by_test_id("region-menu")).to_contain_text("Asia Pacific (Seoul)")
    page.get_by_role("navigation", name="EC2 navigation").get_by_role(
        "link", name="Instances", exact=True
    ).click()
    expect(page.get_by_test_id("instance-counter")).to_have_text("(0)")
    page.get_by_role("link", name="Launch instances").first.click()
    expect(page.get_by_role("heading", name="Launch an instance")).to_be_visible()
    page.locator("#id_name").fill("my-app")
    page.get_by_text("Amazon Linux 2023 AMI").click()
    page.locator("#id_instance_type").select_option("t3.micro")
    page.locator("#id_iam_instance_profile").select_option("AppRole")
    shot(page, "40-ec2-launch")
    page.get_by_role("button", name="Launch instance").click()

    heading = page.get_by_role("heading", name=re.compile(r"Instance summary for i-[0-9a-f]{17} \(my-app\)"))
    expect(heading).to_be_visible()
    expect(page.get_by_text("Successfully initiated launch of instance")).to_be_visible()
    instance_id = page.get_by_test_id("instance-id").inner_text()
    expect(page.get_by_test_id("iam-role")).to_have_text("AppRole")
    page.get_by_role("link", name="Security", exact=True).click()
    expect(page.get_by_test_id("security-iam-role")).to_have_text("AppRole")
    shot(page, "41-ec2-instance-security")

    page.get_by_role("link", name="Connect", exact=True).first.click()
    page.get_by_test_id("connect").click()
    transcript = page.get_by_test_id("imds-transcript")
    expect(transcript).to_contain_text("latest/meta-data/iam/security-credentials/AppRole")
    shot(page, "42-ec2-connect-metadata")
    text = transcript.inner_text()
    creds = json.loads(text[text.index("{") : text.rindex("}") + 1])
    assert creds["Code"] == "Success" and creds["AccessKeyId"].startswith("ASIA")

    sts = _client(live_server, "sts", creds)
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:sts::{account}:assumed-role/AppRole/{instance_id}"
    ec2 = _client(live_server, "ec2", creds)
    found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert found["Tags"] == [{"Key": "Name", "Value": "my-app"}]
    with pytest.raises(ClientError) as refused:
        ec2.terminate_instances(InstanceIds=[instance_id])
    assert refused.value.response["Error"]["Code"] == "UnauthorizedOperation"

    # stop it from the Instances table: the credentials stop working
    page.goto(f"{live_server.url}/ec2/instances/")
    page.get_by_role("checkbox", name=f"Select {instance_id}").check()
    page.get_by_test_id("instance-state-menu").click()
    page.get_by_role("button", name="Stop instance").click()
    expect(page.get_by_role("heading", name="Stop instance?")).to_be_visible()
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.get_by_text(f"Successfully stopped {instance_id}")).to_be_visible()
    expect(page.get_by_test_id("instance-state")).to_have_text("Stopped")
    shot(page, "43-ec2-stopped")
    with pytest.raises(ClientError) as ended:
        sts.get_caller_identity()
    assert ended.value.response["Error"]["Code"] == "InvalidClientTokenId"

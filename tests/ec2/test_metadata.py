"""The instance metadata service over HTTP (``/ec2/instances/<id>/latest/…``): who may reach it
(connect token, IMDSv2 session token), AWS's documents, and the role's credentials: a real
role session, served again, rotated, ended when the instance stops or loses its role."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.errors import AccessDenied
from accounts.models import AuditEvent, TemporaryCredential
from accounts.services import authentication, instance_profiles, roles, sts
from ec2.models import InstanceRoleCredential
from ec2.services import iam_instance_profiles, instance_connect, instances

from .conftest import REGION, UBUNTU, allow

pytestmark = pytest.mark.django_db


@pytest.fixture
def imds():
    """``imds(instance_id)``: a client of that instance's metadata service."""

    class Imds:
        def __init__(self, instance_id):
            self.base = f"/ec2/instances/{instance_id}/latest/"
            self.client = Client()

        def put_token(self, ttl="21600", **headers):
            if ttl is not None:
                headers["HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS"] = ttl
            return self.client.put(self.base + "api/token", **headers)

        def get(self, path, token=None, connect=None):
            headers = {}
            if token is not None:
                headers["HTTP_X_AWS_EC2_METADATA_TOKEN"] = token
            if connect is not None:
                headers["HTTP_AUTHORIZATION"] = connect
            return self.client.get(self.base + path, **headers)

    return Imds


@pytest.fixture
def connected(root):
    def make(instance_id):
        return instance_connect.send_ssh_public_key(root, region=REGION, instance_id=instance_id).token

    return make


def _session(imds_client, token):
    answer = imds_client.put_token(HTTP_AUTHORIZATION=token)
    assert answer.status_code == 200, answer.content
    assert answer["X-aws-ec2-metadata-token-ttl-seconds"] == "21600"
    return answer.content.decode()


def test_the_imdsv2_handshake_and_the_role_credentials(root, launch, ec2_role, imds, connected):
    ec2_role("AppRole")
    instance = launch(profile="AppRole")
    service = imds(instance.instance_id)
    token = connected(instance.instance_id)
    # IMDSv2 required (Amazon Linux 2023): no GET without a session token
    assert service.get("meta-data/instance-id", connect=token).status_code == 401
    assert service.get("meta-data/instance-id").status_code == 401
    assert service.put_token(HTTP_AUTHORIZATION="forged").status_code == 401
    assert service.put_token(ttl=None, HTTP_AUTHORIZATION=token).status_code == 400
    assert service.put_token(ttl="21601", HTTP_AUTHORIZATION=token).status_code == 400
    assert service.put_token(HTTP_AUTHORIZATION=token, HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 403
    session = _session(service, token)
    assert service.get("meta-data/instance-id", token="nonsense").status_code == 401
    assert service.get("meta-data/instance-id", token=session).content.decode() == instance.instance_id
    assert service.get("meta-data/placement/region", token=session).content.decode() == REGION
    assert "iam/" in service.get("meta-data/", token=session).content.decode().split("\n")
    assert service.get("meta-data/nothing-here", token=session).status_code == 404
    identity = json.loads(service.get("dynamic/instance-identity/document", token=session).content)
    assert identity["instanceId"] == instance.instance_id and identity["accountId"] == root.account_id
    info = json.loads(service.get("meta-data/iam/info", token=session).content)
    assert info["Code"] == "Success" and info["InstanceProfileArn"].endswith(":instance-profile/AppRole")
    assert service.get("meta-data/iam/security-credentials/", token=session).content.decode() == "AppRole"
    assert service.get("meta-data/iam/security-credentials/OtherRole", token=session).status_code == 404
    answer = service.get("meta-data/iam/security-credentials/AppRole", token=session)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    assert '"Code" : "Success"' in answer.content.decode()  # laid out as IMDS lays it out
    creds = json.loads(answer.content)
    assert set(creds) == {
        "Code",
        "LastUpdated",
        "Type",
        "AccessKeyId",
        "SecretAccessKey",
        "Token",
        "Expiration",
    }
    assert creds["Type"] == "AWS-HMAC" and creds["AccessKeyId"].startswith("ASIA")
    # a real role session, named after the instance
    caller = authentication.caller_for_access_key(creds["AccessKeyId"], creds["Token"], service="sts")
    assert (
        caller.principal.arn == f"arn:aws:sts::{root.account_id}:assumed-role/AppRole/{instance.instance_id}"
    )
    assert caller.secret == creds["SecretAccessKey"]
    event = AuditEvent.objects.filter(action="sts:AssumeRole").latest("pk")
    assert (event.actor_arn, event.result, event.detail["role_session_name"]) == (
        "ec2.amazonaws.com",
        "Success",
        instance.instance_id,
    )
    # served again while they last
    again = json.loads(service.get("meta-data/iam/security-credentials/AppRole", token=session).content)
    assert again["AccessKeyId"] == creds["AccessKeyId"]
    assert TemporaryCredential.objects.count() == 1


def test_imdsv1_works_with_the_connect_token_when_tokens_are_optional(root, launch, imds, connected):
    instance = launch(image_id=UBUNTU)
    assert instance.metadata_options.http_tokens == "optional"
    service = imds(instance.instance_id)
    token = connected(instance.instance_id)
    assert service.get("meta-data/instance-id", connect=token).content.decode() == instance.instance_id
    assert service.get("meta-data/iam/security-credentials/", connect=token).status_code == 404  # no role
    other = launch(image_id=UBUNTU)
    assert service.get("meta-data/instance-id", connect=connected(other.instance_id)).status_code == 401


def test_credentials_rotate_before_they_expire(root, launch, ec2_role, imds, connected):
    ec2_role("AppRole")
    instance = launch(profile="AppRole")
    service = imds(instance.instance_id)
    session = _session(service, connected(instance.instance_id))
    first = json.loads(service.get("meta-data/iam/security-credentials/AppRole", token=session).content)
    # four minutes left: new credentials (the old ones still work until they expire, as in AWS)
    TemporaryCredential.objects.filter(access_key_id=first["AccessKeyId"]).update(
        expires_at=timezone.now() + timedelta(minutes=4)
    )
    second = json.loads(service.get("meta-data/iam/security-credentials/AppRole", token=session).content)
    assert second["AccessKeyId"] != first["AccessKeyId"]
    assert TemporaryCredential.objects.filter(access_key_id=first["AccessKeyId"]).exists()


@pytest.mark.parametrize(
    "how", ["stop", "terminate", "disassociate", "replace", "remove-role", "delete-role"]
)
def test_credentials_stop_working_when_the_instance_stops_or_loses_its_role(
    root, launch, ec2_role, imds, connected, how
):
    from accounts.services import permissions

    ec2_role("AppRole")
    ec2_role("Other")
    instance = launch(profile="AppRole")
    i = instance.instance_id
    service = imds(i)
    session = _session(service, connected(i))
    creds = json.loads(service.get("meta-data/iam/security-credentials/AppRole", token=session).content)
    association = instance.iam_instance_profile.association_id
    if how == "stop":
        instances.stop_instances(root, region=REGION, instance_ids=[i])
    elif how == "terminate":
        instances.terminate_instances(root, region=REGION, instance_ids=[i])
    elif how == "disassociate":
        iam_instance_profiles.disassociate_iam_instance_profile(
            root, region=REGION, association_id=association
        )
    elif how == "replace":
        iam_instance_profiles.replace_iam_instance_profile_association(
            root, region=REGION, association_id=association, iam_instance_profile={"Name": "Other"}
        )
    elif how == "remove-role":
        instance_profiles.remove_role_from_instance_profile(
            root, instance_profile_name="AppRole", role_name="AppRole"
        )
    else:
        instance_profiles.remove_role_from_instance_profile(
            root, instance_profile_name="AppRole", role_name="AppRole"
        )
        permissions.detach_role_policy(
            root, role_name="AppRole", policy_arn="arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"
        )
        roles.delete_role(root, role_name="AppRole")
    assert not TemporaryCredential.objects.filter(access_key_id=creds["AccessKeyId"]).exists()
    assert not InstanceRoleCredential.objects.exists()
    with pytest.raises(Exception) as excinfo:
        authentication.caller_for_access_key(creds["AccessKeyId"], creds["Token"], service="sts")
    assert excinfo.value.code == "InvalidClientTokenId"
    answer = service.get("meta-data/iam/security-credentials/AppRole", token=session)
    assert answer.status_code in (401, 404, 503)  # stopped: unreachable (and its tokens end); no role: 404


def test_a_role_that_does_not_trust_ec2_gives_no_credentials(root, launch, ec2_role, imds, connected):
    ec2_role("LambdaRole", trust="lambda.amazonaws.com")
    instance = launch(profile="LambdaRole")
    service = imds(instance.instance_id)
    session = _session(service, connected(instance.instance_id))
    answer = json.loads(service.get("meta-data/iam/security-credentials/LambdaRole", token=session).content)
    assert answer["Code"] == "AssumeRoleUnauthorizedAccess"
    assert answer["Message"].startswith("EC2 cannot assume the role LambdaRole.")
    assert not TemporaryCredential.objects.exists()
    refused = AuditEvent.objects.filter(action="sts:AssumeRole").latest("pk")
    assert (refused.actor_arn, refused.result) == ("ec2.amazonaws.com", "AccessDenied")
    with pytest.raises(AccessDenied):
        sts.issue_service_role_credentials(
            role_arn=f"arn:aws:iam::{root.account_id}:role/LambdaRole",
            service="ec2.amazonaws.com",
            session_name=instance.instance_id,
            source_arn="x",
        )


def test_connect_needs_instance_connect_permission_and_a_running_instance(policy_user, launch, root):
    from accounts.errors import AccessDenied as Denied
    from ec2.errors import IncorrectInstanceState

    i = launch().instance_id
    bob = policy_user("bob", managed=("AmazonEC2FullAccess",))
    with pytest.raises(Denied, match="ec2-instance-connect:SendSSHPublicKey on resource: arn:aws:ec2:"):
        instance_connect.send_ssh_public_key(bob, region=REGION, instance_id=i)
    ssh = policy_user(
        "ssh",
        allow("ec2-instance-connect:SendSSHPublicKey", "*", {"StringEquals": {"ec2:osuser": "ec2-user"}}),
    )
    assert (
        instance_connect.send_ssh_public_key(ssh, region=REGION, instance_id=i).instance_os_user == "ec2-user"
    )
    with pytest.raises(Denied):
        instance_connect.send_ssh_public_key(ssh, region=REGION, instance_id=i, instance_os_user="root")
    instances.stop_instances(root, region=REGION, instance_ids=[i])
    with pytest.raises(IncorrectInstanceState):
        instance_connect.send_ssh_public_key(root, region=REGION, instance_id=i)


def test_a_stopped_instance_ends_its_tokens(root, launch, imds, connected, slow_transitions):
    from .conftest import age

    instance = launch(image_id=UBUNTU)
    age(instance.instance_id, 31)
    token = connected(instance.instance_id)
    service = imds(instance.instance_id)
    session = _session(service, token)
    instances.stop_instances(root, region=REGION, instance_ids=[instance.instance_id])
    assert service.get("meta-data/instance-id", token=session).status_code == 503  # stopping
    age(instance.instance_id, 31)
    instances.start_instances(root, region=REGION, instance_ids=[instance.instance_id])
    age(instance.instance_id, 31)
    # a new run: the old connect and session tokens open nothing
    assert service.get("meta-data/instance-id", token=session).status_code == 401
    assert service.get("meta-data/instance-id", connect=token).status_code == 401


def test_container_credentials(root, launch, ec2_role, connected):
    ec2_role("AppRole")
    instance = launch(profile="AppRole")
    url = f"/ec2/instances/{instance.instance_id}/container-credentials"
    client = Client()
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="forged").status_code == 401
    answer = client.get(url, HTTP_AUTHORIZATION=connected(instance.instance_id))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    body = answer.json()
    assert set(body) == {"AccessKeyId", "Expiration", "RoleArn", "SecretAccessKey", "Token"}
    assert body["RoleArn"] == f"arn:aws:iam::{root.account_id}:role/AppRole"
    assert client.post(url).status_code == 405


def test_clearing_a_roles_instance_profiles_ends_the_sessions(root, launch, ec2_role, connected):
    from accounts.models import Role

    ec2_role("AppRole")
    instance = launch(profile="AppRole")
    token = connected(instance.instance_id)
    from ec2.services import metadata

    metadata.container_credentials(instance.instance_id, authorization=token)
    assert TemporaryCredential.objects.count() == 1
    Role.objects.get(name="AppRole").instance_profiles.clear()
    assert not TemporaryCredential.objects.exists()

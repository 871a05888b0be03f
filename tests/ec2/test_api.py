"""The EC2 API against the live server with real clients: boto3 (botocore) and the AWS CLI.

bob (AmazonEC2FullAccess) launches, tags, stops and terminates instances and is refused
iam:PassRole; a user without EC2 permissions is refused with UnauthorizedOperation; the AWS
CLI "inside an instance" gets its role's credentials from the instance's metadata service
(container-credentials provider) and acts as ``assumed-role/<role>/<instance-id>``, allowed
what the role allows and refused the rest; bad input is a 4xx and writes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import AL2023, REGION

pytestmark = pytest.mark.django_db(transaction=True)
AWS_CLI = Path(sys.executable).with_name("aws")


@pytest.fixture(scope="module")
def botocore_session():
    import botocore.session

    return botocore.session.get_session()


@pytest.fixture
def keys_for(root):
    """``keys_for(name)``: a new access key of the IAM user ``name`` (root's for None)."""
    from accounts.services import access_keys

    made = {}

    def make(name=None):
        if name not in made:
            created = access_keys.create_access_key(root, user_name=name)
            made[name] = created.access_key_id, created.secret_access_key
        return made[name]

    return make


@pytest.fixture
def client(live_server, botocore_session):
    from botocore.config import Config

    def make(service, keys, region=REGION, token=None):
        return botocore_session.create_client(
            service,
            region_name=region,
            endpoint_url=live_server.url,
            aws_access_key_id=keys[0],
            aws_secret_access_key=keys[1],
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )

    return make


def _error(excinfo) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def aws(live_server, tmp_path, *args, keys=None, env=None) -> subprocess.Popen:
    """Start ``aws --endpoint-url <live server> <args>`` (a new process: they run side by side)."""
    command = str(AWS_CLI) if AWS_CLI.exists() else shutil.which("aws")
    if command is None:
        pytest.fail("the AWS CLI is not installed (bin/setup --test installs awscli from requirements-dev.txt)")
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_PAGER": "",
        "AWS_EC2_METADATA_DISABLED": "true",
        **(env or {}),
    }
    if keys:
        environment["AWS_ACCESS_KEY_ID"], environment["AWS_SECRET_ACCESS_KEY"] = keys
    return subprocess.Popen(  # noqa: S603 - our own CLI with arguments we wrote
        [command, "--endpoint-url", live_server.url, *args, "--output", "json"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def ok(result):
    if isinstance(result, subprocess.Popen):
        result = finished(result)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_bob_launches_tags_stops_and_terminates_with_boto3(root, policy_user, keys_for, client, ec2_role):
    from botocore.exceptions import ClientError

    policy_user("bob", managed=("AmazonEC2FullAccess",))
    ec2_role("AppRole")
    ec2 = client("ec2", keys_for("bob"))
    launched = ec2.run_instances(
        ImageId=AL2023,
        InstanceType="t3.micro",
        MinCount=2,
        MaxCount=2,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "bob-web"}]}],
    )
    assert launched["OwnerId"] == root.account_id and launched["ReservationId"].startswith("r-")
    a, b = (i["InstanceId"] for i in launched["Instances"])
    assert launched["Instances"][0]["State"] == {"Code": 0, "Name": "pending"}
    assert launched["Instances"][0]["Placement"]["AvailabilityZone"].startswith(REGION)
    found = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["bob-*"]}])
    [reservation] = found["Reservations"]
    assert [i["InstanceId"] for i in reservation["Instances"]] == [a, b]
    assert reservation["Instances"][0]["State"]["Name"] == "running"
    assert reservation["Instances"][0]["Tags"] == [{"Key": "Name", "Value": "bob-web"}]
    ec2.create_tags(Resources=[a], Tags=[{"Key": "Env", "Value": "dev"}])
    stopping = ec2.stop_instances(InstanceIds=[a])["StoppingInstances"]
    assert stopping == [
        {
            "InstanceId": a,
            "CurrentState": {"Code": 64, "Name": "stopping"},
            "PreviousState": {"Code": 16, "Name": "running"},
        }
    ]
    stopped = ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}])
    assert [i["InstanceId"] for r in stopped["Reservations"] for i in r["Instances"]] == [a]
    ec2.delete_tags(Resources=[a], Tags=[{"Key": "Env"}])
    assert (
        ec2.terminate_instances(InstanceIds=[b])["TerminatingInstances"][0]["CurrentState"]["Name"]
        == "shutting-down"
    )
    # paging as boto3's paginator does it
    pages = list(ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
    assert sum(len(r["Instances"]) for p in pages for r in p["Reservations"]) == 2
    regions = {r["RegionName"]: r for r in ec2.describe_regions()["Regions"]}
    assert regions[REGION] == {
        "Endpoint": f"ec2.{REGION}.amazonaws.com",
        "RegionName": REGION,
        "OptInStatus": "opt-in-not-required",
    }
    assert "af-south-1" not in regions
    # a DryRun that would succeed
    with pytest.raises(ClientError) as excinfo:
        ec2.stop_instances(InstanceIds=[a], DryRun=True)
    assert _error(excinfo) == (
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
        412,
    )
    # giving an instance a role needs iam:PassRole, which AmazonEC2FullAccess lacks
    with pytest.raises(ClientError) as excinfo:
        ec2.run_instances(ImageId=AL2023, MinCount=1, MaxCount=1, IamInstanceProfile={"Name": "AppRole"})
    code, message, status = _error(excinfo)
    assert (code, status) == ("UnauthorizedOperation", 403)
    assert (
        f"is not authorized to perform: iam:PassRole on resource: arn:aws:iam::{root.account_id}:role/AppRole"
        in message
    )
    with pytest.raises(ClientError) as excinfo:
        ec2.associate_iam_instance_profile(InstanceId=a, IamInstanceProfile={"Name": "AppRole"})
    assert _error(excinfo)[0] == "UnauthorizedOperation"
    assert ec2.describe_iam_instance_profile_associations()["IamInstanceProfileAssociations"] == []


def test_iam_instance_profile_associations_with_boto3(root, keys_for, client, ec2_role):
    ec2_role("RoleA")
    ec2_role("RoleB")
    ec2 = client("ec2", keys_for())
    i = ec2.run_instances(ImageId=AL2023, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    made = ec2.associate_iam_instance_profile(InstanceId=i, IamInstanceProfile={"Name": "RoleA"})
    association = made["IamInstanceProfileAssociation"]
    assert association["State"] == "associating" and association["InstanceId"] == i
    assert (
        association["IamInstanceProfile"]["Arn"] == f"arn:aws:iam::{root.account_id}:instance-profile/RoleA"
    )
    listed = ec2.describe_iam_instance_profile_associations(Filters=[{"Name": "instance-id", "Values": [i]}])
    assert [a["State"] for a in listed["IamInstanceProfileAssociations"]] == ["associated"]
    replaced = ec2.replace_iam_instance_profile_association(
        AssociationId=association["AssociationId"], IamInstanceProfile={"Name": "RoleB"}
    )["IamInstanceProfileAssociation"]
    described = ec2.describe_instances(InstanceIds=[i])["Reservations"][0]["Instances"][0]
    assert described["IamInstanceProfile"]["Arn"].endswith("instance-profile/RoleB")
    gone = ec2.disassociate_iam_instance_profile(AssociationId=replaced["AssociationId"])
    assert gone["IamInstanceProfileAssociation"]["State"] == "disassociating"


def test_refusals_and_bad_input_are_ec2_errors_and_write_nothing(
    root, policy_user, keys_for, client, live_server
):
    from botocore.exceptions import ClientError, ParamValidationError

    from ec2.models import Instance

    nobody = policy_user("nobody")
    denied = client("ec2", keys_for("nobody"))
    with pytest.raises(ClientError) as excinfo:
        denied.describe_instances()
    code, message, status = _error(excinfo)
    assert (code, status) == ("UnauthorizedOperation", 403)
    assert message.startswith(
        f"You are not authorized to perform this operation. User: {nobody.arn} is not authorized to perform: "
        "ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action. "
        "Encoded authorization failure message: "
    )
    with pytest.raises(ClientError) as excinfo:
        denied.run_instances(ImageId=AL2023, MinCount=1, MaxCount=1, InstanceType="t3.micro")
    message = _error(excinfo)[1]
    assert f"ec2:RunInstances on resource: arn:aws:ec2:{REGION}:{root.account_id}:instance/*" in message
    # sts decode-authorization-message: for a caller allowed to, in the same account
    encoded = message.split("Encoded authorization failure message: ", 1)[1]
    decoded = json.loads(
        client("sts", keys_for()).decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"]
    )
    assert decoded["allowed"] is False and decoded["context"]["action"] == "ec2:RunInstances"
    assert decoded["context"]["principal"]["arn"] == nobody.arn
    assert {"key": "ec2:InstanceType", "values": {"items": [{"value": "t3.micro"}]}} in decoded["context"][
        "conditions"
    ]["items"]
    with pytest.raises(ClientError) as excinfo:
        client("sts", keys_for("nobody")).decode_authorization_message(EncodedMessage=encoded)
    assert _error(excinfo)[:2] == (
        "AccessDenied",
        f"User: {nobody.arn} is not authorized to perform: sts:DecodeAuthorizationMessage because no "
        "identity-based policy allows the sts:DecodeAuthorizationMessage action",
    )
    with pytest.raises(ClientError) as excinfo:
        client("sts", keys_for()).decode_authorization_message(EncodedMessage="not-a-message")
    assert _error(excinfo)[0] == "InvalidAuthorizationMessageException"

    ec2 = client("ec2", keys_for())
    cases = [
        (
            lambda: ec2.stop_instances(InstanceIds=["i-123"]),
            "InvalidInstanceID.Malformed",
            'Invalid id: "i-123"',
        ),
        (
            lambda: ec2.stop_instances(InstanceIds=["i-0123456789abcdef0"]),
            "InvalidInstanceID.NotFound",
            "The instance ID 'i-0123456789abcdef0' does not exist",
        ),
        (
            lambda: ec2.run_instances(MinCount=1, MaxCount=1),
            "MissingParameter",
            "The request must contain the parameter ImageId",
        ),
        (
            lambda: ec2.run_instances(ImageId="ami-x", MinCount=1, MaxCount=1),
            "InvalidAMIID.Malformed",
            'Invalid id: "ami-x"',
        ),
        (
            lambda: ec2.run_instances(ImageId=AL2023, MinCount=1000, MaxCount=1000),
            "InstanceLimitExceeded",
            "instance limit of 20",
        ),
        (
            lambda: ec2.run_instances(ImageId=AL2023, MinCount=1, MaxCount=1, KeyName="my-key"),
            "InvalidKeyPair.NotFound",
            "my-key",
        ),
        (
            lambda: ec2.run_instances(ImageId=AL2023, MinCount=1, MaxCount=1, InstanceType="t3.nanoo"),
            "InvalidParameterValue",
            "Invalid value 't3.nanoo' for InstanceType.",
        ),
        (
            lambda: ec2.run_instances(ImageId=AL2023, MinCount=1, MaxCount=1, SubnetId="subnet-1"),
            "UnsupportedOperation",
            "SubnetId",
        ),
        (
            lambda: ec2.create_tags(
                Resources=["i-0123456789abcdef0"], Tags=[{"Key": "k" * 129, "Value": "v"}]
            ),
            "InvalidParameterValue",
            "Tag key",
        ),
        (lambda: ec2.describe_instances(MaxResults=1001), "InvalidParameterValue", "maxResults"),
        (
            lambda: ec2.describe_instances(NextToken="x" * 5000, MaxResults=5),
            "InvalidPaginationToken",
            "pagination",
        ),
        (
            lambda: ec2.describe_instances(Filters=[{"Name": "nope", "Values": ["x"]}]),
            "InvalidParameterValue",
            "The filter 'nope' is invalid",
        ),
        (
            lambda: ec2.disassociate_iam_instance_profile(AssociationId="iip-assoc-0123456789abcdef0"),
            "InvalidAssociationID.NotFound",
            "does not exist",
        ),
    ]
    for call, expected_code, expected in cases:
        with pytest.raises(ClientError) as excinfo:
            call()
        code, message, status = _error(excinfo)
        assert (code, status) == (expected_code, 400), (expected_code, code, message)
        assert expected in message
    with pytest.raises((ClientError, ParamValidationError)):
        ec2.run_instances(ImageId=AL2023, MinCount=2**40, MaxCount=2**40)
    assert not Instance.objects.exists()

    # raw requests: what no SDK sends
    def raw(body: str):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        key, secret = keys_for()
        request = AWSRequest(
            method="POST",
            url=live_server.url + "/",
            data=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        SigV4Auth(Credentials(key, secret), "ec2", REGION).add_auth(request)
        prepared = urllib.request.Request(
            live_server.url + "/", data=body.encode(), headers=dict(request.headers)
        )
        try:
            with urllib.request.urlopen(prepared, timeout=10) as answer:  # noqa: S310 - the test server
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    version = "Version=2016-11-15"
    status, body = raw(f"Action=RunInstances&{version}&ImageId={AL2023}&MinCount=1&MaxCount=1&Bogus=1")
    assert status == 400 and "<Code>UnknownParameter</Code>" in body
    status, body = raw(
        f"Action=RunInstances&{version}&ImageId={AL2023}&MinCount=1&MaxCount=99999999999999999999"
    )
    assert status == 400 and "<Code>InvalidParameterValue</Code>" in body
    status, body = raw(f"Action=LaunchMissiles&{version}")
    assert status == 400 and "<Code>InvalidAction</Code>" in body
    status, body = raw(f"Action=StopInstances&{version}&InstanceId.1=" + "i-" + "0" * 100_000)
    assert status == 400 and "<Code>InvalidInstanceID.Malformed</Code>" in body
    status, body = raw(
        f"Action=CreateTags&{version}&ResourceId.1=i-0123456789abcdef0&Tag.1.Key=%00&Tag.1.Value=x"
    )
    assert status == 400
    assert not Instance.objects.exists()


def test_the_aws_cli_bob_outside_and_the_role_inside_the_instance(
    root, policy_user, keys_for, ec2_role, live_server, tmp_path
):
    from ec2.services import instance_connect, instances

    policy_user("bob", managed=("AmazonEC2FullAccess",))
    policy_user("nobody")
    ec2_role("EC2ReadOnlyRole")
    bob, nobody = keys_for("bob"), keys_for("nobody")
    # root launches an instance with the role; the CLI inside it uses the metadata service's credentials
    web = instances.run_instances(
        root,
        region=REGION,
        image_id=AL2023,
        min_count=1,
        max_count=1,
        iam_instance_profile={"Name": "EC2ReadOnlyRole"},
    ).instances[0]
    token = instance_connect.send_ssh_public_key(root, region=REGION, instance_id=web.instance_id).token
    inside = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"{live_server.url}/ec2/instances/{web.instance_id}/container-credentials",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": token,
    }
    run = aws(
        live_server,
        tmp_path,
        "ec2",
        "run-instances",
        "--image-id",
        AL2023,
        "--instance-type",
        "t3.micro",
        "--count",
        "1",
        "--tag-specifications",
        "ResourceType=instance,Tags=[{Key=Name,Value=cli-web}]",
        keys=bob,
    )
    refused = aws(live_server, tmp_path, "ec2", "describe-instances", keys=nobody)
    me = aws(live_server, tmp_path, "sts", "get-caller-identity", env=inside)
    seen = aws(
        live_server, tmp_path, "ec2", "describe-instances", "--instance-ids", web.instance_id, env=inside
    )
    stop = aws(live_server, tmp_path, "ec2", "stop-instances", "--instance-ids", web.instance_id, env=inside)

    bobs = ok(run)["Instances"][0]["InstanceId"]
    stopped = aws(live_server, tmp_path, "ec2", "stop-instances", "--instance-ids", bobs, keys=bob)
    refused = finished(refused)
    assert refused.returncode != 0
    assert (
        "An error occurred (UnauthorizedOperation) when calling the DescribeInstances operation: "
        "You are not authorized to perform this operation. User: " in refused.stderr
    )
    me = ok(me)
    assert me["Arn"] == f"arn:aws:sts::{root.account_id}:assumed-role/EC2ReadOnlyRole/{web.instance_id}"
    assert me["Account"] == root.account_id
    seen = ok(seen)
    assert seen["Reservations"][0]["Instances"][0]["IamInstanceProfile"]["Arn"].endswith(
        "instance-profile/EC2ReadOnlyRole"
    )
    stop = finished(stop)
    assert stop.returncode != 0
    assert (
        f"User: arn:aws:sts::{root.account_id}:assumed-role/EC2ReadOnlyRole/{web.instance_id} is not authorized to "
        "perform: ec2:StopInstances on resource" in stop.stderr
    )
    assert ok(stopped)["StoppingInstances"][0]["CurrentState"]["Name"] == "stopping"


def test_role_credentials_from_the_metadata_service_with_boto3(root, ec2_role, client, live_server):
    """IMDSv2 over HTTP, then the credentials in boto3: the role may read IAM but not write."""
    from botocore.exceptions import ClientError

    from ec2.services import instance_connect, instances

    ec2_role("Reader", managed=("IAMReadOnlyAccess",))
    web = instances.run_instances(
        root,
        region=REGION,
        image_id=AL2023,
        min_count=1,
        max_count=1,
        iam_instance_profile={"Name": "Reader"},
    ).instances[0]
    token = instance_connect.send_ssh_public_key(root, region=REGION, instance_id=web.instance_id).token
    base = f"{live_server.url}/ec2/instances/{web.instance_id}/latest/"
    put = urllib.request.Request(
        base + "api/token",
        method="PUT",
        headers={"X-aws-ec2-metadata-token-ttl-seconds": "300", "Authorization": token},
    )
    with urllib.request.urlopen(put, timeout=10) as answer:  # noqa: S310 - the test server
        session = answer.read().decode()
    get = urllib.request.Request(
        base + "meta-data/iam/security-credentials/Reader", headers={"X-aws-ec2-metadata-token": session}
    )
    with urllib.request.urlopen(get, timeout=10) as answer:  # noqa: S310
        creds = json.loads(answer.read())
    keys = (creds["AccessKeyId"], creds["SecretAccessKey"])
    iam = client("iam", keys, region="us-east-1", token=creds["Token"])
    assert "Roles" in iam.list_roles()
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="sneaky")
    code, message, _ = _error(excinfo)
    assert code == "AccessDenied" and f"assumed-role/Reader/{web.instance_id}" in message
    ec2 = client("ec2", keys, token=creds["Token"])
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_instances()
    assert _error(excinfo)[0] == "UnauthorizedOperation"

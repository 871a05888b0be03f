"""EC2 actions through the gate: AWS's resource ARNs, the condition keys that policies teach
with (``ec2:InstanceType``, ``ec2:Region``, ``aws:ResourceTag/…``, ``aws:RequestTag/…``,
``aws:TagKeys``), ``iam:PassRole`` when an instance is given a role, and the refusal
``UnauthorizedOperation`` with AWS's message and an encoded authorization failure message."""

import json

import pytest

from accounts import crypto
from ec2.errors import UnauthorizedOperation
from ec2.models import IamInstanceProfileAssociation, Instance
from ec2.services import iam_instance_profiles, instances, tags

from .conftest import AL2023, REGION, allow, audit_rows, current, deny

pytestmark = pytest.mark.django_db


def _encoded(message: str) -> dict:
    return json.loads(crypto.decrypt(message.split("Encoded authorization failure message: ", 1)[1]))


def test_a_user_without_ec2_permissions_is_refused_in_aws_words(policy_user, root):
    nobody = policy_user("nobody")
    with pytest.raises(UnauthorizedOperation) as excinfo:
        instances.run_instances(nobody, region=REGION, image_id=AL2023, min_count=1, max_count=1)
    message = excinfo.value.message
    resource = f"arn:aws:ec2:{REGION}:{nobody.account_id}:instance/*"
    assert message.startswith(
        f"You are not authorized to perform this operation. User: {nobody.arn} is not authorized to perform: "
        f"ec2:RunInstances on resource: {resource} because no identity-based policy allows the "
        "ec2:RunInstances action. Encoded authorization failure message: "
    )
    decoded = _encoded(message)
    assert decoded["allowed"] is False and decoded["context"]["action"] == "ec2:RunInstances"
    assert decoded["context"]["principal"]["arn"] == nobody.arn
    conditions = {
        c["key"]: c["values"]["items"][0]["value"] for c in decoded["context"]["conditions"]["items"]
    }
    assert conditions["ec2:InstanceType"] == "m1.small" and conditions["ec2:Region"] == REGION
    assert excinfo.value.status == 403 and excinfo.value.code == "UnauthorizedOperation"
    assert not Instance.objects.exists()
    event = audit_rows("ec2:RunInstances")[-1]
    assert (event.result, event.actor_arn, event.target) == ("UnauthorizedOperation", nobody.arn, resource)
    # Describe* has no resource-level permissions: the message names no resource
    with pytest.raises(UnauthorizedOperation) as excinfo:
        instances.describe_instances(nobody, region=REGION)
    assert (
        f"User: {nobody.arn} is not authorized to perform: ec2:DescribeInstances because no identity-based "
        "policy allows the ec2:DescribeInstances action." in excinfo.value.message
    )


def test_ec2_full_access_may_do_everything_but_pass_a_role(policy_user, ec2_role, launch):
    bob = policy_user("bob", managed=("AmazonEC2FullAccess",))
    ec2_role("AppRole")
    i = launch(bob, name="mine").instance_id
    instances.stop_instances(bob, region=REGION, instance_ids=[i])
    tags.create_tags(bob, region=REGION, resources=[i], tags=[{"Key": "Team", "Value": "a"}])
    with pytest.raises(UnauthorizedOperation) as excinfo:
        launch(bob, profile="AppRole")
    assert (
        f"User: {bob.arn} is not authorized to perform: iam:PassRole on resource: "
        f"arn:aws:iam::{bob.account_id}:role/AppRole because no identity-based policy allows the iam:PassRole action"
        in excinfo.value.message
    )
    assert Instance.objects.count() == 1
    with pytest.raises(UnauthorizedOperation, match="iam:PassRole"):
        iam_instance_profiles.associate_iam_instance_profile(
            bob, region=REGION, instance_id=i, iam_instance_profile={"Name": "AppRole"}
        )
    assert not IamInstanceProfileAssociation.objects.exists()


def test_pass_role_with_its_condition_keys(policy_user, ec2_role, root):
    ec2_role("AppRole")
    ec2_role("OtherRole")
    account = root.account_id
    dev = policy_user(
        "dev",
        allow("ec2:*"),
        allow(
            "iam:PassRole",
            f"arn:aws:iam::{account}:role/AppRole",
            {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        ),
    )
    launched = instances.run_instances(
        dev,
        region=REGION,
        image_id=AL2023,
        min_count=1,
        max_count=1,
        iam_instance_profile={"Arn": f"arn:aws:iam::{account}:instance-profile/AppRole"},
    )
    assert launched.instances[0].iam_instance_profile.role_name == "AppRole"
    with pytest.raises(UnauthorizedOperation, match="iam:PassRole on resource: .*role/OtherRole"):
        instances.run_instances(
            dev,
            region=REGION,
            image_id=AL2023,
            min_count=1,
            max_count=1,
            iam_instance_profile={"Name": "OtherRole"},
        )


def test_instance_type_and_region_conditions(policy_user, launch):
    """As AWS's example policy: the condition on the instance resource, the image without it
    (``ec2:InstanceType`` is absent from the image's request context)."""
    small = policy_user(
        "small",
        allow("ec2:Describe*"),
        allow("ec2:RunInstances", "arn:aws:ec2:*::image/*"),
        allow(
            "ec2:RunInstances",
            "arn:aws:ec2:*:*:instance/*",
            {"StringEquals": {"ec2:InstanceType": ["t2.micro", "t3.micro"]}},
        ),
        deny("ec2:*", "*", {"StringNotEquals": {"ec2:Region": REGION}}),
    )
    assert launch(small, instance_type="t3.micro").instance_type == "t3.micro"
    with pytest.raises(
        UnauthorizedOperation, match="ec2:RunInstances on resource: arn:aws:ec2:.*:instance/\\*"
    ):
        launch(small, instance_type="m5.large")
    # one statement with the condition on every resource refuses even t3.micro: the image
    # resource has no ec2:InstanceType
    naive = policy_user(
        "naive", allow("ec2:RunInstances", "*", {"StringEquals": {"ec2:InstanceType": "t3.micro"}})
    )
    with pytest.raises(UnauthorizedOperation, match="on resource: arn:aws:ec2:ap-northeast-2::image/"):
        launch(naive, instance_type="t3.micro")
    with pytest.raises(UnauthorizedOperation, match="with an explicit deny in an identity-based policy"):
        instances.describe_instances(small, region="us-east-1")


def test_resource_tags_decide_who_may_stop_what(policy_user, launch, root):
    dev_box = launch(tags={"Env": "dev"}).instance_id
    prod_box = launch(tags={"Env": "prod"}).instance_id
    ops = policy_user(
        "ops",
        allow("ec2:DescribeInstances"),
        allow(
            ["ec2:StopInstances", "ec2:StartInstances"], "*", {"StringEquals": {"aws:ResourceTag/Env": "dev"}}
        ),
    )
    instances.stop_instances(ops, region=REGION, instance_ids=[dev_box])
    with pytest.raises(UnauthorizedOperation) as excinfo:
        instances.stop_instances(ops, region=REGION, instance_ids=[dev_box, prod_box])
    assert f"ec2:StopInstances on resource: arn:aws:ec2:{REGION}:{root.account_id}:instance/{prod_box}" in (
        excinfo.value.message
    )
    assert current(root, prod_box).state.name == "running"


def test_request_tags_on_launch_and_on_create_tags(policy_user, launch, root):
    tagger = policy_user(
        "tagger",
        allow("ec2:DescribeInstances"),
        allow("ec2:RunInstances", "arn:aws:ec2:*::image/*"),
        allow(
            "ec2:RunInstances",
            "arn:aws:ec2:*:*:instance/*",
            {"StringEquals": {"aws:RequestTag/Team": "blue"}},
        ),
        allow(
            "ec2:CreateTags",
            "*",
            {
                "StringEquals": {"ec2:CreateAction": "RunInstances"},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["Team", "Name"]},
            },
        ),
    )
    launch(tagger, tags={"Team": "blue"})
    with pytest.raises(UnauthorizedOperation, match="ec2:RunInstances on resource"):
        launch(tagger, tags={"Team": "red"})
    with pytest.raises(UnauthorizedOperation, match="ec2:RunInstances on resource"):
        launch(tagger)
    with pytest.raises(UnauthorizedOperation, match="ec2:CreateTags"):
        launch(tagger, tags={"Team": "blue", "Cost": "x"})
    # CreateTags after launch is another request: ec2:CreateAction is absent then
    mine = instances.describe_instances(tagger, region=REGION).items[0].instance_id
    with pytest.raises(UnauthorizedOperation, match="ec2:CreateTags"):
        tags.create_tags(tagger, region=REGION, resources=[mine], tags=[{"Key": "Team", "Value": "green"}])


def test_dry_run_says_unauthorized_when_it_would_be(policy_user):
    nobody = policy_user("nobody")
    with pytest.raises(UnauthorizedOperation):
        instances.describe_instances(nobody, region=REGION, dry_run=True)


def test_role_sessions_are_principals_too(root, ec2_role, launch):
    """A role session (the instance's role) is decided by the role's policies."""
    from accounts.principals import role_session_principal
    from accounts.services.lookups import find_role

    ec2_role("ReadOnly")
    role = find_role(root, "ReadOnly")
    session = role_session_principal(
        account_id=root.account_id,
        role_id=role.pk,
        role_name=role.name,
        role_path=role.path,
        role_unique_id=role.unique_id,
        session_name="i-00000000000000000",
        source_arn="",
    )
    i = launch().instance_id
    assert instances.describe_instances(session, region=REGION).items[0].instance_id == i
    with pytest.raises(UnauthorizedOperation, match="assumed-role/ReadOnly/i-00000000000000000"):
        instances.stop_instances(session, region=REGION, instance_ids=[i])


def test_decode_authorization_message_only_in_the_same_account(policy_user, root, root_factory):
    from ec2.services.authorization_messages import (
        InvalidAuthorizationMessageException,
        decode_authorization_message,
    )

    nobody = policy_user("nobody")
    with pytest.raises(UnauthorizedOperation) as excinfo:
        instances.run_instances(nobody, region=REGION, image_id=AL2023, min_count=1, max_count=1)
    encoded = excinfo.value.message.split("Encoded authorization failure message: ", 1)[1]
    decoded = json.loads(decode_authorization_message(root, encoded_message=encoded))
    assert decoded["context"]["resource"].endswith(":instance/*") and "account" not in decoded
    with pytest.raises(InvalidAuthorizationMessageException):
        decode_authorization_message(root_factory(), encoded_message=encoded)

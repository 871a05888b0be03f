"""``manage.py seed_demo`` adds the EC2 demo world once, and what its walkthrough says holds."""

import io
import json

import pytest
from django.core.management import call_command

from accounts.errors import AccessDenied
from accounts.models import Account, Identity
from accounts.principals import principal_for_identity
from ec2.errors import UnauthorizedOperation
from ec2.models import Instance
from ec2.services import instance_connect, instances, metadata

from .conftest import AL2023, REGION

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_two_instances_once_and_tells_who_may_do_what():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert Instance.objects.count() == 2
    text = out.getvalue()
    account = Account.objects.get(alias="iamconsole-demo")
    root = Identity.objects.get(account=account, kind=Identity.ROOT)
    web = Instance.objects.get(tags__key="Name", tags__value="demo-web")
    assert f"demo-web {web.instance_id}" in text and "bob   (Developers, AmazonEC2FullAccess)" in text
    assert f"assumed-role/EC2ReadOnlyRole/{web.instance_id}" in text

    def who(name):
        return principal_for_identity(
            Identity.objects.select_related("account").get(account=account, name=name)
        )

    bob, carol, alice = who("bob"), who("carol"), who("alice")
    # bob: launches and stops, may not pass the role nor connect
    mine = instances.run_instances(bob, region=REGION, image_id=AL2023, min_count=1, max_count=1).instances[0]
    instances.stop_instances(bob, region=REGION, instance_ids=[mine.instance_id])
    with pytest.raises(UnauthorizedOperation, match="iam:PassRole"):
        instances.run_instances(
            bob,
            region=REGION,
            image_id=AL2023,
            min_count=1,
            max_count=1,
            iam_instance_profile={"Name": "EC2ReadOnlyRole"},
        )
    with pytest.raises(AccessDenied, match="ec2-instance-connect:SendSSHPublicKey"):
        instance_connect.send_ssh_public_key(bob, region=REGION, instance_id=web.instance_id)
    # carol: no EC2 at all
    with pytest.raises(UnauthorizedOperation, match="ec2:DescribeInstances"):
        instances.describe_instances(carol, region=REGION)
    # alice connects; the role's credentials are the instance's
    token = instance_connect.send_ssh_public_key(alice, region=REGION, instance_id=web.instance_id).token
    answer = metadata.container_credentials(web.instance_id, authorization=token)
    assert json.loads(answer.body)["RoleArn"] == f"arn:aws:iam::{root.account_id}:role/EC2ReadOnlyRole"


def test_reset_account_removes_the_accounts_instances_only():
    from accounts.services import account as account_services
    from ec2.models import Instance

    call_command("seed_demo", stdout=io.StringIO())
    demo = Account.objects.get(alias="iamconsole-demo")
    root = Identity.objects.get(account=demo, kind=Identity.ROOT)
    assert Instance.objects.filter(account=demo).count() == 2
    counts = account_services.reset_account(principal_for_identity(root))
    assert counts["ec2_instances"] == 2
    assert not Instance.objects.filter(account=demo).exists()

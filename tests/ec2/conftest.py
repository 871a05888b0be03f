"""Fixtures of the EC2 tests: users with given policies, roles EC2 may assume (with their
instance profile), launched instances, and the clock of the state machine.

Transitions take no time unless a test says otherwise (``settings.EC2_TRANSITION_SECONDS``);
``age(instance_id, seconds)`` moves an instance's last transition into the past instead of
sleeping.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

REGION = "ap-northeast-2"
AL2023 = "ami-0a8f4bd1c7e2a9d31"
UBUNTU = "ami-05c1f7e9b2d4a6038"
AWS = "arn:aws:iam::aws:policy/"


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(action, resource="*", condition=None) -> dict:
    statement = {"Effect": "Deny", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


@pytest.fixture(autouse=True)
def instant_transitions(settings):
    """Transitions settle at once (tests of the delays set their own)."""
    settings.EC2_TRANSITION_SECONDS = {"pending": 0, "stopping": 0, "shutting-down": 0}
    return settings


@pytest.fixture
def slow_transitions(settings):
    settings.EC2_TRANSITION_SECONDS = {"pending": 30, "stopping": 30, "shutting-down": 30}
    return settings


def age(instance_id: str, seconds: float) -> None:
    """Pretend the instance's last transition started ``seconds`` earlier."""
    from ec2.models import Instance

    row = Instance.objects.get(instance_id=instance_id)
    Instance.objects.filter(pk=row.pk).update(state_since=row.state_since - timedelta(seconds=seconds))


@pytest.fixture
def principal_of():
    def make(identity):
        from accounts.principals import principal_for_identity

        return principal_for_identity(identity, fresh=True)

    return make


@pytest.fixture
def policy_user(root, user_factory, principal_of):
    """``policy_user(name, *statements, managed=())``: an IAM user with an inline policy of
    ``statements`` and the AWS managed policies ``managed``; returns its Principal."""
    from accounts.services import permissions

    def make(name, *statements, managed=()):
        user = user_factory(name)
        if statements:
            permissions.put_user_policy(
                root, user_name=name, policy_name="Inline", policy_document=doc(*statements)
            )
        for policy in managed:
            permissions.attach_user_policy(root, user_name=name, policy_arn=AWS + policy)
        return principal_of(user)

    return make


@pytest.fixture
def ec2_role(root):
    """``ec2_role(name, managed=("AmazonEC2ReadOnlyAccess",), trust="ec2.amazonaws.com")``: a
    role with its instance profile of the same name (as the console makes it)."""
    from accounts.services import instance_profiles, permissions, roles

    def make(name="AppRole", managed=("AmazonEC2ReadOnlyAccess",), trust="ec2.amazonaws.com", profile=True):
        roles.create_role(root, role_name=name, assume_role_policy_document=roles.service_trust_policy(trust))
        for policy in managed:
            permissions.attach_role_policy(root, role_name=name, policy_arn=AWS + policy)
        if profile:
            instance_profiles.create_instance_profile(root, instance_profile_name=name)
            instance_profiles.add_role_to_instance_profile(root, instance_profile_name=name, role_name=name)
        return name

    return make


@pytest.fixture
def launch(root):
    """``launch(actor=root, name=None, **run_instances keywords)``: one instance's shape."""
    from ec2.services import instances

    def make(actor=None, *, name=None, region=REGION, tags=None, profile=None, **kwargs):
        pairs = dict(tags or {})
        if name:
            pairs["Name"] = name
        specs = (
            [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in pairs.items()]}]
            if pairs
            else ()
        )
        kwargs.setdefault("image_id", AL2023)
        kwargs.setdefault("instance_type", "t3.micro")
        reservation = instances.run_instances(
            actor or root,
            region=region,
            min_count=kwargs.pop("min_count", 1),
            max_count=kwargs.pop("max_count", 1),
            tag_specifications=specs,
            iam_instance_profile={"Name": profile} if profile else None,
            **kwargs,
        )
        return reservation.instances[0]

    return make


def current(actor, instance_id, region=REGION):
    """The instance as DescribeInstances shows it now."""
    from ec2.services import instances

    return instances.describe_instances(actor, region=region, instance_ids=[instance_id]).items[0]


def audit_rows(action):
    from accounts.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("pk"))

"""CreateTags/DeleteTags with EC2's rules, and an instance's IAM instance profile: associate,
describe, replace, disassociate (and the console's Modify IAM role and Manage tags)."""

import pytest

from ec2.errors import (
    IncorrectInstanceState,
    IncorrectState,
    InvalidAssociationIDNotFound,
    InvalidID,
    InvalidInstanceIDNotFound,
    InvalidParameterValue,
    MissingParameter,
    TagLimitExceeded,
)
from ec2.models import InstanceTag
from ec2.services import iam_instance_profiles as profiles
from ec2.services import instances, tags

from .conftest import REGION, current

pytestmark = pytest.mark.django_db


def _tags(root, i):
    return {t.key: t.value for t in current(root, i).tags}


def test_create_and_delete_tags(root, launch):
    i = launch(name="web").instance_id
    tags.create_tags(
        root,
        region=REGION,
        resources=[i],
        tags=[{"Key": "Env", "Value": "dev"}, {"Key": "Name", "Value": "web-2"}],
    )
    assert _tags(root, i) == {"Env": "dev", "Name": "web-2"}
    tags.delete_tags(
        root, region=REGION, resources=[i], tags=[{"Key": "Env", "Value": "prod"}]
    )  # value differs
    assert "Env" in _tags(root, i)
    tags.delete_tags(root, region=REGION, resources=[i], tags=[{"Key": "Env"}])
    assert _tags(root, i) == {"Name": "web-2"}
    tags.delete_tags(root, region=REGION, resources=[i])  # no tags: every tag
    assert _tags(root, i) == {}


@pytest.mark.parametrize(
    ("resources", "tag_list", "error"),
    [
        (["vol-0123456789abcdef0"], [{"Key": "a", "Value": "b"}], InvalidID),
        (["i-00000000000000000"], [{"Key": "a", "Value": "b"}], InvalidInstanceIDNotFound),
        (None, [{"Key": "aws:owner", "Value": "b"}], InvalidParameterValue),
        (None, [{"Key": "k" * 129, "Value": "b"}], InvalidParameterValue),
        (None, [{"Key": "k", "Value": "v" * 257}], InvalidParameterValue),
        (None, [{"Key": "", "Value": "v"}], InvalidParameterValue),
        (None, [], MissingParameter),
        (None, [{"Key": f"k{n}", "Value": ""} for n in range(51)], TagLimitExceeded),
    ],
)
def test_tag_rules(root, launch, resources, tag_list, error):
    i = launch(name="web").instance_id
    with pytest.raises(error):
        tags.create_tags(root, region=REGION, resources=resources or [i], tags=tag_list)
    assert _tags(root, i) == {"Name": "web"}


def test_at_most_fifty_tags_per_instance(root, launch):
    i = launch(tags={f"k{n}": "" for n in range(49)}).instance_id
    tags.create_tags(root, region=REGION, resources=[i], tags=[{"Key": "k49", "Value": ""}])
    with pytest.raises(TagLimitExceeded):
        tags.create_tags(root, region=REGION, resources=[i], tags=[{"Key": "one-more", "Value": ""}])
    assert InstanceTag.objects.count() == 50


def test_console_manage_tags_is_one_change(root, launch):
    i = launch(name="web", tags={"Old": "1", "Keep": "x"}).instance_id
    tags.console_manage_tags(
        root, region=REGION, instance_id=i, tags=[("Name", "web"), ("Keep", "y"), ("New", "")]
    )
    assert _tags(root, i) == {"Name": "web", "Keep": "y", "New": ""}


def test_associate_describe_replace_disassociate(root, launch, ec2_role):
    ec2_role("RoleA")
    ec2_role("RoleB")
    i = launch().instance_id
    made = profiles.associate_iam_instance_profile(
        root, region=REGION, instance_id=i, iam_instance_profile={"Name": "RoleA"}
    )
    assert made.state == "associating" and made.association_id.startswith("iip-assoc-")
    assert current(root, i).iam_instance_profile.role_name == "RoleA"
    with pytest.raises(IncorrectState, match=f"There is an existing association for instance {i}"):
        profiles.associate_iam_instance_profile(
            root, region=REGION, instance_id=i, iam_instance_profile={"Name": "RoleB"}
        )
    [listed] = profiles.describe_iam_instance_profile_associations(root, region=REGION).items
    assert (listed.association_id, listed.instance_id, listed.state) == (made.association_id, i, "associated")
    assert listed.iam_instance_profile.arn.endswith(":instance-profile/RoleA")
    found = profiles.describe_iam_instance_profile_associations(
        root, region=REGION, filters=[{"Name": "instance-id", "Values": ["i-00000000000000000"]}]
    )
    assert found.items == []
    replaced = profiles.replace_iam_instance_profile_association(
        root, region=REGION, association_id=made.association_id, iam_instance_profile={"Name": "RoleB"}
    )
    assert replaced.association_id != made.association_id
    assert current(root, i).iam_instance_profile.role_name == "RoleB"
    with pytest.raises(InvalidAssociationIDNotFound):
        profiles.disassociate_iam_instance_profile(root, region=REGION, association_id=made.association_id)
    gone = profiles.disassociate_iam_instance_profile(
        root, region=REGION, association_id=replaced.association_id
    )
    assert gone.state == "disassociating"
    assert current(root, i).iam_instance_profile is None
    with pytest.raises(InvalidAssociationIDNotFound):
        profiles.disassociate_iam_instance_profile(root, region=REGION, association_id="bogus")


def test_no_profile_for_a_terminated_instance_and_other_accounts_associations(
    root, root_factory, launch, ec2_role
):
    ec2_role("RoleA")
    i = launch(profile="RoleA").instance_id
    association = current(root, i).iam_instance_profile.association_id
    other = root_factory()
    with pytest.raises(InvalidAssociationIDNotFound):
        profiles.disassociate_iam_instance_profile(other, region=REGION, association_id=association)
    j = launch().instance_id
    instances.terminate_instances(root, region=REGION, instance_ids=[j])
    with pytest.raises(IncorrectInstanceState):
        profiles.associate_iam_instance_profile(
            root, region=REGION, instance_id=j, iam_instance_profile={"Name": "RoleA"}
        )


def test_console_modify_iam_role(root, launch, ec2_role):
    ec2_role("RoleA")
    ec2_role("RoleB")
    i = launch().instance_id

    def modify(name):
        return profiles.console_modify_iam_role(
            root, region=REGION, instance_id=i, instance_profile_name=name
        )

    assert modify("") == "unchanged"
    assert modify("RoleA") == "associated"
    assert modify("RoleA") == "unchanged"
    assert modify("RoleB") == "replaced"
    assert modify("") == "disassociated"
    assert current(root, i).iam_instance_profile is None

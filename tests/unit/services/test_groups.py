import pytest

from accounts.errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity, ValidationError
from accounts.models import Group, GroupMembership
from accounts.services import groups as group_services


def test_create_group(root):
    group = group_services.create_group(root, group_name="Admins")
    assert group.group_id.startswith("AGPA") and len(group.group_id) == 21
    assert group.arn == f"arn:aws:iam::{root.account.account_id}:group/Admins"


def test_group_names_unique_case_insensitive_and_limited(root):
    group_services.create_group(root, group_name="Admins")
    with pytest.raises(EntityAlreadyExists, match="Group with name ADMINS already exists."):
        group_services.create_group(root, group_name="ADMINS")
    with pytest.raises(ValidationError):
        group_services.create_group(root, group_name="g" * 129)
    assert Group.objects.count() == 1


def test_membership_and_counts(root, user_factory):
    group_services.create_group(root, group_name="Devs")
    user_factory("kim")
    user_factory("lee")
    group_services.add_user_to_group(root, group_name="devs", user_name="KIM")
    group_services.add_user_to_group(root, group_name="Devs", user_name="kim")  # idempotent
    group_services.add_user_to_group(root, group_name="Devs", user_name="lee")
    assert [g.member_count for g in group_services.list_groups(root)] == [2]
    group_services.remove_user_from_group(root, group_name="Devs", user_name="lee")
    assert GroupMembership.objects.count() == 1


def test_delete_group_api_vs_console(root, user_factory):
    group_services.create_group(root, group_name="Devs")
    user_factory("kim", groups=("Devs",))
    with pytest.raises(DeleteConflict):
        group_services.delete_group(root, group_name="Devs")
    group_services.console_delete_group(root, group_name="Devs")
    assert not Group.objects.exists()
    with pytest.raises(NoSuchEntity, match="The group with name Devs cannot be found."):
        group_services.get_group(root, group_name="Devs")


def test_other_accounts_groups_are_invisible(root_factory):
    a, b = root_factory(), root_factory()
    group_services.create_group(b, group_name="Hidden")
    with pytest.raises(NoSuchEntity):
        group_services.add_user_to_group(a, group_name="Hidden", user_name="x")
    assert list(group_services.list_groups(a)) == []

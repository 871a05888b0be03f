import pytest

from accounts.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
    PasswordPolicyViolation,
    ValidationError,
)
from accounts.models import AuditEvent, GroupMembership, Identity
from accounts.services import account as account_services
from accounts.services import groups as group_services
from accounts.services import users as user_services
from tests.conftest import stored


def test_create_user_with_aws_ids_and_arn(root):
    user = user_services.create_user(root, user_name="kim", path="/dev/")
    assert user.user_id.startswith("AIDA") and len(user.user_id) == 21
    assert user.arn == f"arn:aws:iam::{root.account.account_id}:user/dev/kim"
    assert user.login_profile is None
    row = stored(user)
    assert not row.has_login_profile and not row.has_usable_password()
    event = AuditEvent.objects.get(action="iam:CreateUser")
    assert (event.result, event.actor_arn, event.target) == ("Success", root.arn, user.arn)


def test_user_names_are_unique_case_insensitively(root):
    user_services.create_user(root, user_name="kim")
    with pytest.raises(EntityAlreadyExists, match="^User with name KIM already exists.$"):
        user_services.create_user(root, user_name="KIM")
    assert Identity.objects.iam_users().count() == 1


def test_same_user_name_in_two_accounts(root_factory):
    a, b = root_factory(), root_factory()
    user_services.create_user(a, user_name="kim")
    user_services.create_user(b, user_name="kim")
    assert Identity.objects.iam_users().filter(name="kim").count() == 2


def test_invalid_name_writes_nothing(root):
    with pytest.raises(ValidationError):
        user_services.create_user(root, user_name="kim lee")
    assert not Identity.objects.iam_users().exists()


def test_console_create_user_with_generated_password(root):
    user, password = user_services.console_create_user(
        root, user_name="kim", console_access=True, password_reset_required=True
    )
    assert user.login_profile.password_reset_required
    user = stored(user)
    assert user.has_login_profile and user.password_reset_required
    assert user.check_password(password) and password not in user.password
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["iam:CreateUser", "iam:CreateLoginProfile", "iam:AttachUserPolicy"]
    # AWS attaches IAMUserChangePassword when users may not change their own password.
    assert [p.name for p in user.attached_policies.all()] == ["IAMUserChangePassword"]


def test_console_create_user_is_all_or_nothing(root, group_factory):
    group_factory("Admins")
    with pytest.raises(NoSuchEntity):
        user_services.console_create_user(
            root,
            user_name="kim",
            console_access=True,
            custom_password="Abcdefg1!",
            group_names=("Admins", "Nope"),
        )
    assert not Identity.objects.iam_users().exists()
    assert not GroupMembership.objects.exists()


def test_custom_password_must_meet_account_policy(root):
    account_services.update_account_password_policy(root, minimum_password_length=14)
    with pytest.raises(PasswordPolicyViolation, match="minimum length of 14"):
        user_services.console_create_user(
            root, user_name="kim", console_access=True, custom_password="Short-pass1"
        )
    assert not Identity.objects.iam_users().exists()


def test_login_profile_lifecycle(root, user_factory):
    user = user_factory("kim", console=False)
    user_services.create_login_profile(
        root, user_name="kim", password="Abcdefg1!", password_reset_required=True
    )
    with pytest.raises(EntityAlreadyExists, match="Login Profile for user kim already exists."):
        user_services.create_login_profile(root, user_name="kim", password="Abcdefg1!")
    user_services.update_login_profile(
        root, user_name="kim", password="Hijklmn2@", password_reset_required=False
    )
    user.refresh_from_db()
    assert user.check_password("Hijklmn2@") and not user.password_reset_required
    user_services.delete_login_profile(root, user_name="kim")
    user.refresh_from_db()
    assert not user.has_login_profile and not user.has_usable_password()
    with pytest.raises(NoSuchEntity, match="Login Profile for User kim cannot be found."):
        user_services.update_login_profile(root, user_name="kim", password_reset_required=True)


def test_api_delete_user_refuses_with_dependents_console_delete_cascades(root, user_factory, group_factory):
    group_factory("Admins")
    user_factory("kim", groups=("Admins",))
    with pytest.raises(DeleteConflict):
        user_services.delete_user(root, user_name="kim")
    user_services.console_delete_user(root, user_name="kim")
    assert not Identity.objects.iam_users().exists() and not GroupMembership.objects.exists()
    actions = set(AuditEvent.objects.filter(result="Success").values_list("action", flat=True))
    assert {"iam:DeleteLoginProfile", "iam:RemoveUserFromGroup", "iam:DeleteUser"} <= actions


def test_lookups_stay_in_the_callers_account(root_factory):
    a, b = root_factory(), root_factory()
    user_services.create_user(b, user_name="secret-user")
    with pytest.raises(NoSuchEntity):
        user_services.get_user(a, user_name="secret-user")
    with pytest.raises(NoSuchEntity):
        user_services.console_delete_user(a, user_name="secret-user")
    assert [u.user_name for u in user_services.list_users(a)] == []


def test_iam_user_without_policies_is_denied_user_management(root, user_factory):
    kim = user_factory("kim")
    with pytest.raises(AccessDenied, match="iam:CreateUser on resource: arn:aws:iam::.*:user/lee because"):
        user_services.create_user(kim, user_name="lee")
    with pytest.raises(AccessDenied):
        user_services.list_users(kim)
    # ... but may look at itself.
    assert user_services.get_user(kim, user_name="kim").user_id == kim.unique_id
    assert not Identity.objects.iam_users().filter(name="lee").exists()


def test_group_limit_per_user(root, user_factory, group_factory):
    user_factory("kim")
    for i in range(10):
        group_factory(f"g{i}")
        group_services.add_user_to_group(root, group_name=f"g{i}", user_name="kim")
    group_factory("g10")
    with pytest.raises(LimitExceeded, match="Cannot exceed quota for GroupsPerUser: 10"):
        group_services.add_user_to_group(root, group_name="g10", user_name="kim")
    assert GroupMembership.objects.count() == 10


def test_find_user_reads_the_user_its_account_and_boundary_in_one_query(
    root, root_factory, django_assert_num_queries
):
    from accounts.errors import NoSuchEntity
    from accounts.services import permissions
    from accounts.services.lookups import find_user

    user_services.create_user(root, user_name="Kim")
    boundary = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    permissions.put_user_permissions_boundary(root, user_name="Kim", permissions_boundary=boundary)
    user_services.create_user(root, user_name="lee")
    with django_assert_num_queries(1):
        kim = find_user(root, "kIM")  # names are case-insensitive
        assert (kim.name, kim.account.account_id, kim.permissions_boundary.arn) == (
            "Kim",
            root.account_id,
            boundary,
        )
    with django_assert_num_queries(1):
        assert find_user(root, "lee").permissions_boundary is None
    with django_assert_num_queries(0), pytest.raises(NoSuchEntity):
        find_user(root, "bad name!")  # outside AWS's name rules: no query
    other = root_factory()
    with pytest.raises(NoSuchEntity, match="^The user with name Kim cannot be found.$"):
        find_user(other, "Kim")  # another account's user is not found
    assert Identity.objects.get(pk=kim.pk).name == "Kim"

import pytest

from accounts.errors import (
    AccessDenied,
    EntityAlreadyExists,
    NoSuchEntity,
    PasswordPolicyViolation,
    ValidationError,
)
from accounts.models import Account, AuditEvent, Identity, PasswordPolicy
from accounts.services import account as account_services


def test_sign_up_creates_account_with_random_12_digit_id_and_root(db):
    root = account_services.create_account(
        email="Owner@Example.com", password="Str0ng-pass", account_name="Acme"
    )
    assert root.is_root and root.account.name == "Acme"
    assert len(root.account.account_id) == 12 and root.account.account_id.isdigit()
    assert root.arn == f"arn:aws:iam::{root.account.account_id}:root"
    assert root.check_password("Str0ng-pass") and root.password != "Str0ng-pass"
    assert AuditEvent.objects.filter(action="signup:CreateAccount", actor_arn=root.arn).count() == 1


def test_sign_up_ids_are_unique_and_may_start_with_zero(db, monkeypatch):
    ids = iter([0, 0, 7])
    monkeypatch.setattr("accounts.identifiers.secrets.randbelow", lambda n: next(ids))
    a = account_services.create_account(email="a@example.com", password="Str0ng-pass", account_name="A")
    b = account_services.create_account(email="b@example.com", password="Str0ng-pass", account_name="B")
    assert a.account.account_id == "000000000000"
    assert b.account.account_id == "000000000007"  # the collision was retried


def test_sign_up_refuses_duplicate_email_case_insensitively(root_factory):
    root_factory(email="dup@example.com")
    with pytest.raises(EntityAlreadyExists):
        root_factory(email="DUP@example.com")
    assert Account.objects.count() == 1


def test_sign_up_refuses_weak_password_and_writes_nothing(db):
    with pytest.raises(PasswordPolicyViolation):
        account_services.create_account(email="w@example.com", password="password", account_name="W")
    assert not Account.objects.exists() and not Identity.objects.exists()


def test_alias_set_change_delete(root):
    account_services.create_account_alias(root, account_alias="acme")
    assert Account.objects.get(pk=root.account_id).alias == "acme"
    account_services.create_account_alias(root, account_alias="acme-2")
    assert Account.objects.get(pk=root.account_id).alias == "acme-2"
    with pytest.raises(NoSuchEntity):
        account_services.delete_account_alias(root, account_alias="acme")
    account_services.delete_account_alias(root, account_alias="acme-2")
    assert Account.objects.get(pk=root.account_id).alias is None


def test_alias_is_unique_across_the_server(root_factory):
    a, b = root_factory(), root_factory()
    account_services.create_account_alias(a, account_alias="taken")
    with pytest.raises(EntityAlreadyExists, match="The account alias taken already exists."):
        account_services.create_account_alias(b, account_alias="taken")
    assert Account.objects.get(pk=b.account_id).alias is None
    failure = AuditEvent.objects.get(action="iam:CreateAccountAlias", result="EntityAlreadyExists")
    assert failure.actor_arn == b.arn


@pytest.mark.parametrize("alias", ["ab", "Has-Upper", "123456", "a--b"])
def test_alias_rules(root, alias):
    with pytest.raises(ValidationError):
        account_services.create_account_alias(root, account_alias=alias)


def test_password_policy_update_and_delete(root):
    assert root.account.password_rules().is_default
    account_services.update_account_password_policy(
        root,
        minimum_password_length=12,
        require_symbols=True,
        max_password_age=90,
        password_reuse_prevention=3,
        allow_users_to_change_password=True,
    )
    rules = Account.objects.get(pk=root.account_id).password_rules()
    assert (rules.minimum_password_length, rules.require_symbols, rules.max_password_age) == (12, True, 90)
    assert rules.password_reuse_prevention == 3 and not rules.is_default
    account_services.delete_account_password_policy(root)
    assert not PasswordPolicy.objects.exists()
    with pytest.raises(NoSuchEntity, match=f"domain name {root.account.account_id} cannot be found"):
        account_services.delete_account_password_policy(root)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("minimum_password_length", 5, "Member must have value greater than or equal to 6"),
        ("minimum_password_length", 129, "Member must have value less than or equal to 128"),
        ("max_password_age", 0, "greater than or equal to 1"),
        ("max_password_age", 1096, "less than or equal to 1095"),
        ("password_reuse_prevention", 25, "less than or equal to 24"),
    ],
)
def test_password_policy_ranges(root, field, value, message):
    with pytest.raises(ValidationError, match=message):
        account_services.update_account_password_policy(root, **{field: value})
    assert not PasswordPolicy.objects.exists()


def test_iam_user_without_policies_cannot_change_account_settings(root, user_factory):
    kim = user_factory("kim")
    with pytest.raises(AccessDenied) as exc:
        account_services.update_account_password_policy(kim, minimum_password_length=10)
    assert str(exc.value) == (
        f"User: {kim.arn} is not authorized to perform: iam:UpdateAccountPasswordPolicy "
        "on resource: * because no identity-based policy allows the iam:UpdateAccountPasswordPolicy action"
    )
    with pytest.raises(AccessDenied):
        account_services.create_account_alias(kim, account_alias="kims-alias")
    assert AuditEvent.objects.filter(result="AccessDenied", actor_arn=kim.arn).count() == 2

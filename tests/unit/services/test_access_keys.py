import re

import pytest

from accounts.errors import AccessDenied, LimitExceeded, NoSuchEntity, ValidationError
from accounts.models import AccessKey, AuditEvent
from accounts.services import access_keys


def test_create_key_format_and_encryption(root, user_factory):
    user_factory("kim")
    key = access_keys.create_access_key(root, user_name="kim")
    secret = key.secret_access_key
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key.access_key_id)
    assert len(secret) == 40
    assert (key.user_name, key.status) == ("kim", "Active")
    stored = AccessKey.objects.get(access_key_id=key.access_key_id)
    assert secret not in stored.secret_encrypted and stored.secret == secret
    assert stored.status == "Active" and stored.last_used_at is None
    event = AuditEvent.objects.get(action="iam:CreateAccessKey")
    assert event.detail == {"access_key_id": key.access_key_id}
    assert secret not in str(event.detail) + event.error_message


def test_at_most_two_keys_inactive_ones_count(root, user_factory):
    user_factory("kim")
    first = access_keys.create_access_key(root, user_name="kim")
    access_keys.update_access_key(root, user_name="kim", access_key_id=first.access_key_id, status="Inactive")
    access_keys.create_access_key(root, user_name="kim")
    with pytest.raises(LimitExceeded, match="^Cannot exceed quota for AccessKeysPerUser: 2$"):
        access_keys.create_access_key(root, user_name="kim")
    assert AccessKey.objects.count() == 2


def test_root_keys_allowed(root):
    key = access_keys.create_access_key(root)
    assert AccessKey.objects.get(access_key_id=key.access_key_id).identity == root
    assert key.user_name == "root"


def test_console_delete_needs_deactivation(root):
    key = access_keys.create_access_key(root)
    with pytest.raises(ValidationError, match="must deactivate it"):
        access_keys.console_delete_access_key(root, access_key_id=key.access_key_id)
    access_keys.update_access_key(root, access_key_id=key.access_key_id, status="Inactive")
    access_keys.console_delete_access_key(root, access_key_id=key.access_key_id)
    assert not AccessKey.objects.exists()


def test_bad_status_and_unknown_key(root):
    key = access_keys.create_access_key(root)
    with pytest.raises(ValidationError, match="enum value set"):
        access_keys.update_access_key(root, access_key_id=key.access_key_id, status="Expired!")
    with pytest.raises(NoSuchEntity):
        access_keys.update_access_key(root, access_key_id="AKIANOPE", status="Inactive")


def test_user_without_policy_cannot_create_keys_for_self_or_others(root, user_factory):
    kim = user_factory("kim")
    user_factory("lee")
    with pytest.raises(AccessDenied):
        access_keys.create_access_key(kim)
    with pytest.raises(AccessDenied):
        access_keys.create_access_key(kim, user_name="lee")
    assert not AccessKey.objects.exists()
    assert access_keys.list_access_keys(kim).items == []  # but may list its own


def test_record_use(root):
    key = access_keys.create_access_key(root)
    access_keys.record_access_key_use(key.access_key_id, service="iam", region="us-east-1")
    last = access_keys.list_access_keys(root).items[0].last_used
    assert (last.service_name, last.region) == ("iam", "us-east-1") and last.last_used_date

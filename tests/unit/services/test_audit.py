"""The audit trail of actions that fail: a refusal is recorded even when the console action
around it rolls back, and a success inside a rolled-back action leaves no trace."""

import pytest

from accounts import authz
from accounts.errors import AccessDenied, EntityAlreadyExists, NoSuchEntity
from accounts.models import AuditEvent, Group, Identity
from accounts.services import groups as group_services
from accounts.services import users as user_services
from accounts.services.base import atomic_action


def mark():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events(since):
    rows = AuditEvent.objects.filter(id__gt=since).order_by("id")
    return list(rows.values_list("action", "result", "target"))


def arn(root, kind, name):
    return f"arn:aws:iam::{root.account_id}:{kind}/{name}"


def check_composite_rollback(root):
    since = mark()
    with pytest.raises(NoSuchEntity):
        group_services.console_create_group(root, group_name="Devs", user_names=["ghost"])
    assert not Group.objects.filter(name="Devs").exists()
    assert events(since) == [("iam:AddUserToGroup", "NoSuchEntity", arn(root, "group", "Devs"))]


def test_a_failed_step_is_recorded_and_the_steps_before_it_are_not(root):
    check_composite_rollback(root)


@pytest.mark.django_db(transaction=True)
def test_the_failure_record_survives_a_real_rollback(root_factory):
    """Without the test's own wrapping transaction: the outer action really rolls back."""
    check_composite_rollback(root_factory())


def test_nested_actions_record_every_failure_once_in_order(root, user_factory):
    user_factory("kim")
    since = mark()
    with pytest.raises(EntityAlreadyExists), atomic_action():
        with pytest.raises(NoSuchEntity):
            user_services.create_login_profile(root, user_name="ghost", password="Aa1!aaaaaaaa")
        group_services.create_group(root, group_name="Ops")
        user_services.create_user(root, user_name="KIM")
    assert not Group.objects.filter(name="Ops").exists()
    assert [(a, r) for a, r, _ in events(since)] == [
        ("iam:CreateLoginProfile", "NoSuchEntity"),
        ("iam:CreateUser", "EntityAlreadyExists"),
    ]


def test_a_pages_own_refusal_is_recorded(root, user_factory):
    kim = user_factory("kim")
    since = mark()
    with pytest.raises(AccessDenied):
        authz.authorize(kim, "iam:ListUsers", arn(root, "user", ""))
    event = AuditEvent.objects.get(id__gt=since)
    assert (event.actor_arn, event.action, event.result) == (kim.arn, "iam:ListUsers", "AccessDenied")
    assert event.error_message.startswith(f"User: {kim.arn} is not authorized to perform: iam:ListUsers")


def test_a_refusal_inside_a_service_is_recorded_once(root, user_factory):
    kim = user_factory("kim")
    since = mark()
    with pytest.raises(AccessDenied):
        user_services.create_user(kim, user_name="lee")
    assert events(since) == [("iam:CreateUser", "AccessDenied", arn(root, "user", "lee"))]
    assert not Identity.objects.filter(name="lee").exists()


def test_what_the_caller_typed_never_breaks_the_audit_write(root):
    """PostgreSQL refuses NUL in text and JSON, and ``target`` has a length: a refusal that
    echoes such input is still recorded (and does not break the caller's transaction)."""
    from accounts.services.base import record_event

    since = mark()
    with pytest.raises(NoSuchEntity):
        group_services.remove_user_from_group(root, group_name="G\x00", user_name="kim")
    event = record_event(
        actor=root,
        action="iam:GetUser",
        target="arn:" + "x" * 5000 + "\x00",
        result="NoSuchEntity",
        error_message="The user with name kim\x00\ud800 cannot be found.",
        detail={"user_name": ["kim\x00"]},
    )
    event.refresh_from_db()
    assert len(event.target) == 2048 and "\x00" not in event.target
    assert event.error_message == "The user with name kim\\x00\\ud800 cannot be found."
    assert event.detail == {"user_name": ["kim\\x00"]}
    assert events(since)[0][:2] == ("iam:RemoveUserFromGroup", "NoSuchEntity")

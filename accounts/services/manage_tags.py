"""The console's *Manage tags* of a user, a role or a customer managed policy.

The page shows the resource's tags as key/value rows; *Save changes* makes the tags exactly
the rows: UntagUser for the keys that went, then TagUser for the new and changed ones (as the
AWS console does), in one transaction — all or nothing. Each call is IAM's own action
(``services.tags``): it asks the gate, applies AWS's tag rules and quota, and is audited; a
refusal or an error of either call leaves the tags as they were.
"""

from .. import shapes
from ..audit import atomic_action
from . import tags as tag_services


def _changes(current: list[shapes.Tag], tags) -> tuple[list[str], list[dict]]:
    """(keys to untag, tags to tag) that turn ``current`` into ``tags``. Keys are compared
    ignoring case, as IAM does; a key whose case or value changed is tagged again (TagUser
    replaces the tag whose key matches)."""
    before = {t.key.lower(): t for t in current}
    wanted = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]
    kept = {t["Key"].lower() for t in wanted}
    gone = [t.key for lower, t in before.items() if lower not in kept]
    changed = []
    for tag in wanted:
        old = before.get(tag["Key"].lower())
        if old is None or old.key != tag["Key"] or old.value != tag["Value"]:
            changed.append(tag)
    return gone, changed


def console_manage_user_tags(actor, *, user_name: str, tags) -> None:
    """Make ``user_name``'s tags exactly ``tags`` (``[{"Key", "Value"}]``); all or nothing."""
    with atomic_action():
        current = tag_services.list_user_tags(actor, user_name=user_name).items
        gone, changed = _changes(current, tags)
        if gone:
            tag_services.untag_user(actor, user_name=user_name, tag_keys=gone)
        if changed:
            tag_services.tag_user(actor, user_name=user_name, tags=changed)


def console_manage_role_tags(actor, *, role_name: str, tags) -> None:
    """Make ``role_name``'s tags exactly ``tags``; all or nothing."""
    with atomic_action():
        current = tag_services.list_role_tags(actor, role_name=role_name).items
        gone, changed = _changes(current, tags)
        if gone:
            tag_services.untag_role(actor, role_name=role_name, tag_keys=gone)
        if changed:
            tag_services.tag_role(actor, role_name=role_name, tags=changed)


def console_manage_policy_tags(actor, *, policy_arn: str, tags) -> None:
    """Make a customer managed policy's tags exactly ``tags``; all or nothing."""
    with atomic_action():
        current = tag_services.list_policy_tags(actor, policy_arn=policy_arn).items
        gone, changed = _changes(current, tags)
        if gone:
            tag_services.untag_policy(actor, policy_arn=policy_arn, tag_keys=gone)
        if changed:
            tag_services.tag_policy(actor, policy_arn=policy_arn, tags=changed)

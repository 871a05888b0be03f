"""Tags on users, roles, managed policies and instance profiles (TagUser, UntagUser,
ListUserTags and their twins).

AWS's rules: at most 50 tags on a resource; keys 1–128 and values 0–256 characters of
letters, numbers, white space and ``_ . : / = + - @``; keys are unique ignoring case (tagging
an existing key replaces its value); a key may not start with ``aws:``.
"""

import unicodedata

from .. import shapes
from ..audit import add_detail
from ..authz import authorize
from ..errors import InvalidInput, LimitExceeded, ValidationError
from ..models import InstanceProfile
from .base import iam_action, iam_read
from .convert import tags_of
from .lookups import find_policy, find_role, find_user

TAGS_PER_RESOURCE = 50
KEY_MAX = 128
VALUE_MAX = 256
TAG_SYMBOLS = set("_.:/=+-@")
DUPLICATE_KEYS = "Duplicate tag keys found. Please note that Tag keys are case insensitive."


def _allowed(text: str) -> bool:
    return all(c in TAG_SYMBOLS or unicodedata.category(c)[0] in "LZN" for c in text)


def validate_tags(tags) -> list[dict]:
    """AWS's tag rules for the tags of one request, as ``[{"Key": …, "Value": …}]``."""
    out: list[dict] = []
    seen: set[str] = set()
    for i, tag in enumerate(tags, 1):
        key, value = (tag["Key"], tag.get("Value", "")) if isinstance(tag, dict) else (tag.key, tag.value)
        if not 1 <= len(key) <= KEY_MAX or not _allowed(key):
            raise ValidationError(
                f"1 validation error detected: Value '{key}' at 'tags.{i}.member.key' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
            )
        if len(value) > VALUE_MAX or not _allowed(value):
            raise ValidationError(
                f"1 validation error detected: Value '{value}' at 'tags.{i}.member.value' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"
            )
        if key.lower().startswith("aws:"):
            raise InvalidInput(
                "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS."
            )
        if key.lower() in seen:
            raise InvalidInput(DUPLICATE_KEYS)
        seen.add(key.lower())
        out.append({"Key": key, "Value": value})
    return out


def _tag(row, tags, quota: str) -> None:
    new = validate_tags(tags)
    replaced = {t["Key"].lower() for t in new}
    merged = [t for t in (row.tags or []) if t["Key"].lower() not in replaced] + new
    if len(merged) > TAGS_PER_RESOURCE:
        raise LimitExceeded(f"Cannot exceed quota for {quota}: {TAGS_PER_RESOURCE}")
    row.tags = merged
    row.save(update_fields=["tags"])
    add_detail(tag_keys=[t["Key"] for t in new])


def _untag(row, tag_keys) -> None:
    gone = {k.lower() for k in tag_keys}
    row.tags = [t for t in (row.tags or []) if t["Key"].lower() not in gone]
    row.save(update_fields=["tags"])
    add_detail(tag_keys=list(tag_keys))


def _page(row) -> shapes.Page:
    return shapes.Page(list(tags_of(row)))


@iam_action("iam:TagUser")
def tag_user(actor, *, user_name: str, tags) -> None:
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:TagUser", user.arn)
    _tag(user, tags, "TagsPerUser")


@iam_action("iam:UntagUser")
def untag_user(actor, *, user_name: str, tag_keys) -> None:
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:UntagUser", user.arn)
    _untag(user, tag_keys)


@iam_read("iam:ListUserTags")
def list_user_tags(actor, *, user_name: str, marker=None, max_items=None) -> shapes.Page:
    user = find_user(actor, user_name)
    authorize(actor, "iam:ListUserTags", user.arn)
    return _page(user)


@iam_action("iam:TagRole")
def tag_role(actor, *, role_name: str, tags) -> None:
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:TagRole", role.arn)
    _tag(role, tags, "TagsPerRole")


@iam_action("iam:UntagRole")
def untag_role(actor, *, role_name: str, tag_keys) -> None:
    role = find_role(actor, role_name, for_update=True)
    authorize(actor, "iam:UntagRole", role.arn)
    _untag(role, tag_keys)


@iam_read("iam:ListRoleTags")
def list_role_tags(actor, *, role_name: str, marker=None, max_items=None) -> shapes.Page:
    role = find_role(actor, role_name)
    authorize(actor, "iam:ListRoleTags", role.arn)
    return _page(role)


def _customer_policy(actor, policy_arn: str, action: str, *, for_update: bool = False):
    policy = find_policy(actor, policy_arn, for_update=for_update)
    authorize(actor, action, policy.arn)
    if policy.is_aws_managed:
        raise InvalidInput(f"Policy {policy.arn} is an AWS managed policy; only AWS can change it.")
    return policy


@iam_action("iam:TagPolicy")
def tag_policy(actor, *, policy_arn: str, tags) -> None:
    _tag(_customer_policy(actor, policy_arn, "iam:TagPolicy", for_update=True), tags, "TagsPerPolicy")


@iam_action("iam:UntagPolicy")
def untag_policy(actor, *, policy_arn: str, tag_keys) -> None:
    _untag(_customer_policy(actor, policy_arn, "iam:UntagPolicy", for_update=True), tag_keys)


@iam_read("iam:ListPolicyTags")
def list_policy_tags(actor, *, policy_arn: str, marker=None, max_items=None) -> shapes.Page:
    policy = find_policy(actor, policy_arn)
    authorize(actor, "iam:ListPolicyTags", policy.arn)
    return _page(policy)


def tag_new(row, tags, quota: str) -> None:
    """Tags given with a create action (CreateUser, CreateRole, CreatePolicy …), set on the
    unsaved row (the caller saves it)."""
    if tags:
        new = validate_tags(tags)
        if len(new) > TAGS_PER_RESOURCE:
            raise LimitExceeded(f"Cannot exceed quota for {quota}: {TAGS_PER_RESOURCE}")
        row.tags = new


def _instance_profile(actor, name: str, action: str, *, for_update: bool = False) -> InstanceProfile:
    from .instance_profiles import find_instance_profile

    row = find_instance_profile(actor, name, for_update=for_update)
    authorize(actor, action, row.arn)
    return row


@iam_action("iam:TagInstanceProfile")
def tag_instance_profile(actor, *, instance_profile_name: str, tags) -> None:
    row = _instance_profile(actor, instance_profile_name, "iam:TagInstanceProfile", for_update=True)
    _tag(row, tags, "TagsPerInstanceProfile")


@iam_action("iam:UntagInstanceProfile")
def untag_instance_profile(actor, *, instance_profile_name: str, tag_keys) -> None:
    _untag(
        _instance_profile(actor, instance_profile_name, "iam:UntagInstanceProfile", for_update=True), tag_keys
    )


@iam_read("iam:ListInstanceProfileTags")
def list_instance_profile_tags(
    actor, *, instance_profile_name: str, marker=None, max_items=None
) -> shapes.Page:
    return _page(_instance_profile(actor, instance_profile_name, "iam:ListInstanceProfileTags"))

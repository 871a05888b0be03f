"""EC2 tags: CreateTags and DeleteTags on instances (the demo world's only taggable resource).

EC2's rules: a key of 1–128 characters that does not start with ``aws:``, a value of at most
256, at most 50 tags per resource; keys are case-sensitive. CreateTags is authorized with
``aws:RequestTag/…`` and ``aws:TagKeys`` besides the instance's own keys; DeleteTags with
``aws:TagKeys``.
"""

from __future__ import annotations

from accounts.audit import add_detail
from accounts.services.base import iam_action

from ..errors import (
    InvalidID,
    InvalidParameterValue,
    MissingParameter,
    TagLimitExceeded,
)
from ..models import InstanceTag
from . import access

TAGS_PER_RESOURCE = 50
KEY_MAX = 128
VALUE_MAX = 256


def check_tags(tags) -> list[tuple[str, str]]:
    """``[(key, value)]`` checked with EC2's rules (a repeated key: the last value wins)."""
    out: dict[str, str] = {}
    for key, value in tags:
        if key is None or key == "":
            raise InvalidParameterValue("Tag key cannot be null or empty")
        if len(key) > KEY_MAX:
            raise InvalidParameterValue(f"Tag key exceeds the maximum length of {KEY_MAX} characters")
        if key.lower().startswith("aws:"):
            raise InvalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use")
        value = value or ""
        if len(value) > VALUE_MAX:
            raise InvalidParameterValue(f"Tag value exceeds the maximum length of {VALUE_MAX} characters")
        out[key] = value
    if len(out) > TAGS_PER_RESOURCE:
        raise TagLimitExceeded("The maximum number of Tags for a resource has been reached.")
    return list(out.items())


def _instance_ids(resources) -> list[str]:
    if not resources:
        raise MissingParameter("The request must contain the parameter ResourceId")
    for value in resources:
        if not str(value).startswith("i-"):
            raise InvalidID(f"The ID '{str(value)[:128]}' is not valid")
    return list(resources)


@iam_action("ec2:CreateTags")
def create_tags(actor, *, region: str, resources=(), tags=(), dry_run: bool = False) -> None:
    """Add or overwrite ``tags`` (``[{"Key", "Value"}]``) on each instance of ``resources``."""
    access.check_region(region)
    if not tags:
        raise MissingParameter("The request must contain the parameter Tag")
    pairs = check_tags((t.get("Key"), t.get("Value", "")) for t in tags)
    rows = access.find_instances(actor, _instance_ids(resources), region, for_update=True)
    request_keys = access.request_tag_keys(pairs)
    for row in rows:
        access.authorize(actor, "ec2:CreateTags", row.arn, {**access.instance_context(row), **request_keys})
    for row in rows:
        merged = {t.key for t in row.tags.all()} | {k for k, _ in pairs}
        if len(merged) > TAGS_PER_RESOURCE:
            raise TagLimitExceeded("The maximum number of Tags for a resource has been reached.")
    if dry_run:
        raise access.dry_run_done()
    for row in rows:
        existing = {t.key: t for t in row.tags.all()}
        new, changed = [], []
        for key, value in pairs:
            tag = existing.get(key)
            if tag is None:
                new.append(InstanceTag(instance=row, key=key, value=value))
            elif tag.value != value:
                tag.value = value
                changed.append(tag)
        InstanceTag.objects.bulk_create(new)
        InstanceTag.objects.bulk_update(changed, ["value"])
    add_detail(region=region, resources=[r.instance_id for r in rows], tag_keys=[k for k, _ in pairs])


@iam_action("ec2:DeleteTags")
def delete_tags(actor, *, region: str, resources=(), tags=None, dry_run: bool = False) -> None:
    """Delete tags from each instance of ``resources``: a key alone deletes the tag, a key
    with a value only when the value matches; no ``tags`` deletes every tag."""
    access.check_region(region)
    rows = access.find_instances(actor, _instance_ids(resources), region, for_update=True)
    wanted = None
    if tags:
        wanted = []
        for t in tags:
            key = t.get("Key")
            if not key:
                raise InvalidParameterValue("Tag key cannot be null or empty")
            wanted.append((key, t.get("Value")))
    for row in rows:
        keys = [k for k, _ in wanted] if wanted is not None else [t.key for t in row.tags.all()]
        context = {**access.instance_context(row), "aws:TagKeys": keys}
        access.authorize(actor, "ec2:DeleteTags", row.arn, context)
    if dry_run:
        raise access.dry_run_done()
    for row in rows:
        doomed = []
        for tag in row.tags.all():
            if wanted is None or any(k == tag.key and (v is None or v == tag.value) for k, v in wanted):
                doomed.append(tag.pk)
        InstanceTag.objects.filter(pk__in=doomed).delete()
    add_detail(
        region=region,
        resources=[r.instance_id for r in rows],
        tag_keys=[k for k, _ in wanted] if wanted is not None else "all",
    )


def console_manage_tags(actor, *, region: str, instance_id: str, tags) -> None:
    """The console's Manage tags: make the instance's tags exactly ``tags`` (``[(key, value)]``)
    with DeleteTags for the keys that went and CreateTags for the new and changed ones, all or
    nothing."""
    from accounts.audit import atomic_action

    from .instances import describe_instances

    pairs = check_tags(tags)
    found = describe_instances(actor, region=region, instance_ids=[instance_id]).items[0]
    before = {t.key: t.value for t in found.tags}
    after = dict(pairs)
    gone = [{"Key": k} for k in before if k not in after]
    changed = [{"Key": k, "Value": v} for k, v in pairs if before.get(k) != v]
    with atomic_action():
        if gone:
            delete_tags(actor, region=region, resources=[instance_id], tags=gone)
        if changed:
            create_tags(actor, region=region, resources=[instance_id], tags=changed)

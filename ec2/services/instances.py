"""EC2 instances: RunInstances, DescribeInstances, StartInstances, StopInstances,
TerminateInstances.

Each checks its input with EC2's rules and codes, finds the instances in the caller's account
and region, asks the gate for every instance with the condition keys EC2 supplies
(``ec2:InstanceType``, ``ec2:Region``, ``aws:ResourceTag/…``, and ``aws:RequestTag/…`` with
``iam:PassRole`` when launching with a role), then changes state inside one audited
transaction. Stopping or terminating an instance ends its role sessions.
"""

from __future__ import annotations

import random

from django.utils import timezone

from accounts.audit import add_detail
from accounts.models import Account
from accounts.services import sts
from accounts.services.base import iam_action, iam_read

from .. import catalog, ids, shapes, states
from ..errors import (
    IncorrectInstanceState,
    InstanceLimitExceeded,
    InvalidAMIIDMalformed,
    InvalidAMIIDNotFound,
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
)
from ..models import IamInstanceProfileAssociation, Instance, InstanceTag
from . import access, profiles
from .filters import check_paging, matches, page, parse_filters
from .tags import check_tags

INSTANCE_LIMIT = 20  # instances not terminated, per account and region (the demo's quota)
DEFAULT_INSTANCE_TYPE = "m1.small"  # EC2's default when RunInstances names none
HOP_LIMIT = (1, 64)


def _image(image_id) -> catalog.Image:
    if not image_id:
        raise MissingParameter("The request must contain the parameter ImageId")
    if not ids.is_image_id(image_id):
        raise InvalidAMIIDMalformed(f'Invalid id: "{str(image_id)[:128]}" (expecting "ami-...")')
    image = catalog.image(image_id)
    if image is None:
        raise InvalidAMIIDNotFound(f"The image id '[{image_id}]' does not exist")
    return image


def _counts(min_count, max_count) -> tuple[int, int]:
    if min_count is None:
        raise MissingParameter("The request must contain the parameter MinCount")
    if max_count is None:
        raise MissingParameter("The request must contain the parameter MaxCount")
    if min_count < 1:
        raise InvalidParameterValue(
            f"Value ({min_count}) for parameter minCount is invalid. Expecting a value greater than 0."
        )
    if max_count < 1:
        raise InvalidParameterValue(
            f"Value ({max_count}) for parameter maxCount is invalid. Expecting a value greater than 0."
        )
    if min_count > max_count:
        raise InvalidParameterValue(
            f"Value ({min_count}) for parameter minCount is invalid. It must be less than or equal to maxCount ({max_count})."
        )
    return min_count, max_count


def _instance_tags(tag_specifications) -> list[tuple[str, str]]:
    tags: list[tuple[str, str]] = []
    for spec in tag_specifications or ():
        kind = spec.get("ResourceType")
        if kind != "instance":
            raise InvalidParameterValue(
                f"'{str(kind)[:64]}' is not a valid taggable resource type for this operation."
            )
        tags.extend((t.get("Key"), t.get("Value", "")) for t in spec.get("Tags") or ())
    return check_tags(tags)


def _metadata_options(options, image: catalog.Image) -> dict:
    options = options or {}
    out = {
        "http_tokens": options.get("HttpTokens")
        or ("required" if image.imds_support == "v2.0" else "optional"),
        "http_endpoint": options.get("HttpEndpoint") or "enabled",
        "http_put_response_hop_limit": options.get("HttpPutResponseHopLimit") or 1,
    }
    if not HOP_LIMIT[0] <= out["http_put_response_hop_limit"] <= HOP_LIMIT[1]:
        raise InvalidParameterValue(
            "The HttpPutResponseHopLimit must be between 1 and 64. "
            f"You specified {out['http_put_response_hop_limit']}."
        )
    return out


def _zone(region: catalog.Region, placement) -> str:
    zone = (placement or {}).get("AvailabilityZone")
    if not zone:
        return random.choice(region.zones)
    if zone not in region.zones:
        raise InvalidParameterValue(f"Invalid availability zone: [{str(zone)[:64]}]")
    return zone


def _existing_reservation(actor, region: str, client_token: str):
    rows = list(access.instance_rows(actor, region).filter(client_token=client_token))
    if not rows:
        return None
    now = timezone.now()
    return shapes.Reservation(
        reservation_id=rows[0].reservation_id,
        owner_id=actor.account_id,
        instances=[access.instance_shape(r, now) for r in rows],
    )


def _launch_context(region, instance_type, zone, image, tags, metadata, profile_arn) -> dict:
    keys = {
        "ec2:Region": region,
        "ec2:InstanceType": instance_type,
        "ec2:AvailabilityZone": zone,
        "ec2:Tenancy": "default",
        "ec2:RootDeviceType": "ebs",
        "ec2:MetadataHttpTokens": metadata["http_tokens"],
        "ec2:MetadataHttpEndpoint": metadata["http_endpoint"],
        "ec2:MetadataHttpPutResponseHopLimit": str(metadata["http_put_response_hop_limit"]),
    }
    if profile_arn:
        keys["ec2:InstanceProfile"] = profile_arn
    if tags:
        keys.update(access.request_tag_keys(tags))
    return keys


@iam_action("ec2:RunInstances")
def run_instances(
    actor,
    *,
    region: str,
    image_id: str | None = None,
    min_count: int | None = None,
    max_count: int | None = None,
    instance_type: str | None = None,
    tag_specifications=(),
    iam_instance_profile: dict | None = None,
    metadata_options: dict | None = None,
    placement: dict | None = None,
    client_token: str | None = None,
    dry_run: bool = False,
) -> shapes.Reservation:
    """Launch ``min_count``..``max_count`` instances of ``image_id`` (as many as the quota
    leaves, at least ``min_count``) under one reservation, tagged and with the instance
    profile given. Needs ec2:RunInstances on ``instance/*`` and the image, ec2:CreateTags
    when tagging, and iam:PassRole on the profile's role."""
    where = access.check_region(region)
    image = _image(image_id)
    min_count, max_count = _counts(min_count, max_count)
    instance_type = instance_type or DEFAULT_INSTANCE_TYPE
    tags = _instance_tags(tag_specifications)
    metadata = _metadata_options(metadata_options, image)
    zone = _zone(where, placement)
    if client_token is not None and len(client_token) > 64:
        raise InvalidParameterValue("The client token must be 64 characters or fewer.")
    profile, role = profiles.resolve(actor, iam_instance_profile) if iam_instance_profile else (None, None)
    profile_arn = profile.arn if profile is not None else ""
    context = _launch_context(region, instance_type, zone, image, tags, metadata, profile_arn)
    new_instances = f"arn:aws:ec2:{region}:{actor.account_id}:instance/*"
    access.authorize(actor, "ec2:RunInstances", new_instances, context)
    access.authorize(
        actor,
        "ec2:RunInstances",
        ids.image_arn(region, image.image_id),
        {"ec2:Region": region, "ec2:ImageType": "machine", "ec2:Owner": "amazon", "ec2:Public": "true"},
    )
    if tags:
        access.authorize(
            actor, "ec2:CreateTags", new_instances, {**context, "ec2:CreateAction": "RunInstances"}
        )
    if role is not None:
        profiles.authorize_pass_role(actor, role, new_instances)
    if dry_run:
        raise access.dry_run_done()
    if client_token:  # idempotent: the same token answers the reservation it made
        existing = _existing_reservation(actor, region, client_token)
        if existing is not None:
            return existing
    # one launch at a time per account, so that two cannot both fit in the last room
    list(Account.objects.select_for_update().filter(pk=actor.account_id).values_list("pk", flat=True))
    running = (
        access.visible(Instance.objects.filter(account_id=actor.account_id, region=region))
        .exclude(state__in=(states.SHUTTING_DOWN, states.TERMINATED))
        .count()
    )
    room = INSTANCE_LIMIT - running
    if room < min_count:
        raise InstanceLimitExceeded(
            f"You have requested more instances ({min_count}) than your current instance limit of "
            f"{INSTANCE_LIMIT} allows for the specified instance type. Please visit "
            "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit."
        )
    count = min(max_count, room)
    now = timezone.now()
    reservation_id = ids.new_id("r")
    rows = [
        Instance(
            instance_id=ids.new_id("i"),
            reservation_id=reservation_id,
            account_id=actor.account_id,
            region=region,
            availability_zone=zone,
            instance_type=instance_type,
            image_id=image.image_id,
            ami_launch_index=n,
            state=states.PENDING,
            state_since=now,
            launch_time=now,
            client_token=client_token or "",
            launched_by=actor.arn,
            **metadata,
        )
        for n in range(count)
    ]
    Instance.objects.bulk_create(rows)
    rows = list(Instance.objects.filter(reservation_id=reservation_id).order_by("ami_launch_index"))
    InstanceTag.objects.bulk_create(InstanceTag(instance=r, key=k, value=v) for r in rows for k, v in tags)
    if profile is not None:
        IamInstanceProfileAssociation.objects.bulk_create(
            IamInstanceProfileAssociation(
                association_id=ids.new_id("iip-assoc"),
                instance=r,
                instance_profile=profile,
                profile_arn=profile.arn,
                profile_unique_id=profile.unique_id,
            )
            for r in rows
        )
    add_detail(
        region=region,
        reservation_id=reservation_id,
        instance_ids=[r.instance_id for r in rows],
        instance_type=instance_type,
        image_id=image.image_id,
        iam_instance_profile=profile_arn or None,
    )
    fresh = list(access.instance_rows(actor, region).filter(reservation_id=reservation_id))
    return shapes.Reservation(
        reservation_id=reservation_id,
        owner_id=actor.account_id,
        instances=[access.instance_shape(r, now, state=states.PENDING) for r in fresh],
    )


def _state_names(instance) -> list[str]:
    return [instance.state.name]


def _tag(instance, key) -> list[str]:
    return [t.value for t in instance.tags if t.key == key]


INSTANCE_FILTERS = {
    "instance-id": lambda i: [i.instance_id],
    "instance-state-name": _state_names,
    "instance-state-code": lambda i: [str(i.state.code)],
    "instance-type": lambda i: [i.instance_type],
    "image-id": lambda i: [i.image_id],
    "availability-zone": lambda i: [i.availability_zone],
    "reservation-id": lambda i: [i.reservation_id],
    "owner-id": lambda i: [i.owner_id],
    "private-ip-address": lambda i: [i.private_ip_address] if i.private_ip_address else [],
    "ip-address": lambda i: [i.public_ip_address] if i.public_ip_address else [],
    "iam-instance-profile.arn": lambda i: [i.iam_instance_profile.arn] if i.iam_instance_profile else [],
    "tag-key": lambda i: [t.key for t in i.tags],
    "tag-value": lambda i: [t.value for t in i.tags],
    "tag:": _tag,
}


@iam_read("ec2:DescribeInstances")
def describe_instances(
    actor,
    *,
    region: str,
    instance_ids=(),
    filters=(),
    max_results: int | None = None,
    next_token: str | None = None,
    dry_run: bool = False,
) -> shapes.Page:
    """The caller's instances in ``region`` that match ``instance_ids`` and ``filters``, in
    launch order, paged by ``max_results`` (5–1000) and ``next_token``. An ID that names no
    instance is InvalidInstanceID.NotFound. Needs ec2:DescribeInstances (on ``*``)."""
    access.check_region(region)
    wanted = access.check_instance_ids(instance_ids)
    parsed = parse_filters(filters, INSTANCE_FILTERS)
    size, after = check_paging(max_results, next_token, ids_given=bool(wanted), ids_parameter="instancesSet")
    access.authorize(actor, "ec2:DescribeInstances", "*", {"ec2:Region": region})
    if dry_run:
        raise access.dry_run_done()
    qs = access.instance_rows(actor, region)
    if wanted:
        qs = qs.filter(instance_id__in=wanted)
    rows = list(qs)
    if wanted:
        present = {r.instance_id for r in rows}
        missing = [i for i in wanted if i not in present]
        if missing:
            raise access.not_found(missing)
    now = timezone.now()
    items = [(r.pk, access.instance_shape(r, now)) for r in rows]
    items = [(pk, shape) for pk, shape in items if matches(shape, parsed)]
    chosen, token = page(items, lambda item: item[0], size, after)
    return shapes.Page([shape for _, shape in chosen], token)


def _change(row, previous: str, current: str) -> shapes.InstanceStateChange:
    return shapes.InstanceStateChange(
        instance_id=row.instance_id,
        current_state=access.state_shape(current),
        previous_state=access.state_shape(previous),
    )


def _transition(row, state: str, now, **fields) -> None:
    Instance.objects.filter(pk=row.pk).update(state=state, state_since=now, **fields)


def _authorized_rows(actor, action: str, region: str, instance_ids):
    access.check_region(region)
    if not instance_ids:
        raise MissingParameter("The request must contain the parameter InstanceId")
    rows = access.find_instances(actor, instance_ids, region, for_update=True)
    for row in rows:
        access.authorize(actor, action, row.arn, access.instance_context(row))
    add_detail(region=region, instance_ids=[r.instance_id for r in rows])
    return rows


@iam_action("ec2:StartInstances")
def start_instances(actor, *, region: str, instance_ids=(), dry_run: bool = False) -> list:
    """Start stopped instances (pending, then running); a running or pending one is left as
    it is. Returns each instance's state change."""
    rows = _authorized_rows(actor, "ec2:StartInstances", region, instance_ids)
    if dry_run:
        raise access.dry_run_done()
    now = timezone.now()
    changes = []
    for row in rows:
        previous = access.state_of(row, now)
        if previous in (states.RUNNING, states.PENDING):
            changes.append(_change(row, previous, previous))
            continue
        if previous not in states.CAN_START:
            raise IncorrectInstanceState(
                f"The instance '{row.instance_id}' is not in a state from which it can be started."
            )
        _transition(row, states.PENDING, now, launch_time=now)
        changes.append(_change(row, previous, states.PENDING))
    return changes


@iam_action("ec2:StopInstances")
def stop_instances(
    actor,
    *,
    region: str,
    instance_ids=(),
    force: bool = False,
    hibernate: bool = False,
    dry_run: bool = False,
) -> list:
    """Stop running instances (stopping, then stopped) and end their role sessions; a
    stopping or stopped one is left as it is."""
    rows = _authorized_rows(actor, "ec2:StopInstances", region, instance_ids)
    if hibernate:
        raise InvalidParameterCombination("Hibernation is not enabled for these instances.")
    if dry_run:
        raise access.dry_run_done()
    now = timezone.now()
    changes = []
    for row in rows:
        previous = access.state_of(row, now)
        if previous in (states.STOPPING, states.STOPPED):
            changes.append(_change(row, previous, previous))
            continue
        if previous == states.PENDING:
            raise IncorrectInstanceState(
                f"Instance '{row.instance_id}' cannot be stopped as it has never reached the 'running' state."
            )
        if previous not in states.CAN_STOP:
            raise IncorrectInstanceState(
                f"The instance '{row.instance_id}' is not in a state from which it can be stopped."
            )
        _transition(row, states.STOPPING, now)
        sts.revoke_service_role_sessions(source_arn=row.arn)
        changes.append(_change(row, previous, states.STOPPING))
    return changes


@iam_action("ec2:TerminateInstances")
def terminate_instances(actor, *, region: str, instance_ids=(), dry_run: bool = False) -> list:
    """Terminate instances (shutting-down, then terminated; visible for about an hour after)
    and end their role sessions; a terminated one is left as it is."""
    rows = _authorized_rows(actor, "ec2:TerminateInstances", region, instance_ids)
    if dry_run:
        raise access.dry_run_done()
    now = timezone.now()
    changes = []
    for row in rows:
        previous = access.state_of(row, now)
        if previous in (states.SHUTTING_DOWN, states.TERMINATED):
            changes.append(_change(row, previous, previous))
            continue
        _transition(row, states.SHUTTING_DOWN, now)
        sts.revoke_service_role_sessions(source_arn=row.arn)
        changes.append(_change(row, previous, states.SHUTTING_DOWN))
    return changes

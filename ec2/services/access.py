"""What every EC2 service shares: the gate in EC2's words, the condition keys of a request,
account- and region-scoped lookups, and instances as shapes.

A refusal is EC2's ``UnauthorizedOperation`` with AWS's message and an *encoded authorization
failure message* (the decision's details, encrypted; ``sts:DecodeAuthorizationMessage``
decodes it for a caller allowed to). An instance of another account or region is not found.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts import audit, authz, crypto

from .. import catalog, ids, shapes, states
from ..errors import (
    DryRunOperation,
    InvalidInstanceIDMalformed,
    InvalidInstanceIDNotFound,
    InvalidParameterValue,
    OptInRequired,
    UnauthorizedOperation,
)
from ..models import Instance

UNAUTHORIZED = "You are not authorized to perform this operation."
ENCODED_PREFIX = "Encoded authorization failure message: "
DRY_RUN_MESSAGE = "Request would have succeeded, but DryRun flag is set."
OPT_IN_REQUIRED = "You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe."


def delays() -> dict:
    """How long each transition takes (``settings.EC2_TRANSITION_SECONDS`` may override)."""
    return {**states.DEFAULT_DELAYS, **getattr(settings, "EC2_TRANSITION_SECONDS", {})}


def dry_run_done() -> DryRunOperation:
    """What a request with DryRun answers once it is known to be allowed."""
    return DryRunOperation(DRY_RUN_MESSAGE)


def check_region(region: str) -> catalog.Region:
    """The region a request is for: an opt-in region answers OptInRequired, an unknown one
    InvalidParameterValue."""
    found = catalog.region(region or "")
    if found is None:
        raise InvalidParameterValue(f"Invalid region: {str(region)[:64]}")
    if not found.enabled:
        raise OptInRequired(OPT_IN_REQUIRED)
    return found


# --- the gate --------------------------------------------------------------------------------


def encode_authorization_message(actor, action: str, resource: str, verdict, context: dict) -> str:
    """The decision's details as AWS's DecodeAuthorizationMessage shows them, encrypted."""
    decision = verdict.decision
    statements = []
    for st in getattr(decision, "matched_statements", None) or ():
        statements.append(
            {
                "statementId": getattr(st, "sid", "") or "",
                "effect": "DENY" if decision.decision == "explicitDeny" else "ALLOW",
                "principals": {"items": [{"value": actor.user_id}]},
                "actions": {"items": [{"value": action}]},
                "resources": {"items": [{"value": resource}]},
                "policyId": getattr(st, "policy_id", "") or "",
            }
        )
    conditions = [
        {
            "key": key,
            "values": {"items": [{"value": str(v)} for v in (value if isinstance(value, list) else [value])]},
        }
        for key, value in sorted(context.items())
    ]
    document = {
        "allowed": False,
        "explicitDeny": bool(decision is not None and decision.decision == "explicitDeny"),
        "matchedStatements": {"items": statements},
        "failures": {"items": []},
        "context": {
            "principal": {"id": actor.user_id, "name": actor.name or "", "arn": actor.arn},
            "action": action,
            "resource": resource,
            "conditions": {"items": conditions},
        },
        "account": actor.account_id,
    }
    return crypto.encrypt(json.dumps(document, separators=(",", ":")))


def authorize(actor, action: str, resource: str, context: dict | None = None) -> None:
    """Raise UnauthorizedOperation (AWS's message, encoded details) unless ``actor`` may
    perform ``action`` on ``resource`` with the request's condition keys ``context``."""
    audit.set_target(resource)
    keys = dict(context or {})
    verdict = authz.decide(actor, action, resource, context=keys)
    if verdict.allowed:
        return
    # Actions without resource-level permissions (Describe*) name no resource, as EC2 does.
    named = None if resource == "*" else resource
    reason = authz.denial_message(actor, action, named, verdict.decision)
    encoded = encode_authorization_message(actor, action, resource, verdict, keys)
    raise UnauthorizedOperation(
        f"{UNAUTHORIZED} {reason}. {ENCODED_PREFIX}{encoded}",
        decision=verdict.decision,
        considered=verdict.considered,
    )


def is_allowed(actor, action: str, resource: str, context: dict | None = None) -> bool:
    return authz.is_allowed(actor, action, resource, context=dict(context or {}))


def plain_reason(message: str) -> str:
    """An UnauthorizedOperation's message without its encoded part (the console shows it so)."""
    return message.split(" " + ENCODED_PREFIX, 1)[0]


def tag_keys(tags) -> dict:
    """``aws:ResourceTag/<key>`` (and EC2's older ``ec2:ResourceTag/<key>``) for each tag."""
    out = {}
    for tag in tags:
        out[f"aws:ResourceTag/{tag.key}"] = tag.value
        out[f"ec2:ResourceTag/{tag.key}"] = tag.value
    return out


def request_tag_keys(tags) -> dict:
    """``aws:RequestTag/<key>`` for each tag of the request, and ``aws:TagKeys``."""
    out = {f"aws:RequestTag/{key}": value for key, value in tags}
    out["aws:TagKeys"] = [key for key, _ in tags]
    return out


def instance_context(row: Instance, tags=None, profile_arn: str | None = None) -> dict:
    """The condition keys an existing instance brings to a request on it."""
    keys = {
        "ec2:Region": row.region,
        "ec2:InstanceType": row.instance_type,
        "ec2:AvailabilityZone": row.availability_zone,
        "ec2:InstanceID": row.instance_id,
        "ec2:Tenancy": "default",
        "ec2:RootDeviceType": "ebs",
        "ec2:MetadataHttpTokens": row.http_tokens,
        "ec2:MetadataHttpEndpoint": row.http_endpoint,
    }
    if profile_arn is None:
        association = _cached_association(row)
        profile_arn = association.profile_arn if association is not None else ""
    if profile_arn:
        keys["ec2:InstanceProfile"] = profile_arn
    keys.update(tag_keys(row.tags.all() if tags is None else tags))
    return keys


def _cached_association(row: Instance):
    try:
        return row.iam_instance_profile_association
    except Instance.iam_instance_profile_association.RelatedObjectDoesNotExist:
        return None


# --- lookups ----------------------------------------------------------------------------------


def visible(qs, now: datetime | None = None):
    """Instances a caller can still see: a terminated one vanishes about an hour after it ended."""
    now = now or timezone.now()
    cutoff = now - states.TERMINATED_VISIBLE - timezone.timedelta(seconds=delays()[states.SHUTTING_DOWN])
    return qs.exclude(Q(state__in=(states.SHUTTING_DOWN, states.TERMINATED)) & Q(state_since__lt=cutoff))


def check_instance_ids(instance_ids) -> list[str]:
    """The IDs in request order, each once; a malformed one is InvalidInstanceID.Malformed."""
    out: list[str] = []
    for value in instance_ids:
        if not ids.is_instance_id(value):
            raise InvalidInstanceIDMalformed(f'Invalid id: "{str(value)[:128]}"')
        if value not in out:
            out.append(value)
    return out


def not_found(missing: list[str]) -> InvalidInstanceIDNotFound:
    if len(missing) == 1:
        return InvalidInstanceIDNotFound(f"The instance ID '{missing[0]}' does not exist")
    return InvalidInstanceIDNotFound(f"The instance IDs '{', '.join(missing)}' do not exist")


def instance_rows(actor, region: str):
    """The actor's account's visible instances in ``region``, with what shapes need (3 queries)."""
    return (
        visible(Instance.objects.filter(account_id=actor.account_id, region=region))
        .select_related("iam_instance_profile_association__instance_profile")
        .prefetch_related("tags", "iam_instance_profile_association__instance_profile__roles")
        .order_by("id")
    )


def find_instances(actor, instance_ids, region: str, *, for_update: bool = False) -> list[Instance]:
    """The instances named (request order), or InvalidInstanceID.Malformed / .NotFound."""
    wanted = check_instance_ids(instance_ids)
    qs = instance_rows(actor, region).filter(instance_id__in=wanted)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = {row.instance_id: row for row in qs}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise not_found(missing)
    return [found[i] for i in wanted]


def find_instance(actor, instance_id: str, region: str, *, for_update: bool = False) -> Instance:
    return find_instances(actor, [instance_id], region, for_update=for_update)[0]


# --- shapes -----------------------------------------------------------------------------------


def state_of(row: Instance, now: datetime | None = None) -> str:
    return states.current(row.state, row.state_since, now or timezone.now(), delays())


def state_shape(name: str) -> shapes.InstanceState:
    return shapes.InstanceState(states.CODES[name], name)


def _user_initiated(when: datetime) -> str:
    return f"User initiated ({when.strftime('%Y-%m-%d %H:%M:%S')} GMT)"


def profile_shape(row: Instance) -> shapes.IamInstanceProfile | None:
    association = _cached_association(row)
    if association is None:
        return None
    profile = association.instance_profile
    role = next(iter(profile.roles.all()), None) if profile is not None else None
    return shapes.IamInstanceProfile(
        arn=association.profile_arn,
        id=association.profile_unique_id,
        association_id=association.association_id,
        role_name=role.name if role is not None else "",
        role_arn=role.arn if role is not None else "",
    )


def instance_shape(
    row: Instance, now: datetime | None = None, *, state: str | None = None
) -> shapes.Instance:
    """An instance as EC2 describes it (its tags and association prefetched: no query);
    ``state`` overrides the derived state (RunInstances answers ``pending``, as EC2 does)."""
    now = now or timezone.now()
    name = state or state_of(row, now)
    image = catalog.image(row.image_id)
    private_ip = row.private_ip
    running = name in (states.RUNNING, states.PENDING, states.STOPPING)
    public_ip = ids.public_ip(row.instance_id) if name in (states.RUNNING, states.STOPPING) else None
    ended = name in (states.STOPPING, states.STOPPED, states.SHUTTING_DOWN, states.TERMINATED)
    return shapes.Instance(
        instance_id=row.instance_id,
        reservation_id=row.reservation_id,
        owner_id=row.account_id,
        region=row.region,
        availability_zone=row.availability_zone,
        instance_type=row.instance_type,
        image_id=row.image_id,
        image_name=image.name if image else "",
        platform_details=image.platform_details if image else "Linux/UNIX",
        platform=image.platform if image else None,
        architecture=image.architecture if image else "x86_64",
        root_device_name=image.root_device_name if image else "/dev/xvda",
        ami_launch_index=row.ami_launch_index,
        state=state_shape(name),
        launch_time=row.launch_time,
        private_ip_address=private_ip if name != states.TERMINATED else "",
        private_dns_name=ids.private_dns_name(private_ip, row.region) if name != states.TERMINATED else "",
        public_ip_address=public_ip,
        public_dns_name=ids.public_dns_name(public_ip, row.region) if public_ip and running else "",
        state_transition_reason=_user_initiated(row.state_since) if ended else "",
        state_reason=(
            shapes.StateReason(
                "Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"
            )
            if ended
            else None
        ),
        client_token=row.client_token,
        metadata_options=shapes.MetadataOptions(
            http_tokens=row.http_tokens,
            http_endpoint=row.http_endpoint,
            http_put_response_hop_limit=row.http_put_response_hop_limit,
        ),
        iam_instance_profile=profile_shape(row),
        tags=tuple(shapes.Tag(t.key, t.value) for t in sorted(row.tags.all(), key=lambda t: t.key)),
        launched_by=row.launched_by,
    )

"""The EC2 API (EC2 protocol): ``Action`` → the service function for that EC2 action, boto3's
parameters in, boto3's response members out. Each handler is a thin translation; the
services validate, decide, write and audit. The region is the SigV4 credential scope's.

A parameter EC2 accepts but the demo world has no use for is refused with EC2's
``UnsupportedOperation`` rather than ignored, so that no request is silently half-done.
"""

from __future__ import annotations

from accounts.api.adapt import snake

from .errors import InvalidKeyPairNotFound, UnsupportedOperation
from .services import authorization_messages, iam_instance_profiles, instances, regions, tags


def _kwargs(params: dict, accepted: set[str], rename: dict | None = None) -> dict:
    out = {}
    for name, value in params.items():
        key = (rename or {}).get(name) or snake(name)
        if key not in accepted:
            raise UnsupportedOperation(f"The parameter {name} is not supported by this EC2 emulator yet.")
        out[key] = value
    return out


def _state(state) -> dict:
    return {"Code": state.code, "Name": state.name}


_USAGE = {"Windows": "RunInstances:0002", "Red Hat Enterprise Linux": "RunInstances:0010"}


def instance_to_aws(i) -> dict:
    """A ``shapes.Instance`` as boto3's ``Instance``."""
    out = {
        "AmiLaunchIndex": i.ami_launch_index,
        "ImageId": i.image_id,
        "InstanceId": i.instance_id,
        "InstanceType": i.instance_type,
        "LaunchTime": i.launch_time,
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": i.availability_zone, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": i.private_dns_name,
        "ProductCodes": [],
        "PublicDnsName": i.public_dns_name,
        "State": _state(i.state),
        "StateTransitionReason": i.state_transition_reason,
        "Architecture": i.architecture,
        "BlockDeviceMappings": [],
        "ClientToken": i.client_token,
        "EbsOptimized": False,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "RootDeviceName": i.root_device_name,
        "RootDeviceType": "ebs",
        "SecurityGroups": [],
        "SourceDestCheck": True,
        "VirtualizationType": "hvm",
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": i.metadata_options.http_tokens,
            "HttpPutResponseHopLimit": i.metadata_options.http_put_response_hop_limit,
            "HttpEndpoint": i.metadata_options.http_endpoint,
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "PlatformDetails": i.platform_details,
        "UsageOperation": _USAGE.get(i.platform_details, "RunInstances"),
    }
    if i.private_ip_address:
        out["PrivateIpAddress"] = i.private_ip_address
    if i.public_ip_address:
        out["PublicIpAddress"] = i.public_ip_address
    if i.platform:
        out["Platform"] = i.platform
    if i.iam_instance_profile is not None:
        out["IamInstanceProfile"] = {"Arn": i.iam_instance_profile.arn, "Id": i.iam_instance_profile.id}
    if i.state_reason is not None:
        out["StateReason"] = {"Code": i.state_reason.code, "Message": i.state_reason.message}
    if i.tags:
        out["Tags"] = [{"Key": t.key, "Value": t.value} for t in i.tags]
    return out


def _reservations(items) -> list[dict]:
    grouped: dict[str, dict] = {}
    for i in items:
        found = grouped.get(i.reservation_id)
        if found is None:
            found = grouped[i.reservation_id] = {
                "ReservationId": i.reservation_id,
                "OwnerId": i.owner_id,
                "Groups": [],
                "Instances": [],
            }
        found["Instances"].append(instance_to_aws(i))
    return list(grouped.values())


def _association(a) -> dict:
    return {
        "AssociationId": a.association_id,
        "InstanceId": a.instance_id,
        "IamInstanceProfile": {"Arn": a.iam_instance_profile.arn, "Id": a.iam_instance_profile.id},
        "State": a.state,
        "Timestamp": a.timestamp,
    }


def _paged(key: str, found, convert) -> dict:
    out = {key: convert(found.items)}
    if found.next_token:
        out["NextToken"] = found.next_token
    return out


RUN_INSTANCES_PARAMS = {
    "image_id",
    "min_count",
    "max_count",
    "instance_type",
    "tag_specifications",
    "iam_instance_profile",
    "metadata_options",
    "placement",
    "client_token",
    "dry_run",
}


def run_instances(actor, params, info) -> dict:
    if params.get("KeyName"):
        # the demo world has no key pairs, so every name names none (as EC2 answers)
        raise InvalidKeyPairNotFound(f"The key pair '{params['KeyName'][:255]}' does not exist")
    kwargs = _kwargs(params, RUN_INSTANCES_PARAMS)
    found = instances.run_instances(actor, region=info.region, **kwargs)
    return {
        "ReservationId": found.reservation_id,
        "OwnerId": found.owner_id,
        "Groups": [],
        "Instances": [instance_to_aws(i) for i in found.instances],
    }


def describe_instances(actor, params, info) -> dict:
    kwargs = _kwargs(params, {"instance_ids", "filters", "max_results", "next_token", "dry_run"})
    found = instances.describe_instances(actor, region=info.region, **kwargs)
    return _paged("Reservations", found, _reservations)


def _state_changes(key: str, fn, extra: set[str] = frozenset()):
    def handler(actor, params, info) -> dict:
        kwargs = _kwargs(params, {"instance_ids", "dry_run", *extra})
        changes = fn(actor, region=info.region, **kwargs)
        return {
            key: [
                {
                    "InstanceId": c.instance_id,
                    "CurrentState": _state(c.current_state),
                    "PreviousState": _state(c.previous_state),
                }
                for c in changes
            ]
        }

    return handler


def create_tags(actor, params, info) -> None:
    tags.create_tags(actor, region=info.region, **_kwargs(params, {"resources", "tags", "dry_run"}))


def delete_tags(actor, params, info) -> None:
    tags.delete_tags(actor, region=info.region, **_kwargs(params, {"resources", "tags", "dry_run"}))


def associate_iam_instance_profile(actor, params, info) -> dict:
    kwargs = _kwargs(params, {"instance_id", "iam_instance_profile"})
    found = iam_instance_profiles.associate_iam_instance_profile(actor, region=info.region, **kwargs)
    return {"IamInstanceProfileAssociation": _association(found)}


def replace_iam_instance_profile_association(actor, params, info) -> dict:
    kwargs = _kwargs(params, {"association_id", "iam_instance_profile"})
    found = iam_instance_profiles.replace_iam_instance_profile_association(
        actor, region=info.region, **kwargs
    )
    return {"IamInstanceProfileAssociation": _association(found)}


def disassociate_iam_instance_profile(actor, params, info) -> dict:
    kwargs = _kwargs(params, {"association_id"})
    found = iam_instance_profiles.disassociate_iam_instance_profile(actor, region=info.region, **kwargs)
    return {"IamInstanceProfileAssociation": _association(found)}


def describe_iam_instance_profile_associations(actor, params, info) -> dict:
    kwargs = _kwargs(params, {"association_ids", "filters", "max_results", "next_token"})
    found = iam_instance_profiles.describe_iam_instance_profile_associations(
        actor, region=info.region, **kwargs
    )
    return _paged("IamInstanceProfileAssociations", found, lambda items: [_association(a) for a in items])


def describe_regions(actor, params, info) -> dict:
    kwargs = _kwargs(params, {"region_names", "all_regions", "filters", "dry_run"})
    found = regions.describe_regions(actor, region=info.region, **kwargs)
    return {
        "Regions": [
            {"Endpoint": r.endpoint, "RegionName": r.region_name, "OptInStatus": r.opt_in_status}
            for r in found
        ]
    }


HANDLERS = {
    "RunInstances": run_instances,
    "DescribeInstances": describe_instances,
    "StartInstances": _state_changes("StartingInstances", instances.start_instances),
    "StopInstances": _state_changes("StoppingInstances", instances.stop_instances, {"force", "hibernate"}),
    "TerminateInstances": _state_changes("TerminatingInstances", instances.terminate_instances),
    "CreateTags": create_tags,
    "DeleteTags": delete_tags,
    "AssociateIamInstanceProfile": associate_iam_instance_profile,
    "DescribeIamInstanceProfileAssociations": describe_iam_instance_profile_associations,
    "DisassociateIamInstanceProfile": disassociate_iam_instance_profile,
    "ReplaceIamInstanceProfileAssociation": replace_iam_instance_profile_association,
    "DescribeRegions": describe_regions,
}


def decode_authorization_message(actor, params, info) -> dict:
    kwargs = _kwargs(params, {"encoded_message"})
    return {"DecodedMessage": authorization_messages.decode_authorization_message(actor, **kwargs)}


# STS actions this app serves (only EC2 encodes authorization failure messages)
STS_HANDLERS = {"DecodeAuthorizationMessage": decode_authorization_message}

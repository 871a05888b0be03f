"""The EC2 part of ``manage.py seed_demo``: the demo role's instance profile and two instances
in the demo region, made (once) through the same services as everything else, and the
walkthrough lines that say what each demo user may do with EC2."""

from __future__ import annotations

from accounts.errors import NoSuchEntity
from accounts.services import instance_profiles as profile_services

from .. import catalog
from . import instances

ROLE = "EC2ReadOnlyRole"
# Name tag, instance type, tags, instance profile
INSTANCES = (
    ("demo-web", "t3.micro", {"Environment": "demo", "Team": "web"}, ROLE),
    ("demo-batch", "t2.micro", {"Environment": "dev", "Team": "data"}, None),
)
ALIVE = ["pending", "running", "stopping", "stopped"]


def _ensure_profile(root) -> None:
    """The instance profile of the demo role, as the console makes it with the role."""
    try:
        profile = profile_services.get_instance_profile(root, instance_profile_name=ROLE)
    except NoSuchEntity:
        profile_services.create_instance_profile(root, instance_profile_name=ROLE)
        profile = profile_services.get_instance_profile(root, instance_profile_name=ROLE)
    if not profile.roles:
        profile_services.add_role_to_instance_profile(root, instance_profile_name=ROLE, role_name=ROLE)


def seed(root, *, base_url: str, lines: list[str]) -> None:
    """Add the EC2 demo world to the demo account (idempotent) and its walkthrough lines."""
    region = catalog.DEFAULT_REGION
    image = catalog.IMAGES[0]
    _ensure_profile(root)
    found = instances.describe_instances(
        root,
        region=region,
        filters=[
            {"Name": "tag:Name", "Values": [name for name, *_ in INSTANCES]},
            {"Name": "instance-state-name", "Values": ALIVE},
        ],
    )
    by_name = {i.name: i for i in found}
    for name, instance_type, tags, profile in INSTANCES:
        if name in by_name:
            continue
        reservation = instances.run_instances(
            root,
            region=region,
            image_id=image.image_id,
            min_count=1,
            max_count=1,
            instance_type=instance_type,
            tag_specifications=[
                {
                    "ResourceType": "instance",
                    "Tags": [{"Key": "Name", "Value": name}]
                    + [{"Key": k, "Value": v} for k, v in tags.items()],
                }
            ],
            iam_instance_profile={"Name": profile} if profile else None,
        )
        by_name[name] = reservation.instances[0]
    web, batch = by_name["demo-web"], by_name["demo-batch"]
    base = base_url.rstrip("/")
    lines += [
        "",
        f"EC2 ({catalog.region(region).description}, {region}): {base}/ec2/instances/?region={region}",
        f"  Instances:   demo-web {web.instance_id} ({web.instance_type}, IAM role {ROLE} through its instance profile)",
        f"               demo-batch {batch.instance_id} ({batch.instance_type}, no IAM role)",
        "  bob   (Developers, AmazonEC2FullAccess) may launch, stop, start, terminate and tag instances, in the",
        "        console and with `aws ec2 …`. He is refused (UnauthorizedOperation) giving an instance a role:",
        "        iam:PassRole is not in AmazonEC2FullAccess; the launch form cannot list instance profiles",
        "        (iam:ListInstanceProfiles) and Connect is refused (ec2-instance-connect:SendSSHPublicKey), so he",
        "        cannot read the role's credentials either.",
        "  carol (ReadOnly: S3 and IAM read-only) has no EC2 policy: the Instances page and",
        "        `aws ec2 describe-instances` answer UnauthorizedOperation for ec2:DescribeInstances.",
        f"  alice (Admins) may do all of it: Connect on demo-web shows how the AWS CLI inside the instance gets {ROLE}'s",
        "        credentials from its metadata service; `aws sts get-caller-identity` then prints",
        f"        arn:aws:sts::{root.account_id}:assumed-role/{ROLE}/{web.instance_id}; with them",
        "        `aws ec2 describe-instances` works and `aws ec2 stop-instances` is refused (read-only role).",
    ]

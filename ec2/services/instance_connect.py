"""Connecting to an instance (EC2 Instance Connect's ``SendSSHPublicKey``).

In AWS, code that runs *inside* an instance reaches its metadata service at 169.254.169.254,
which nothing outside can reach. The local twin serves each instance's metadata service over
HTTP instead, so "being inside" must be proven: connecting to the instance hands out a token
(signed, bound to the instance's current run, valid for a few hours) that opens its metadata
service. Who may connect is IAM's decision, as in AWS: ``ec2-instance-connect:SendSSHPublicKey``
on the instance, with ``ec2:osuser``. Without it, a user who may describe instances still
cannot read the credentials of their roles.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from accounts import authz
from accounts.audit import add_detail
from accounts.services.base import iam_action

from .. import catalog, shapes, states
from ..errors import IncorrectInstanceState
from . import access

CONNECT_SECONDS = 12 * 3600
_SALT = "ec2.instance-connect"


def run_of(row) -> int:
    """The instance's current run (its launch time): a stop and a start end every token."""
    return int(row.launch_time.timestamp() * 1000)


def connect_token(row) -> str:
    return signing.dumps({"i": row.instance_id, "r": run_of(row)}, salt=_SALT)


def instance_for_token(token: str, instance_id: str):
    """The instance a connect token opens, if it is ``instance_id``'s, unexpired, of its
    current run; else None."""
    from ..models import Instance

    try:
        data = signing.loads(token, salt=_SALT, max_age=CONNECT_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("i") != instance_id:
        return None
    row = Instance.objects.select_related("account").filter(instance_id=instance_id).first()
    if row is None or data.get("r") != run_of(row):
        return None
    return row


@iam_action("ec2-instance-connect:SendSSHPublicKey")
def send_ssh_public_key(
    actor, *, region: str, instance_id: str, instance_os_user: str | None = None, ssh_public_key: str = ""
) -> shapes.ConnectSession:
    """Connect to a running instance as ``instance_os_user`` (the AMI's default user by
    default): returns the token that opens its metadata service."""
    access.check_region(region)
    row = access.find_instance(actor, instance_id, region)
    image = catalog.image(row.image_id)
    user = instance_os_user or (image.default_user if image else "ec2-user")
    authz.authorize(
        actor,
        "ec2-instance-connect:SendSSHPublicKey",
        row.arn,
        context={**access.instance_context(row), "ec2:osuser": user},
    )
    if access.state_of(row) != states.RUNNING:
        raise IncorrectInstanceState(f"The instance '{row.instance_id}' is not running.")
    profile = access.profile_shape(row)
    add_detail(region=region, instance_id=row.instance_id, instance_os_user=user)
    return shapes.ConnectSession(
        instance_id=row.instance_id,
        instance_os_user=user,
        token=connect_token(row),
        expires_at=timezone.now() + timedelta(seconds=CONNECT_SECONDS),
        role_name=profile.role_name if profile else "",
    )

"""An instance's metadata service (IMDS), in the local twin's form.

``/ec2/instances/<id>/latest/…`` answers what ``http://169.254.169.254/latest/…`` answers on
the instance: ``meta-data/`` (instance-id, instance-type, placement, addresses …), the IMDSv2
handshake (``PUT latest/api/token`` with ``X-aws-ec2-metadata-token-ttl-seconds``, then
``X-aws-ec2-metadata-token`` on each GET; 401 without a valid one when the instance requires
IMDSv2), ``dynamic/instance-identity/document``, and the role's credentials under
``meta-data/iam/security-credentials/<role>`` in AWS's JSON. ``container_credentials`` serves
the same credentials in the container-credentials form that ``AWS_CONTAINER_CREDENTIALS_FULL_URI``
reads (the AWS CLI sends ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` as ``Authorization``).

Being "inside" the instance is proven by its connect token (``instance_connect``) or an IMDSv2
token obtained with it. The credentials are a real role session (``sts.issue_service_role_
credentials``: the role's trust policy must trust ec2.amazonaws.com), named after the instance,
served again until less than five minutes remain, then rotated. They end when the instance
stops or terminates or loses its role (the services that do so revoke the sessions).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts import crypto
from accounts.errors import AccessDenied
from accounts.models import TemporaryCredential
from accounts.services import sts

from .. import catalog, ids, shapes, states
from ..models import Instance, InstanceRoleCredential
from . import access
from .instance_connect import instance_for_token, run_of

EC2_SERVICE = "ec2.amazonaws.com"
ROTATE_BEFORE = timedelta(minutes=5)
TOKEN_TTL_MAX = 21600
_TOKEN_SALT = "ec2.imds-token"
TROUBLESHOOT = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html"
    "#troubleshoot_roles_ec2-cannot-assume-role"
)


def _text(status: int, body: str, **kw) -> shapes.MetadataResponse:
    return shapes.MetadataResponse(status, body, **kw)


UNAUTHORIZED = _text(401, "Unauthorized")
NOT_FOUND = _text(404, "Not Found")


def _aws_json(document: dict) -> str:
    """JSON laid out as the metadata service lays it out (``"Key" : "value"``)."""
    return json.dumps(document, indent=2, separators=(",", " : "))


def _iso(when) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instance(instance_id: str):
    if not ids.is_instance_id(instance_id):
        return None
    return (
        Instance.objects.select_related("iam_instance_profile_association__instance_profile")
        .prefetch_related("tags", "iam_instance_profile_association__instance_profile__roles")
        .filter(instance_id=instance_id)
        .first()
    )


def _unreachable(row) -> shapes.MetadataResponse | None:
    """Why the instance's metadata service does not answer now (None: it does)."""
    state = access.state_of(row)
    if state != states.RUNNING:
        return _text(503, f"The instance {row.instance_id} is {state}: its metadata service is not running.")
    if row.http_endpoint != "enabled":
        return _text(
            403, "The instance metadata service is turned off for this instance (HttpEndpoint: disabled)."
        )
    return None


# --- the IMDSv2 handshake ---------------------------------------------------------------------


def put_token(
    instance_id: str, *, connect_token: str | None, ttl_seconds: str | None, forwarded_for: bool = False
) -> shapes.MetadataResponse:
    """``PUT /latest/api/token``: a session token for ``ttl_seconds`` (1–21600)."""
    if forwarded_for:  # IMDS refuses a PUT that passed through a proxy
        return _text(403, "Forbidden")
    row = instance_for_token(connect_token, instance_id) if connect_token else None
    if row is None or _instance(instance_id) is None:
        return UNAUTHORIZED
    closed = _unreachable(row)
    if closed is not None:
        return closed
    try:
        ttl = int(ttl_seconds or "")
    except ValueError:
        return _text(400, "Bad Request")
    if not 1 <= ttl <= TOKEN_TTL_MAX:
        return _text(400, "Bad Request")
    token = signing.dumps(
        {"i": row.instance_id, "r": run_of(row), "e": int(time.time()) + ttl}, salt=_TOKEN_SALT
    )
    return _text(200, token, headers=(("X-aws-ec2-metadata-token-ttl-seconds", str(ttl)),))


def _row_for_session_token(token: str, instance_id: str):
    try:
        data = signing.loads(token, salt=_TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("i") != instance_id or data.get("e", 0) <= time.time():
        return None
    row = _instance(instance_id)
    if row is None or data.get("r") != run_of(row):
        return None
    return row


def _caller_instance(instance_id: str, connect_token: str | None, session_token: str | None):
    """The instance a GET may read, or the refusal: an IMDSv2 session token always opens it;
    the connect token alone only while the instance does not require IMDSv2."""
    if session_token is not None:
        row = _row_for_session_token(session_token, instance_id)
        return (row, None) if row is not None else (None, UNAUTHORIZED)
    if connect_token:
        row = instance_for_token(connect_token, instance_id)
        if row is not None:
            row = _instance(instance_id)
        if row is None or row.http_tokens == "required":
            return None, UNAUTHORIZED
        return row, None
    return None, UNAUTHORIZED


# --- the role's credentials ---------------------------------------------------------------------


def role_credentials(row) -> tuple[str, dict]:
    """``(role name, document)``: the instance's role credentials (issued, served again, or
    rotated when less than five minutes remain) as the metadata service shows them, or its
    error document (``AssumeRoleUnauthorizedAccess`` when the role does not trust EC2).
    ``("", {})`` when the instance has no role."""
    profile = access.profile_shape(row)
    if profile is None or not profile.role_name:
        return "", {}
    now = timezone.now()
    with transaction.atomic():
        Instance.objects.select_for_update().filter(pk=row.pk).first()  # one issuer at a time
        current = (
            InstanceRoleCredential.objects.select_related("credential__role")
            .filter(instance_id=row.pk)
            .first()
        )
        if (
            current is not None
            and current.credential.role.arn == profile.role_arn
            and current.credential.expires_at - now > ROTATE_BEFORE
        ):
            credential, token, issued = (
                current.credential,
                crypto.decrypt(current.token_encrypted),
                current.issued_at,
            )
        else:
            try:
                assumed = sts.issue_service_role_credentials(
                    role_arn=profile.role_arn,
                    service=EC2_SERVICE,
                    session_name=row.instance_id,
                    source_arn=row.arn,
                    source_region=row.region,
                )
            except AccessDenied:
                return profile.role_name, {
                    "Code": "AssumeRoleUnauthorizedAccess",
                    "Message": f"EC2 cannot assume the role {profile.role_name}.  Please see documentation at {TROUBLESHOOT}.",
                    "LastUpdated": _iso(now),
                }
            credential = TemporaryCredential.objects.get(access_key_id=assumed.credentials.access_key_id)
            token, issued = assumed.credentials.session_token, now
            InstanceRoleCredential.objects.update_or_create(
                instance_id=row.pk,
                defaults={
                    "credential": credential,
                    "token_encrypted": crypto.encrypt(token),
                    "issued_at": now,
                },
            )
    return profile.role_name, {
        "Code": "Success",
        "LastUpdated": _iso(issued),
        "Type": "AWS-HMAC",
        "AccessKeyId": credential.access_key_id,
        "SecretAccessKey": credential.secret,
        "Token": token,
        "Expiration": _iso(credential.expires_at),
        "RoleArn": profile.role_arn,
    }


def _credentials_document(row) -> str | None:
    role, document = role_credentials(row)
    if not role:
        return None
    document = {k: v for k, v in document.items() if k != "RoleArn"}
    return _aws_json(document)


def _iam_info(row) -> str | None:
    profile = access.profile_shape(row)
    if profile is None:
        return None
    return _aws_json(
        {
            "Code": "Success",
            "LastUpdated": _iso(row.iam_instance_profile_association.created_at),
            "InstanceProfileArn": profile.arn,
            "InstanceProfileId": profile.id,
        }
    )


def _identity_document(row) -> str:
    image = catalog.image(row.image_id)
    return _aws_json(
        {
            "accountId": row.account_id,
            "architecture": image.architecture if image else "x86_64",
            "availabilityZone": row.availability_zone,
            "billingProducts": None,
            "devpayProductCodes": None,
            "marketplaceProductCodes": None,
            "imageId": row.image_id,
            "instanceId": row.instance_id,
            "instanceType": row.instance_type,
            "kernelId": None,
            "pendingTime": _iso(row.launch_time),
            "privateIp": row.private_ip,
            "ramdiskId": None,
            "region": row.region,
            "version": "2017-09-30",
        }
    )


# --- GET ---------------------------------------------------------------------------------------

_TOP = ["dynamic", "meta-data"]
_META_DATA = [
    "ami-id",
    "ami-launch-index",
    "hostname",
    "iam/",
    "instance-action",
    "instance-id",
    "instance-life-cycle",
    "instance-type",
    "local-hostname",
    "local-ipv4",
    "placement/",
    "public-hostname",
    "public-ipv4",
    "reservation-id",
    "security-groups",
]


def _meta_data(row, path: str) -> str | None:
    """The text of ``meta-data/<path>`` (no trailing slash), or None (404)."""
    ip = row.private_ip
    public = ids.public_ip(row.instance_id)
    simple = {
        "": "\n".join(item for item in _META_DATA if item != "iam/" or access.profile_shape(row) is not None),
        "ami-id": row.image_id,
        "ami-launch-index": str(row.ami_launch_index),
        "hostname": ids.private_dns_name(ip, row.region),
        "instance-action": "none",
        "instance-id": row.instance_id,
        "instance-life-cycle": "on-demand",
        "instance-type": row.instance_type,
        "local-hostname": ids.private_dns_name(ip, row.region),
        "local-ipv4": ip,
        "placement": "availability-zone\nregion",
        "placement/availability-zone": row.availability_zone,
        "placement/region": row.region,
        "public-hostname": ids.public_dns_name(public, row.region),
        "public-ipv4": public,
        "reservation-id": row.reservation_id,
        "security-groups": "default",
    }
    if path in simple:
        return simple[path]
    if path == "iam":
        return "info\nsecurity-credentials/" if access.profile_shape(row) is not None else None
    if path == "iam/info":
        return _iam_info(row)
    if path.startswith("iam/security-credentials"):
        profile = access.profile_shape(row)
        if profile is None or not profile.role_name:
            return None
        if path == "iam/security-credentials":
            return profile.role_name
        if path == f"iam/security-credentials/{profile.role_name}":
            return _credentials_document(row)
    return None


def get(
    instance_id: str, path: str, *, connect_token: str | None = None, session_token: str | None = None
) -> shapes.MetadataResponse:
    """``GET /latest/<path>`` of the instance's metadata service."""
    row, refused = _caller_instance(instance_id, connect_token, session_token)
    if refused is not None:
        return refused
    closed = _unreachable(row)
    if closed is not None:
        return closed
    path = path.strip("/")
    if path == "":
        return _text(200, "\n".join(_TOP))
    if path == "dynamic":
        return _text(200, "instance-identity/")
    if path == "dynamic/instance-identity":
        return _text(200, "document")
    if path == "dynamic/instance-identity/document":
        return _text(200, _identity_document(row))
    if path == "meta-data" or path.startswith("meta-data/"):
        body = _meta_data(row, path[len("meta-data/") :] if "/" in path else "")
        return _text(200, body) if body is not None else NOT_FOUND
    return NOT_FOUND


def container_credentials(instance_id: str, *, authorization: str | None) -> shapes.MetadataResponse:
    """The instance role's credentials in the container-credentials form (``AccessKeyId``,
    ``SecretAccessKey``, ``Token``, ``Expiration``, ``RoleArn``), for the connect token."""
    row = instance_for_token(authorization, instance_id) if authorization else None
    if row is None:
        return _text(401, json.dumps({"code": "Unauthorized", "message": "Connect to the instance first."}))
    row = _instance(instance_id)
    closed = _unreachable(row)
    if closed is not None:
        return _text(closed.status, json.dumps({"code": "Unavailable", "message": closed.body}))
    role, document = role_credentials(row)
    if not role:
        return _text(404, json.dumps({"code": "NotFound", "message": "The instance has no IAM role."}))
    if document.get("Code") != "Success":
        return _text(403, json.dumps({"code": document["Code"], "message": document["Message"]}))
    keys = ("AccessKeyId", "Expiration", "RoleArn", "SecretAccessKey", "Token")
    return _text(200, json.dumps({k: document[k] for k in keys}), content_type="application/json")

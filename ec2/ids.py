"""EC2's resource IDs and the facts derived from an instance ID (addresses, host names).

IDs are a prefix and 17 lower-case hex digits (``i-0123456789abcdef0``); EC2 still accepts the
older 8-digit form as well-formed. Pure Python.
"""

from __future__ import annotations

import hashlib
import re
import secrets

INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
ASSOCIATION_ID = re.compile(r"iip-assoc-(?:[0-9a-f]{8}|[0-9a-f]{17})")
IMAGE_ID = re.compile(r"ami-(?:[0-9a-f]{8}|[0-9a-f]{17})")


def new_id(prefix: str) -> str:
    """``prefix-`` and 17 random hex digits."""
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def is_instance_id(value: str) -> bool:
    return isinstance(value, str) and INSTANCE_ID.fullmatch(value) is not None


def is_association_id(value: str) -> bool:
    return isinstance(value, str) and ASSOCIATION_ID.fullmatch(value) is not None


def is_image_id(value: str) -> bool:
    return isinstance(value, str) and IMAGE_ID.fullmatch(value) is not None


def _digest(instance_id: str) -> bytes:
    return hashlib.sha256(instance_id.encode()).digest()


def private_ip(instance_id: str) -> str:
    """An address in the default VPC's 172.31.0.0/16, fixed for the instance."""
    d = _digest(instance_id)
    return f"172.31.{d[0] % 64 + (d[1] % 4) * 64}.{d[2] % 250 + 4}"


def public_ip(instance_id: str) -> str:
    """An address of TEST-NET-3 (203.0.113.0/24, reserved for documentation): plainly not real."""
    return f"203.0.113.{_digest(instance_id)[3] % 250 + 4}"


def private_dns_name(ip: str, region: str) -> str:
    domain = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    return f"ip-{ip.replace('.', '-')}.{domain}"


def public_dns_name(ip: str, region: str) -> str:
    domain = "compute-1.amazonaws.com" if region == "us-east-1" else f"{region}.compute.amazonaws.com"
    return f"ec2-{ip.replace('.', '-')}.{domain}"


def instance_arn(region: str, account_id: str, instance_id: str) -> str:
    return f"arn:aws:ec2:{region}:{account_id}:instance/{instance_id}"


def image_arn(region: str, image_id: str) -> str:
    """An Amazon-owned AMI's ARN (no account in it)."""
    return f"arn:aws:ec2:{region}::image/{image_id}"

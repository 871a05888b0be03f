"""S3's rules for general purpose bucket names, object keys and regions (pure Python).

Bucket names (Amazon S3 User Guide, "General purpose bucket naming rules"): 3 to 63
characters; lowercase letters, numbers, periods and hyphens; a letter or number first and
last; no two adjacent periods; not formatted as an IP address; not starting with ``xn--``,
``sthree-`` or ``amzn-s3-demo-``; not ending with ``-s3alias``, ``--ol-s3``, ``.mrap``,
``--x-s3`` or ``--table-s3``. :func:`bucket_name_problem` says which rule a name breaks in
the console's words; the API answers any of them ``InvalidBucketName``.

Object keys: 1 to 1,024 bytes of UTF-8.
"""

from __future__ import annotations

import ipaddress
import re

BUCKET_CHARS = re.compile(r"[a-z0-9.-]*")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
KEY_MAX_BYTES = 1024


def gettext_noop(text: str) -> str:
    """Marks a Region's name for ``makemessages`` (one of Django's keywords) without importing
    Django: the console's Create bucket form shows it in the learner's language."""
    return text


# The Regions of the demo world (AWS's commercial Regions); us-east-1 is S3's "US Standard",
# which GetBucketLocation answers with an empty LocationConstraint.
REGIONS = {
    "us-east-1": gettext_noop("US East (N. Virginia)"),
    "us-east-2": gettext_noop("US East (Ohio)"),
    "us-west-1": gettext_noop("US West (N. California)"),
    "us-west-2": gettext_noop("US West (Oregon)"),
    "af-south-1": gettext_noop("Africa (Cape Town)"),
    "ap-east-1": gettext_noop("Asia Pacific (Hong Kong)"),
    "ap-south-1": gettext_noop("Asia Pacific (Mumbai)"),
    "ap-south-2": gettext_noop("Asia Pacific (Hyderabad)"),
    "ap-northeast-1": gettext_noop("Asia Pacific (Tokyo)"),
    "ap-northeast-2": gettext_noop("Asia Pacific (Seoul)"),
    "ap-northeast-3": gettext_noop("Asia Pacific (Osaka)"),
    "ap-southeast-1": gettext_noop("Asia Pacific (Singapore)"),
    "ap-southeast-2": gettext_noop("Asia Pacific (Sydney)"),
    "ap-southeast-3": gettext_noop("Asia Pacific (Jakarta)"),
    "ap-southeast-4": gettext_noop("Asia Pacific (Melbourne)"),
    "ca-central-1": gettext_noop("Canada (Central)"),
    "ca-west-1": gettext_noop("Canada West (Calgary)"),
    "eu-central-1": gettext_noop("Europe (Frankfurt)"),
    "eu-central-2": gettext_noop("Europe (Zurich)"),
    "eu-west-1": gettext_noop("Europe (Ireland)"),
    "eu-west-2": gettext_noop("Europe (London)"),
    "eu-west-3": gettext_noop("Europe (Paris)"),
    "eu-south-1": gettext_noop("Europe (Milan)"),
    "eu-south-2": gettext_noop("Europe (Spain)"),
    "eu-north-1": gettext_noop("Europe (Stockholm)"),
    "il-central-1": gettext_noop("Israel (Tel Aviv)"),
    "me-south-1": gettext_noop("Middle East (Bahrain)"),
    "me-central-1": gettext_noop("Middle East (UAE)"),
    "sa-east-1": gettext_noop("South America (São Paulo)"),
}
DEFAULT_REGION = "ap-northeast-2"
# AWS's older name for us-east-1 in LocationConstraint, and eu-west-1's.
LOCATION_ALIASES = {"EU": "eu-west-1"}


def bucket_name_problem(name: str) -> str | None:
    """The rule ``name`` breaks, in the S3 console's words, or None for a valid name."""
    if not 3 <= len(name) <= 63:
        return "Bucket name must be between 3 and 63 characters long."
    if name != name.lower() and BUCKET_CHARS.fullmatch(name.lower()):
        return "Bucket name must not contain uppercase characters."
    if not BUCKET_CHARS.fullmatch(name):
        return "Bucket name can consist only of lowercase letters, numbers, periods (.), and hyphens (-)."
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "Bucket name must begin and end with a letter or number."
    if ".." in name:
        return "Bucket name must not contain two adjacent periods."
    if _is_ip_address(name):
        return "Bucket name must not be formatted as an IP address (for example, 192.168.5.4)."
    for prefix in RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f'Bucket name must not start with the prefix "{prefix}".'
    for suffix in RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f'Bucket name must not end with the suffix "{suffix}".'
    return None


def _is_ip_address(name: str) -> bool:
    if not re.fullmatch(r"[0-9.]+", name):
        return False
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def is_valid_bucket_name(name: str) -> bool:
    return isinstance(name, str) and bucket_name_problem(name) is None


def key_bytes(key: str) -> bytes:
    """A key as S3 stores and orders it: its UTF-8 bytes (a lone surrogate cannot be one)."""
    return key.encode("utf-8")


def key_problem(key: str) -> str | None:
    if not key:
        return "empty"
    try:
        data = key_bytes(key)
    except UnicodeEncodeError:
        return "invalid"
    if len(data) > KEY_MAX_BYTES:
        return "too-long"
    return None


def successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string that starts with ``prefix`` (None:
    there is none, the prefix is empty or all 0xFF)."""
    data = bytearray(prefix)
    while data and data[-1] == 0xFF:
        data.pop()
    if not data:
        return None
    data[-1] += 1
    return bytes(data)

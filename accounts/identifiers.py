"""AWS identifiers and name rules: account IDs, unique IDs, ARNs, entity names and paths.

Pure Python (no Django), so the API, the services and the forms share one definition.
"""

import re
import secrets

from .errors import ValidationError

# Base32 alphabet, as AWS's unique IDs use (e.g. AIDAJQABLZS4A3QDU576Q).
UNIQUE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
UNIQUE_ID_PREFIXES = {
    "user": "AIDA",
    "group": "AGPA",
    "role": "AROA",
    "policy": "ANPA",
    "instance_profile": "AIPA",
    "access_key": "AKIA",
}

NAME_CHARS = re.compile(r"^[\w+=,.@-]+$", re.ASCII)
PATH_RE = re.compile(r"^(/|/[\u0021-\u007E]+/)$")
ALIAS_RE = re.compile(r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")

NAME_LIMITS = {"user": 64, "group": 128, "role": 64, "policy": 128, "instance_profile": 128}
NAME_LABELS = {
    "user": "user name",
    "group": "group name",
    "role": "role name",
    "policy": "policy name",
    "instance_profile": "instance profile name",
}
ARN_MAX = 2048
# AWS's ARN pattern allows no control character but tab, LF and CR (and PostgreSQL no NUL).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
VERSION_ID_RE = re.compile(r"^v[1-9][0-9]{0,8}$")
ACCESS_KEY_ID_RE = re.compile(r"^\w{16,128}$", re.ASCII)


def new_account_id() -> str:
    """A random 12-digit account ID; a string, since it may start with 0."""
    return f"{secrets.randbelow(10**12):012d}"


def new_unique_id(kind: str) -> str:
    """A 21-character AWS unique ID with the prefix of ``kind`` (AIDA…, AGPA…)."""
    body = "".join(secrets.choice(UNIQUE_ID_ALPHABET) for _ in range(17))
    return UNIQUE_ID_PREFIXES[kind] + body


def dashed_account_id(account_id: str) -> str:
    """``123456789012`` → ``1234-5678-9012`` as the console's account menu shows it."""
    return f"{account_id[0:4]}-{account_id[4:8]}-{account_id[8:12]}"


def iam_arn(account_id: str, resource_type: str, path: str = "/", name: str = "") -> str:
    """``arn:aws:iam::123456789012:user/path/name``; ``root`` for the account's root user."""
    if resource_type == "root":
        return f"arn:aws:iam::{account_id}:root"
    return f"arn:aws:iam::{account_id}:{resource_type}{path}{name}"


def validate_name(kind: str, name: str) -> str:
    """Check an IAM entity name with AWS's rules; returns it, raises ValidationError."""
    limit = NAME_LIMITS[kind]
    label = NAME_LABELS[kind]
    if not name:
        raise ValidationError(f"The {label} must not be empty.")
    if len(name) > limit:
        raise ValidationError(f"The {label} must be {limit} characters or fewer (it has {len(name)}).")
    if not NAME_CHARS.match(name):
        raise ValidationError(
            f"The {label} contains invalid characters. Valid characters: "
            "A-Z, a-z, 0-9, and + = , . @ _ - (hyphen)."
        )
    return name


def could_name(kind: str, name: str) -> bool:
    """Whether ``name`` keeps AWS's name rules for ``kind``. One that does not names nothing,
    so a lookup answers NoSuchEntity without a query (a NUL byte breaks PostgreSQL's, a
    100,000-character LIKE pattern SQLite's)."""
    return 0 < len(name) <= NAME_LIMITS[kind] and NAME_CHARS.match(name) is not None


def name_key(kind: str, name: str) -> str | None:
    """The one form in which a name is compared: lookups, uniqueness (the constraints index
    ``Lower(name)``) and the sign-in throttle's keys all use it. AWS's names are ASCII, so this
    is ASCII case folding, the same in Python, SQLite and PostgreSQL; a name outside AWS's rules
    names nobody (None). Unicode folding would let ``alıce`` (dotless ı: PostgreSQL's
    ``UPPER`` makes it ``ALICE``) reach ``alice``."""
    return name.lower() if could_name(kind, name) else None


EMAIL_MAX = 254


def email_key(email: str) -> str | None:
    """A root user's email address as it is compared (the same reason as ``name_key``): ASCII
    only, case folded, surrounding white space ignored; anything else names nobody (None)."""
    value = (email or "").strip()
    if not value or len(value) > EMAIL_MAX or not value.isascii() or CONTROL_CHARS.search(value):
        return None
    return value.lower()


def could_be_arn(value: str) -> bool:
    """Whether ``value`` has an ARN's shape (the same reason as ``could_name``)."""
    return value.startswith("arn:") and len(value) <= ARN_MAX and not CONTROL_CHARS.search(value)


def could_be_version_id(value: str) -> bool:
    """``v1``, ``v2``… (AWS's policy version IDs)."""
    return VERSION_ID_RE.match(value) is not None


def could_be_access_key_id(value: str) -> bool:
    return ACCESS_KEY_ID_RE.match(value) is not None


def validate_path(path: str) -> str:
    """Check an IAM path (``/`` or ``/division/team/``); returns it, raises ValidationError."""
    if not path:
        return "/"
    if len(path) > 512 or not PATH_RE.match(path) or "//" in path:
        raise ValidationError(
            "The path must begin and end with a forward slash (/) and contain only "
            "printable ASCII characters, up to 512 characters."
        )
    return path


def validate_account_alias(alias: str) -> str:
    """Check an account alias with AWS's rule; returns it, raises ValidationError."""
    if not 3 <= len(alias) <= 63:
        raise ValidationError("The account alias must be between 3 and 63 characters long.")
    if alias.isdigit():
        raise ValidationError("The account alias cannot consist of digits only.")
    if not ALIAS_RE.match(alias):
        raise ValidationError(
            "The account alias can contain only lowercase letters, digits and hyphens; "
            "it cannot start or end with a hyphen or contain two hyphens in a row."
        )
    return alias

"""TOTP maths for virtual MFA devices (RFC 6238: SHA1, 30-second steps, 6 digits).

Pure Python on pyotp, no Django: the device model keeps the security state (the last
accepted time step) and refuses replays; this module only computes and compares codes.
"""

import base64
import hmac
import re
import secrets
import time
from urllib.parse import quote, urlencode

import pyotp

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
CODE_RE = re.compile(r"^[0-9]{6}$")  # ASCII digits only: \d would take ١٢٣ too


def new_secret() -> str:
    """A fresh base32 seed of 160 bits from a CSPRNG (32 characters, no padding)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode()


def time_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def is_well_formed(code: str) -> bool:
    return bool(CODE_RE.match(code or ""))


def find_step(secret: str, code: str, around: int, *, before: int = 1, after: int = 1) -> int | None:
    """The time step in ``[around-before, around+after]`` whose code is ``code``, else None.

    Compares in constant time; checks the newest steps first.
    """
    if not is_well_formed(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    found = None
    for step in range(around + after, around - before - 1, -1):
        if hmac.compare_digest(totp.generate_otp(step), code) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, device_name: str, account_label: str, issuer: str) -> str:
    """AWS's form: ``otpauth://totp/<device>@<account>?secret=…&issuer=…``."""
    label = quote(f"{device_name}@{account_label}", safe="@")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer})

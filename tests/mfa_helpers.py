"""Helpers for tests that need TOTP codes: computed with pyotp, as an authenticator app would."""

import pyotp

from accounts import totp


def code(secret: str, step_offset: int = 0, *, at: float | None = None) -> str:
    return pyotp.TOTP(secret).generate_otp(totp.time_step(at) + step_offset)


def consecutive(secret: str, *, at: float | None = None) -> tuple[str, str]:
    """Two consecutive codes ending at the current step, as AWS's enrolment asks."""
    return code(secret, -1, at=at), code(secret, 0, at=at)

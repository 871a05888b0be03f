"""Sign-in protection: count failures per identity and per client IP, refuse past the limit.

Failures live in the database so that every server process shares them. A lockout cools
off by itself when the window passes (an attacker cannot lock a user out for good), and a
correct sign-in clears only the failures of that identity from that IP.
"""

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..errors import Throttled
from ..models import SignInFailure
from .base import record_event

log = logging.getLogger("iamconsole.signin")


def identity_key_for(identity) -> str:
    if identity.is_root:
        return f"root:{(identity.email or '').lower()}"
    return f"iam:{identity.account.account_id}:{identity.name.lower()}"


def typed_identity_key(*, account=None, account_text="", user_name="", root_email="") -> str:
    """The throttle key for what the caller typed (the same as ``identity_key_for`` when it exists)."""
    if root_email:
        return f"root:{root_email.strip().lower()}"
    account_part = account.account_id if account is not None else account_text.strip().lower()
    return f"iam:{account_part}:{user_name.strip().lower()}"


def _window_start():
    return timezone.now() - timedelta(seconds=settings.SIGNIN_THROTTLE_WINDOW_SECONDS)


def _retry_after(qs, limit) -> int | None:
    """Seconds until ``qs`` (failures in the window) falls below ``limit``, or None if it is below."""
    recent = list(qs.filter(at__gte=_window_start()).order_by("-at").values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return None
    unlock = recent[-1] + timedelta(seconds=settings.SIGNIN_THROTTLE_WINDOW_SECONDS)
    return max(1, math.ceil((unlock - timezone.now()).total_seconds()))


def check(identity_key: str, source_ip: str | None) -> None:
    """Raise Throttled when this identity or this IP has failed too often lately."""
    waits = [
        _retry_after(
            SignInFailure.objects.filter(identity_key=identity_key), settings.SIGNIN_THROTTLE_IDENTITY_LIMIT
        )
    ]
    if source_ip:
        waits.append(
            _retry_after(SignInFailure.objects.filter(source_ip=source_ip), settings.SIGNIN_THROTTLE_IP_LIMIT)
        )
    wait = max((w for w in waits if w), default=None)
    if wait:
        minutes = math.ceil(wait / 60)
        raise Throttled(
            f"Too many failed sign-in attempts. Wait {minutes} minute{'s' if minutes != 1 else ''} and try again.",
            retry_after=wait,
        )


def record_failure(identity_key: str, source_ip: str | None, stage: str, *, account_id: str = "") -> None:
    """Count one failure; audit the lockout when this failure reaches a limit."""
    SignInFailure.objects.create(identity_key=identity_key, source_ip=source_ip, stage=stage)
    # Forget what no window can count any more.
    SignInFailure.objects.filter(at__lt=_window_start()).delete()
    window = SignInFailure.objects.filter(at__gte=_window_start())
    by_identity = window.filter(identity_key=identity_key).count()
    by_ip = window.filter(source_ip=source_ip).count() if source_ip else 0
    if by_identity == settings.SIGNIN_THROTTLE_IDENTITY_LIMIT or by_ip == settings.SIGNIN_THROTTLE_IP_LIMIT:
        scope = "identity" if by_identity == settings.SIGNIN_THROTTLE_IDENTITY_LIMIT else "source IP"
        log.warning("Sign-in locked out for %s (%s stage) by %s", identity_key, stage, scope)
        record_event(
            account_id=account_id,
            action="signin:Lockout",
            target=identity_key,
            result="Throttled",
            error_message=f"Too many failed {stage} attempts by {scope}",
            detail={"stage": stage, "scope": scope},
        )


def clear(identity_key: str, source_ip: str | None) -> None:
    """After a correct sign-in: forget this identity's failures from this IP only."""
    SignInFailure.objects.filter(identity_key=identity_key, source_ip=source_ip).delete()

"""Sign-in protection: reserve each attempt before the password or code is checked, count the
failures per bucket, refuse past a bucket's limit (HTTP 429) until its window cools off.

Buckets (ASVS 5.0 6.3.1, 4.0.3 2.2.1: anti-automation that avoids malicious lockout):

- **identity from one address** (``pair:``): ``SIGNIN_THROTTLE_IDENTITY_LIMIT`` (5) failures
  per ``SIGNIN_THROTTLE_WINDOW_SECONDS`` (15 min). The lock a password or MFA guesser meets.
  It is kept per source address on purpose: a stranger who types a user's name five times
  locks that user out of the stranger's address only, never from everywhere.
- **one address** (``source:``): ``SIGNIN_THROTTLE_IP_LIMIT`` (20) failures per window,
  whatever the names: credential stuffing across users. Behind a TLS proxy the address is the
  client's only when ``TRUSTED_PROXY_COUNT`` says how many proxies append to X-Forwarded-For
  (``accounts.network``); otherwise every client shares the proxy's bucket.
- **identity from all addresses** (``identity:``): ``SIGNIN_THROTTLE_IDENTITY_HOURLY_LIMIT``
  (100) failures per hour, ASVS's cap per account. Only a guesser spread over many addresses
  (at least limit ÷ 5 of them within the hour) reaches it; it then locks the identity
  everywhere, and cools off by itself like every bucket.
- **sign-up from one address** (``signup:``): ``SIGNUP_THROTTLE_LIMIT`` sign-ups per hour.

Each bucket is one ``SignInThrottle`` row whose window opens at its first counted attempt. An
attempt is *reserved* before the password is hashed or the code compared: in one short
transaction, one conditional ``UPDATE … WHERE failures < limit OR window passed`` per bucket
(taken in key order, so two attempts never wait on each other crosswise). Of N concurrent
guesses at most ``limit`` get a reservation; the rest are refused without a check. A correct
answer gives its reservation back (``succeeded``); a completed sign-in also clears its
identity-from-this-address bucket (``clear``). The rows live in the database so that every
server process shares them.

Identity keys use the one name normalization of the lookups and the uniqueness constraints
(``identifiers.name_key``/``email_key``: ASCII, case folded): ``iam:<account id>:<name>`` and
``root:<email>``. Text that names nobody (``alıce``, a password typed into the name field) is
counted under a digest, so it costs the same and reveals nothing.
"""

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from ..audit import record_event
from ..errors import Throttled
from ..identifiers import email_key, name_key
from ..models import SignInThrottle

log = logging.getLogger("iamconsole.signin")

ALIAS_MAX = 63


@dataclass(frozen=True)
class Bucket:
    key: str
    limit: int
    window: int  # seconds
    scope: str  # for the lockout's audit event


@dataclass(frozen=True)
class Reservation:
    """One reserved attempt: the buckets it counts in, and those it filled to their limit."""

    identity_key: str
    stage: str
    buckets: tuple[Bucket, ...]
    filled: tuple[Bucket, ...]


def _digest(text: str) -> str:
    return "!" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def root_key(email: str) -> str:
    key = email_key(email)
    return f"root:{key if key is not None else _digest(email.strip())}"


def iam_key(account_part: str, user_name: str) -> str:
    name = user_name.strip()
    key = name_key("user", name)
    return f"iam:{account_part}:{key if key is not None else _digest(name)}"


def identity_key_for(identity) -> str:
    if identity.is_root:
        return root_key(identity.email or "")
    return iam_key(identity.account_id, identity.name)


def typed_identity_key(*, account=None, account_text="", user_name="", root_email="") -> str:
    """The throttle key for what the caller typed (the same as ``identity_key_for`` when it
    names an identity): the account resolved to its ID, else the typed ID or alias."""
    if root_email:
        return root_key(root_email)
    if account is not None:
        account_part = account.account_id
    else:
        text = account_text.strip().lower()
        digits = text.replace("-", "")
        if len(digits) == 12 and digits.isascii() and digits.isdigit():
            account_part = digits
        elif text.isascii() and 0 < len(text) <= ALIAS_MAX and text.isprintable() and ":" not in text:
            account_part = text
        else:
            account_part = _digest(text)
    return iam_key(account_part, user_name)


def signin_buckets(identity_key: str, source_ip: str | None) -> list[Bucket]:
    window = settings.SIGNIN_THROTTLE_WINDOW_SECONDS
    buckets = [
        Bucket(
            f"pair:{identity_key}@{source_ip or '-'}",
            settings.SIGNIN_THROTTLE_IDENTITY_LIMIT,
            window,
            "identity from this address",
        ),
        Bucket(
            f"identity:{identity_key}",
            settings.SIGNIN_THROTTLE_IDENTITY_HOURLY_LIMIT,
            3600,
            "identity from all addresses",
        ),
    ]
    if source_ip:
        buckets.append(
            Bucket(f"source:{source_ip}", settings.SIGNIN_THROTTLE_IP_LIMIT, window, "source address")
        )
    return buckets


def _refusal(wait: int) -> Throttled:
    minutes = math.ceil(wait / 60)
    return Throttled(
        f"Too many failed sign-in attempts. Wait {minutes} minute{'s' if minutes != 1 else ''} and try again.",
        retry_after=wait,
    )


def _reserve(buckets: list[Bucket]) -> tuple[Bucket, ...]:
    """Count one attempt in every bucket, or in none (Throttled); returns the buckets this
    attempt filled to their limit."""
    now = timezone.now()
    buckets = sorted(buckets, key=lambda b: b.key)
    keys = [b.key for b in buckets]
    refused = []
    with transaction.atomic():
        SignInThrottle.objects.bulk_create(
            [SignInThrottle(key=key, failures=0, window_start=now) for key in keys], ignore_conflicts=True
        )
        for bucket in buckets:
            passed = now - timedelta(seconds=bucket.window)
            reserved = (
                SignInThrottle.objects.filter(Q(failures__lt=bucket.limit) | Q(window_start__lt=passed))
                .filter(key=bucket.key)
                .update(
                    failures=Case(
                        When(window_start__lt=passed, then=Value(1)),
                        default=F("failures") + 1,
                        output_field=models.PositiveIntegerField(),
                    ),
                    window_start=Case(
                        When(window_start__lt=passed, then=Value(now)),
                        default=F("window_start"),
                        output_field=models.DateTimeField(),
                    ),
                )
            )
            if not reserved:
                refused.append(bucket)
        rows = {
            key: (failures, start)
            for key, failures, start in SignInThrottle.objects.filter(key__in=keys).values_list(
                "key", "failures", "window_start"
            )
        }
        if refused:
            waits = [rows[b.key][1] + timedelta(seconds=b.window) - now for b in refused]
            raise _refusal(max(1, math.ceil(max(waits).total_seconds())))  # rolls the counts back
    return tuple(b for b in buckets if rows[b.key][0] == b.limit)


def reserve(identity_key: str, source_ip: str | None, stage: str) -> Reservation:
    """Reserve one sign-in attempt (``stage``: password, mfa, reauth, change_password) before
    checking it; raises Throttled when any bucket is full."""
    buckets = signin_buckets(identity_key, source_ip)
    filled = _reserve(buckets)
    return Reservation(identity_key, stage, tuple(buckets), filled)


def failed(reservation: Reservation, *, account_id: str = "") -> None:
    """The reserved attempt failed: it stays counted; audit the lockout it caused, if any."""
    for bucket in reservation.filled:
        log.warning(
            "Sign-in locked out for %s (%s stage) by %s",
            reservation.identity_key,
            reservation.stage,
            bucket.scope,
        )
        record_event(
            account_id=account_id,
            action="signin:Lockout",
            target=reservation.identity_key,
            result="Throttled",
            error_message=f"Too many failed {reservation.stage} attempts by {bucket.scope}",
            detail={"stage": reservation.stage, "scope": bucket.scope},
        )
    # Forget what no window can count any more.
    longest = max(settings.SIGNIN_THROTTLE_WINDOW_SECONDS, 3600)
    SignInThrottle.objects.filter(window_start__lt=timezone.now() - timedelta(seconds=longest)).delete()


def succeeded(reservation: Reservation) -> None:
    """The reserved attempt was right: give it back to every bucket."""
    SignInThrottle.objects.filter(key__in=[b.key for b in reservation.buckets], failures__gt=0).update(
        failures=F("failures") - 1
    )


def clear(identity_key: str, source_ip: str | None) -> None:
    """After a completed sign-in: forget this identity's failures from this address only."""
    SignInThrottle.objects.filter(key=f"pair:{identity_key}@{source_ip or '-'}").delete()


def reserve_signup(source_ip: str | None) -> None:
    """Count one sign-up from ``source_ip`` (every attempt counts); raises Throttled past
    ``SIGNUP_THROTTLE_LIMIT`` an hour."""
    bucket = Bucket(f"signup:{source_ip or '-'}", settings.SIGNUP_THROTTLE_LIMIT, 3600, "source address")
    try:
        _reserve([bucket])
    except Throttled as exc:
        raise Throttled(
            "Too many sign-up attempts from your network. Wait and try again later.",
            retry_after=exc.retry_after,
        ) from None

"""What every service function shares: the action wrapper, audit records and lookups.

``@iam_action("iam:CreateUser")`` runs the service inside one transaction, records a
``Success`` audit event in that transaction, and on an AWS error records the failure
(after the rollback, so it survives) and re-raises.

A console action that makes several IAM calls (create a user with a password and groups,
attach three policies) runs them in ``atomic_action()``: all or nothing, and the failure
events of the calls inside are written when that outer transaction has ended, so that its
rollback does not erase the record of what was refused.
"""

import functools
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction

from .. import context
from ..errors import IAMError
from ..models import AuditEvent

log = logging.getLogger("iamconsole.audit")


@dataclass
class ActionRecord:
    action: str
    actor: object | None
    target: str = ""
    detail: dict = field(default_factory=dict)


_record: ContextVar[ActionRecord | None] = ContextVar("iam_action_record", default=None)
_deferred: ContextVar[list[dict] | None] = ContextVar("iam_deferred_failures", default=None)


def current_record() -> ActionRecord | None:
    return _record.get()


def set_target(arn: str) -> None:
    """Name the resource the running action is about (the gate calls this)."""
    record = _record.get()
    if record is not None and not record.target:
        record.target = arn


def add_detail(**values) -> None:
    """Attach non-secret facts (names, flags) to the running action's audit event."""
    record = _record.get()
    if record is not None:
        record.detail.update(values)


def storable(value, limit: int | None = None):
    """``value`` as the audit trail can hold it, whatever the caller typed: NUL characters
    (PostgreSQL refuses them in text and JSON) written as ``\\x00``, lone surrogates (no
    UTF-8 database holds them) as ``\\udxxx``, text cut to ``limit``, and the same for the
    strings inside lists and dicts."""
    if isinstance(value, str):
        value = value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
        return value[:limit] if limit is not None else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def _max_length(field: str) -> int | None:
    return AuditEvent._meta.get_field(field).max_length


def record_event(*, actor=None, account_id="", action, target="", result, error_message="", detail=None):
    """Append one audit event; ``actor`` is an Identity or None (unknown caller).

    What the caller typed (a target, an error message echoing a name) is stored with
    ``storable``, so that no input makes the audit write itself fail."""
    if actor is not None:
        account_id = account_id or actor.account.account_id
        actor_arn = actor.arn
    else:
        actor_arn = ""
    ctx = context.current()
    return AuditEvent.objects.create(
        account_id=storable(account_id, _max_length("account_id")),
        actor_arn=storable(actor_arn, _max_length("actor_arn")),
        action=storable(action, _max_length("action")),
        target=storable(target, _max_length("target")),
        result=storable(result, _max_length("result")),
        error_message=storable(error_message),
        source_ip=ctx.source_ip,
        detail=storable(detail or {}),
    )


def record_failure(**event) -> None:
    """Record a failed action: now, or when the outermost ``atomic_action`` has ended."""
    pending = _deferred.get()
    if pending is None:
        record_event(**event)
    else:
        pending.append(event)


@contextmanager
def atomic_action():
    """One transaction for a console action; failure events survive its rollback."""
    if _deferred.get() is not None:
        with transaction.atomic():
            yield
        return
    pending: list[dict] = []
    token = _deferred.set(pending)
    try:
        with transaction.atomic():
            yield
    finally:
        _deferred.reset(token)
        for event in pending:
            try:
                # a savepoint: a failed write must not break the caller's transaction
                with transaction.atomic():
                    record_event(**event)
            except Exception:  # never hide the action's own outcome behind an audit write
                log.exception("could not record the failure of %s", event.get("action"))


def bump_authz_generation(actor) -> None:
    """Cached authorization data of the actor's account is stale from now on (same transaction)."""
    from django.db.models import F

    from ..models import Account

    Account.objects.filter(pk=actor.account_id).update(authz_generation=F("authz_generation") + 1)
    actor.account.authz_generation += 1


def iam_action(action: str):
    """Decorate a service function ``fn(actor, *, …)`` as the IAM action ``action``."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(actor, *args, **kwargs):
            record = ActionRecord(action=action, actor=actor)
            token = _record.set(record)
            try:
                with atomic_action():
                    result = fn(actor, *args, **kwargs)
                    record_event(
                        actor=actor,
                        action=action,
                        target=record.target,
                        result=AuditEvent.SUCCESS,
                        detail=record.detail,
                    )
                return result
            except IAMError as exc:
                record_failure(
                    actor=actor,
                    action=action,
                    target=record.target,
                    result=exc.code,
                    error_message=exc.message,
                    detail=record.detail,
                )
                raise
            finally:
                _record.reset(token)

        wrapper.iam_action = action
        return wrapper

    return decorate

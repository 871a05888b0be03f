"""The audit trail's writer: one event per IAM action, sign-in step or refusal.

This module sits below the gate and the services (it imports only the models, the call
context and ``rawsql``, which writes each event in one INSERT): the gate records a page's own refusal here, and ``services.base.iam_action``
records every action's outcome.

A console action that makes several IAM calls (create a user with a password and groups,
attach three policies) runs them in ``atomic_action()``: all or nothing, and the failure
events of the calls inside are written when that outer transaction has ended, so that its
rollback does not erase the record of what was refused.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

from django.db import transaction

from . import context, rawsql
from .models import AuditEvent

log = logging.getLogger("iamconsole.audit")

SUCCESS = AuditEvent.SUCCESS


@dataclass
class ActionRecord:
    """The IAM action running now: what the audit event of its outcome will say."""

    action: str
    actor: object | None
    target: str = ""
    detail: dict = field(default_factory=dict)


_record: ContextVar[ActionRecord | None] = ContextVar("iam_action_record", default=None)
_deferred: ContextVar[list[dict] | None] = ContextVar("iam_deferred_failures", default=None)


def current_record() -> ActionRecord | None:
    return _record.get()


def begin(record: ActionRecord):
    """Make ``record`` the running action; returns a token for ``end``."""
    return _record.set(record)


def end(token) -> None:
    _record.reset(token)


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


@cache
def _max_length(name: str) -> int | None:
    return AuditEvent._meta.get_field(name).max_length


def record_event(*, actor=None, account_id="", action, target="", result, error_message="", detail=None):
    """Append one audit event. ``actor`` is a Principal or an Identity (anything with ``arn``
    and ``account_id``; a role session also names its ``source_arn``), or None (unknown caller).

    What the caller typed (a target, an error message echoing a name) is stored with
    ``storable``, so that no input makes the audit write itself fail."""
    actor_arn = source_arn = ""
    if actor is not None:
        account_id = account_id or actor.account_id
        actor_arn = actor.arn
        source_arn = getattr(actor, "source_arn", "") or ""
    ctx = context.current()
    event = AuditEvent(
        account_id=storable(account_id, _max_length("account_id")),
        actor_arn=storable(actor_arn, _max_length("actor_arn")),
        source_arn=storable(source_arn, _max_length("source_arn")),
        action=storable(action, _max_length("action")),
        target=storable(target, _max_length("target")),
        result=storable(result, _max_length("result")),
        error_message=storable(error_message),
        source_ip=ctx.source_ip,
        detail=storable(detail or {}),
    )
    # one INSERT written once (every API call that changes something writes one of these:
    # the ORM's compiler cost more than the INSERT itself)
    return rawsql.insert(event)


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

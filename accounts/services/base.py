"""What every service function shares: the action wrappers and the authorization generation.

``@iam_action("iam:CreateUser")`` makes ``fn(actor, *, …)`` the IAM action: the actor (a
Principal, or an Identity converted to one) is checked by the gate inside the function, the
function runs inside one transaction, a ``Success`` audit event is written in that
transaction, and on an AWS error the failure is recorded (after the rollback, so that it
survives) and re-raised.

``prepare=fn`` runs ``fn(actor, **kwargs)`` before the transaction and passes the keywords it
returns on to the action: slow work (a password hash takes ~350 ms) that must not hold a lock
or, on SQLite, the database's one write lock. Its AWS errors are audited as the action's.

``@iam_read("iam:GetUser")`` marks a read-only action (Get*, List*, Simulate*): it runs without
a transaction and its *refusals and errors* are recorded like any action's, but a successful
read writes no row. AWS records reads as read-only management events; here they would be
most of the trail (a page view reads several things) and every one a write on the database
(on SQLite, the one write lock), so successful reads only go to the ``iamconsole.audit.read``
log at DEBUG level. The event history keeps every change and every refusal.
"""

import functools
import logging

from django.db.models import F

from ..audit import ActionRecord, atomic_action, begin, end, record_event, record_failure
from ..errors import IAMError
from ..models import Account
from ..principals import as_principal

SUCCESS = "Success"
read_log = logging.getLogger("iamconsole.audit.read")


def bump_authz_generation(actor) -> None:
    """Cached authorization data of the actor's account is stale from now on (same transaction)."""
    Account.objects.filter(pk=actor.account_id).update(authz_generation=F("authz_generation") + 1)
    actor.authz_generation += 1


def iam_action(action: str, *, prepare=None):
    """Decorate a service function ``fn(actor, *, …)`` as the IAM action ``action`` (see the
    module docstring for ``prepare``)."""

    def decorate(fn):
        def attempt(actor, args, kwargs, record):
            with atomic_action():
                result = fn(actor, *args, **kwargs)
                record_event(
                    actor=actor,
                    action=action,
                    target=record.target,
                    result=SUCCESS,
                    detail=record.detail,
                )
            return result

        @functools.wraps(fn)
        def wrapper(actor, *args, **kwargs):
            actor = as_principal(actor)
            record = ActionRecord(action=action, actor=actor)
            token = begin(record)
            try:
                if prepare is not None:
                    kwargs = {**kwargs, **prepare(actor, *args, **kwargs)}
                return attempt(actor, args, kwargs, record)
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
                end(token)

        wrapper.iam_action = action
        return wrapper

    return decorate


def iam_read(action: str):
    """Decorate a read-only service ``fn(actor, *, …)`` named ``action`` (see the module
    docstring): failures are audited, successes logged only."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(actor, *args, **kwargs):
            actor = as_principal(actor)
            record = ActionRecord(action=action, actor=actor)
            token = begin(record)
            try:
                result = fn(actor, *args, **kwargs)
                read_log.debug("%s %s %s", actor.arn, action, record.target)
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
                end(token)

        wrapper.iam_action = action
        wrapper.read_only = True
        return wrapper

    return decorate

"""What every service function shares: the action wrappers and the authorization generation.

``@iam_action("iam:CreateUser")`` makes ``fn(actor, *, …)`` the IAM action: the actor (a
Principal, or an Identity converted to one) is checked by the gate inside the function, the
function runs inside one transaction, a ``Success`` audit event is written in that
transaction, and on an AWS error the failure is recorded (after the rollback, so that it
survives) and re-raised.

A race ends the way the single-threaded check does. A create whose name a concurrent create
took between the service's own check and its INSERT hits the database's uniqueness
constraint (IntegrityError; PostgreSQL makes the loser wait for the winner's commit): the
action runs once more, its check now sees the winner's row and raises the service's own
error (``EntityAlreadyExists`` with AWS's message), audited like any. A second IntegrityError
is answered ``ConcurrentModification``. Any other exception (a fault: a 500 or a 503) is
audited as ``ServiceFailure`` before it propagates.

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

import contextlib
import functools
import logging

from django.db import IntegrityError
from django.db.models import F

from ..audit import ActionRecord, atomic_action, begin, end, record_event, record_failure
from ..errors import ConcurrentModification, IAMError
from ..models import Account
from ..principals import as_principal

SUCCESS = "Success"
SERVICE_FAILURE = "ServiceFailure"
SERVICE_FAILURE_MESSAGE = (
    "The request processing has failed because of an unknown error, exception or failure."
)
CONCURRENT_MESSAGE = (
    "The request was rejected because multiple requests to change this object were submitted "
    "simultaneously. Wait a few minutes and submit your request again."
)
read_log = logging.getLogger("iamconsole.audit.read")
log = logging.getLogger("iamconsole.audit")


def _record_fault(actor, action: str, record: ActionRecord, exc: BaseException) -> None:
    """Audit an action that ended in a fault (not an AWS error); never hide the fault itself
    (the database may be what failed)."""
    try:
        record_failure(
            actor=actor,
            action=action,
            target=record.target,
            result=SERVICE_FAILURE,
            error_message=f"{SERVICE_FAILURE_MESSAGE} ({type(exc).__name__})",
            detail=record.detail,
        )
    except Exception:
        log.exception("could not record the fault of %s", action)
    with contextlib.suppress(AttributeError):
        exc.iam_audited = True  # the fault middleware writes no second row for it


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
                try:
                    return attempt(actor, args, kwargs, record)
                except IntegrityError:
                    # A concurrent request took the name (or removed a row this one refers
                    # to) after the check: run once more, and let the check answer.
                    try:
                        return attempt(actor, args, kwargs, record)
                    except IntegrityError:
                        raise ConcurrentModification(CONCURRENT_MESSAGE) from None
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
            except Exception as exc:
                _record_fault(actor, action, record, exc)
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
            except Exception as exc:
                _record_fault(actor, action, record, exc)
                raise
            finally:
                end(token)

        wrapper.iam_action = action
        wrapper.read_only = True
        return wrapper

    return decorate

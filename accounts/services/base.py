"""What every service function shares: the action wrapper and the authorization generation.

``@iam_action("iam:CreateUser")`` makes ``fn(actor, *, …)`` the IAM action: the actor (a
Principal, or an Identity converted to one) is checked by the gate inside the function, the
function runs inside one transaction, a ``Success`` audit event is written in that
transaction, and on an AWS error the failure is recorded (after the rollback, so that it
survives) and re-raised. ``@iam_read("iam:ListUsers")`` marks a read that is not audited.
"""

import functools

from django.db.models import F

from ..audit import ActionRecord, atomic_action, begin, end, record_event, record_failure
from ..errors import IAMError
from ..models import Account
from ..principals import as_principal

SUCCESS = "Success"


def bump_authz_generation(actor) -> None:
    """Cached authorization data of the actor's account is stale from now on (same transaction)."""
    Account.objects.filter(pk=actor.account_id).update(authz_generation=F("authz_generation") + 1)
    actor.authz_generation += 1


def iam_action(action: str):
    """Decorate a service function ``fn(actor, *, …)`` as the IAM action ``action``."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(actor, *args, **kwargs):
            actor = as_principal(actor)
            record = ActionRecord(action=action, actor=actor)
            token = begin(record)
            try:
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
    """Decorate a read ``fn(actor, *, …)`` named ``action``: the actor becomes a Principal; the
    gate still decides inside, and a refusal is audited by the gate; success is not audited."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(actor, *args, **kwargs):
            return fn(as_principal(actor), *args, **kwargs)

        wrapper.iam_action = action
        return wrapper

    return decorate

"""STS DecodeAuthorizationMessage for the encoded messages EC2's refusals carry.

Only EC2 encodes messages in this project, so the action lives here and the EC2 app
registers it with the STS API. As in AWS, the caller needs ``sts:DecodeAuthorizationMessage``
and can decode only a message of its own account.
"""

from __future__ import annotations

import json

from accounts import authz, crypto
from accounts.errors import AccessDenied, IAMError
from accounts.services.base import iam_read

ACTION = "sts:DecodeAuthorizationMessage"


class InvalidAuthorizationMessageException(IAMError):
    code = "InvalidAuthorizationMessageException"
    status = 400


INVALID = "The encoded authorization message is invalid or was not issued for this account."


@iam_read(ACTION)
def decode_authorization_message(actor, *, encoded_message: str) -> str:
    """The decision behind an UnauthorizedOperation, as JSON (AccessDenied without the
    permission; InvalidAuthorizationMessageException for a message that is not one of ours
    or is of another account)."""
    verdict = authz.decide(actor, ACTION, "*")
    if not verdict.allowed:
        raise AccessDenied(
            authz.denial_message(actor, ACTION, None, verdict.decision),
            decision=verdict.decision,
            considered=verdict.considered,
        )
    try:
        document = json.loads(crypto.decrypt(encoded_message))
    except Exception:  # noqa: BLE001 - any undecodable text is simply not a message of ours
        raise InvalidAuthorizationMessageException(INVALID) from None
    if not isinstance(document, dict) or document.pop("account", None) != actor.account_id:
        raise InvalidAuthorizationMessageException(INVALID)
    return json.dumps(document, separators=(",", ":"))

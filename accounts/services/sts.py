"""AWS STS: who am I (GetCallerIdentity), temporary credentials for a user (GetSessionToken,
with MFA), and role sessions (AssumeRole; the console's Switch role uses it too).

Temporary credentials are ``ASIA…`` key IDs with a secret (encrypted at rest) and a session
token (only its hash is kept) that expire; ``authentication.caller_for_access_key`` turns
them back into the Principal they act as.
"""

import base64
import hashlib
import json
import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .. import crypto, shapes
from ..audit import add_detail, set_target
from ..authz import decide_assume_role, denial_message
from ..errors import AccessDenied, PackedPolicyTooLarge, ValidationError
from ..identifiers import could_be_arn, could_name
from ..models import PolicyVersion, Role, TemporaryCredential
from ..principals import as_principal
from . import mfa as mfa_services
from .access_keys import new_access_key_id, new_secret_access_key
from .base import iam_action, iam_read
from .lookups import caller_identity
from .policies import validate_document

SESSION_TOKEN_DEFAULT = 43200
SESSION_TOKEN_ROOT_MAX = 3600
ASSUME_ROLE_DEFAULT = 3600
ROLE_CHAINING_MAX = 3600
PACKED_POLICY_LIMIT = 2048  # characters of the session policies together, compacted
SESSION_TOKEN_BYTES = 120

MFA_BOTH_REQUIRED = (
    "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
)
MFA_INVALID_SESSION_TOKEN = (
    "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is "
    "valid and associated with this user."
)
MFA_INVALID_ASSUME_ROLE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
NO_SESSION_CREDENTIALS = "Cannot call GetSessionToken with session credentials"
ROOT_CANNOT_ASSUME = "Roles may not be assumed by root accounts."
EXCEEDS_MAX_DURATION = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
EXCEEDS_CHAINING = (
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(*, account_id: str, kind: str, seconds: int, **fields) -> shapes.Credentials:
    """Store new temporary credentials; returns them (the only time secret and token are seen)."""
    secret = new_secret_access_key()
    token = base64.b64encode(secrets.token_bytes(SESSION_TOKEN_BYTES)).decode()
    row = TemporaryCredential.objects.create(
        account_id=account_id,
        kind=kind,
        access_key_id=new_access_key_id("ASIA"),
        secret_encrypted=crypto.encrypt(secret),
        session_token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(seconds=seconds),
        **fields,
    )
    add_detail(access_key_id=row.access_key_id, expiration=row.expires_at.isoformat())
    return shapes.Credentials(row.access_key_id, secret, token, row.expires_at)


@iam_read("sts:GetCallerIdentity")
def get_caller_identity(actor) -> shapes.CallerIdentity:
    """Who the credentials belong to; never denied, as in AWS."""
    return shapes.CallerIdentity(user_id=actor.user_id, account=actor.account_id, arn=actor.arn)


def _verify_mfa(identity, serial_number, token_code, message: str) -> None:
    if not (serial_number and token_code):
        raise AccessDenied(MFA_BOTH_REQUIRED)
    if identity is None or not mfa_services.verify_serial_code(identity, serial_number, token_code):
        raise AccessDenied(message)


@iam_action("sts:GetSessionToken")
def get_session_token(
    actor,
    *,
    duration_seconds: int | None = None,
    serial_number: str | None = None,
    token_code: str | None = None,
) -> shapes.Credentials:
    """Temporary credentials of the calling user (or root), MFA-authenticated when a device's
    serial number and code are given. No policy is needed (it only authenticates)."""
    if actor.credential_id is not None or actor.is_role_session:
        raise AccessDenied(NO_SESSION_CREDENTIALS)
    identity = caller_identity(actor)
    seconds = duration_seconds or (SESSION_TOKEN_ROOT_MAX if actor.is_root else SESSION_TOKEN_DEFAULT)
    if actor.is_root:
        seconds = min(seconds, SESSION_TOKEN_ROOT_MAX)
    mfa_at = None
    if serial_number or token_code:
        _verify_mfa(identity, serial_number, token_code, MFA_INVALID_SESSION_TOKEN)
        mfa_at = timezone.now()
    add_detail(mfa=mfa_at is not None, duration_seconds=seconds)
    return _issue(
        account_id=actor.account_id,
        kind=TemporaryCredential.SESSION_TOKEN,
        seconds=seconds,
        identity=identity,
        source_arn=actor.arn,
        mfa_authenticated_at=mfa_at,
    )


def _find_role(role_arn: str) -> Role | None:
    """The role an ARN names, in any account (AssumeRole crosses accounts)."""
    if not could_be_arn(role_arn):
        return None
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "iam"] or not parts[5].startswith("role/"):
        return None
    name = parts[5].rsplit("/", 1)[-1]
    if not could_name("role", name):
        return None
    role = Role.objects.select_related("account").filter(account_id=parts[4], name__iexact=name).first()
    return role if role is not None and role.arn == role_arn else None


def _session_policies(role: Role, policy: str | None, policy_arns) -> list[str]:
    """The session policies' documents: the inline ``Policy`` and the managed ``PolicyArns``
    (the role's account's or AWS's), read now."""
    documents = []
    if policy is not None:
        documents.append(validate_document(policy, strict_version=False))
    for item in policy_arns or ():
        arn = item["arn"] if isinstance(item, dict) else item
        document = None
        if could_be_arn(arn):
            document = (
                PolicyVersion.objects.filter(policy__arn=arn, is_default=True)
                .filter(Q(policy__account_id=role.account_id) | Q(policy__account__isnull=True))
                .values_list("document", flat=True)
                .first()
            )
        if document is None:
            raise ValidationError(f"Policy {arn} does not exist or is not attachable.")
        documents.append(document)
    return documents


def packed_size(documents: list[str]) -> int:
    """The session policies' share of AWS's packed-policy allowance, in percent."""
    compact = sum(len(json.dumps(json.loads(d), separators=(",", ":"))) for d in documents)
    return -(-compact * 100 // PACKED_POLICY_LIMIT)


@iam_action("sts:AssumeRole")
def assume_role(
    actor,
    *,
    role_arn: str,
    role_session_name: str,
    duration_seconds: int | None = None,
    policy: str | None = None,
    policy_arns=(),
    external_id: str | None = None,
    serial_number: str | None = None,
    token_code: str | None = None,
    source_region: str = "",
) -> shapes.AssumedRole:
    """A session of the role ``role_arn``: the caller's identity policies must allow
    sts:AssumeRole on it and the role's trust policy must trust the caller (both decided by
    the engine, across accounts too). Returns the credentials and the session's identity."""
    set_target(role_arn)
    add_detail(role_session_name=role_session_name)
    if actor.is_root:
        raise AccessDenied(ROOT_CANNOT_ASSUME)
    role = _find_role(role_arn)
    mfa_now = False
    if serial_number or token_code:
        identity = caller_identity(actor) if actor.identity_id is not None else None
        _verify_mfa(identity, serial_number, token_code, MFA_INVALID_ASSUME_ROLE)
        mfa_now = True
    extra = {"sts:RoleSessionName": role_session_name}
    if external_id is not None:
        extra["sts:ExternalId"] = external_id
    if role is None:
        raise AccessDenied(denial_message(actor, "sts:AssumeRole", role_arn))
    verdict = decide_assume_role(
        actor,
        role_arn=role.arn,
        role_account_id=role.account_id,
        trust_policy=role.assume_role_policy_document,
        extra_context=extra,
        mfa_now=mfa_now,
    )
    if not verdict.allowed:
        raise AccessDenied(
            denial_message(actor, "sts:AssumeRole", role.arn, verdict.decision),
            decision=verdict.decision,
            considered=verdict.considered,
        )
    chained = actor.is_role_session
    seconds = duration_seconds or ASSUME_ROLE_DEFAULT
    if chained and seconds > ROLE_CHAINING_MAX:
        raise ValidationError(EXCEEDS_CHAINING)
    if seconds > role.max_session_duration:
        raise ValidationError(EXCEEDS_MAX_DURATION)
    documents = _session_policies(role, policy, policy_arns)
    size = packed_size(documents) if documents else None
    if size is not None and size > 100:
        raise PackedPolicyTooLarge(
            f"Packed policy consumes {size}% of allotted space, please use smaller policy."
        )
    mfa_at = timezone.now() if mfa_now else _caller_mfa_time()
    credentials = _issue(
        account_id=role.account_id,
        kind=TemporaryCredential.ASSUMED_ROLE,
        seconds=seconds,
        role=role,
        session_name=role_session_name,
        source_arn=actor.source_arn or actor.arn,
        session_policies=documents,
        mfa_authenticated_at=mfa_at,
        role_chained=chained,
    )
    Role.objects.filter(pk=role.pk).update(last_used_at=timezone.now(), last_used_region=source_region[:32])
    return shapes.AssumedRole(
        credentials=credentials,
        assumed_role_id=f"{role.unique_id}:{role_session_name}",
        arn=f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{role_session_name}",
        packed_policy_size=size,
        role_name=role.name,
        account_id=role.account_id,
    )


def _caller_mfa_time():
    """When the caller authenticated with MFA (its console sign-in or its MFA session), if it did."""
    from datetime import UTC, datetime

    from .. import context

    at = context.current().mfa_authenticated_at
    return datetime.fromtimestamp(at, UTC) if at is not None else None


def end_session(actor, *, access_key_id: str) -> None:
    """The console's Switch back: the session's credentials stop working now."""
    TemporaryCredential.objects.filter(access_key_id=access_key_id, source_arn=actor.arn).delete()


SWITCH_ROLE_INVALID = (
    "Invalid information in one or more fields. Check your information or contact your administrator."
)


def switch_role(actor, *, account: str, role_name: str) -> shapes.AssumedRole:
    """The console's Switch role: AssumeRole on ``role_name`` (``path/name`` allowed) of the
    account named by its ID or alias, as a session named after the user, for the role's maximum
    session duration. Raises AccessDenied (with the engine's reason) like AssumeRole."""
    from .lookups import resolve_account_id

    actor = as_principal(actor)
    if actor.is_root:
        raise AccessDenied(ROOT_CANNOT_ASSUME)
    account_id = resolve_account_id(account) or account.strip()
    path, _, name = role_name.strip().strip("/").rpartition("/")
    role_arn = f"arn:aws:iam::{account_id}:role/{path + '/' if path else ''}{name}"
    role = _find_role(role_arn)
    seconds = min(
        role.max_session_duration if role else ASSUME_ROLE_DEFAULT,
        ROLE_CHAINING_MAX if actor.is_role_session else 43200,
    )
    return assume_role(
        actor,
        role_arn=role_arn,
        role_session_name=actor.name or actor.user_id,
        duration_seconds=seconds,
    )


# --- role sessions of AWS services (an EC2 instance's role) ------------------------------

SERVICE_ROLE_SESSION_SECONDS = 6 * 3600  # what EC2's instance metadata service hands out


def issue_service_role_credentials(
    *,
    role_arn: str,
    service: str,
    session_name: str,
    source_arn: str,
    seconds: int = SERVICE_ROLE_SESSION_SECONDS,
    source_region: str = "",
) -> shapes.AssumedRole:
    """A session of the role ``role_arn`` for the AWS service principal ``service`` (EC2's
    ``ec2.amazonaws.com`` for an instance's role), named ``session_name`` (the instance ID).

    Only the role's trust policy decides (the engine, principal type ``Service``): a service
    has no identity policies. ``source_arn`` (the instance's ARN) is kept with the session so
    that ``revoke_service_role_sessions`` can end it. Audited as sts:AssumeRole by the service,
    refusals too. Raises AccessDenied. Call it inside the caller's transaction."""
    from types import SimpleNamespace

    from .. import policy as engine
    from ..audit import record_event
    from ..principals import compile_policy

    role = _find_role(role_arn)
    parts = role_arn.split(":")
    account_id = role.account_id if role is not None else (parts[4] if len(parts) > 4 else "")
    actor = SimpleNamespace(arn=service, account_id=account_id, source_arn=source_arn)
    detail = {"invoked_by": service, "role_session_name": session_name}
    decision = None
    if role is not None:
        try:
            trust = compile_policy(
                f"trust policy of {role.arn}", role.assume_role_policy_document, kind="trust"
            )
            request = engine.RequestContext(
                "sts:AssumeRole",
                role.arn,
                service,
                {"sts:RoleSessionName": session_name, "aws:PrincipalServiceName": service},
                principal_type="Service",
            )
            decision = engine.evaluate(request, engine.PolicySet(resource=trust))
        except Exception:  # noqa: BLE001 - fail secure: a fault denies
            decision = None
    if decision is None or not decision.allowed:
        message = f"{service} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        record_event(
            actor=actor,
            action="sts:AssumeRole",
            target=role_arn,
            result=AccessDenied.code,
            error_message=message,
            detail=detail,
        )
        raise AccessDenied(message, decision=decision)
    credentials = _issue(
        account_id=role.account_id,
        kind=TemporaryCredential.ASSUMED_ROLE,
        seconds=seconds,
        role=role,
        session_name=session_name,
        source_arn=source_arn,
    )
    Role.objects.filter(pk=role.pk).update(last_used_at=timezone.now(), last_used_region=source_region[:32])
    record_event(
        actor=actor,
        action="sts:AssumeRole",
        target=role.arn,
        result="Success",
        detail={**detail, "access_key_id": credentials.access_key_id},
    )
    return shapes.AssumedRole(
        credentials=credentials,
        assumed_role_id=f"{role.unique_id}:{session_name}",
        arn=f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{session_name}",
        role_name=role.name,
        account_id=role.account_id,
    )


def revoke_service_role_sessions(*, source_arn: str) -> int:
    """End every role session a service started for ``source_arn`` (an instance stopped,
    terminated or given another role): their credentials stop working now. Returns how many."""
    _, per_model = TemporaryCredential.objects.filter(
        kind=TemporaryCredential.ASSUMED_ROLE, source_arn=source_arn
    ).delete()
    return per_model.get(TemporaryCredential._meta.label, 0)

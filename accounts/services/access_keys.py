"""Access keys: at most two per user (and per root), the secret shown once and encrypted at rest."""

import base64
import secrets

from django.utils import timezone

from .. import crypto, shapes
from ..audit import add_detail
from ..authz import authorize
from ..errors import LimitExceeded, NoSuchEntity, ValidationError
from ..identifiers import UNIQUE_ID_ALPHABET, could_be_access_key_id
from ..models import AccessKey, Identity
from . import convert
from .base import iam_action, iam_read
from .lookups import subject_of

ACCESS_KEYS_PER_USER = 2
MUST_DEACTIVATE = "Before you can delete an access key, you must deactivate it."


def new_access_key_id(prefix: str = "AKIA") -> str:
    """``AKIA`` (long-term) or ``ASIA`` (temporary) + 16 characters: 20 in all, as AWS's IDs."""
    return prefix + "".join(secrets.choice(UNIQUE_ID_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    """40 characters from 30 CSPRNG bytes (AWS's secrets are 40 base64 characters)."""
    return base64.b64encode(secrets.token_bytes(30)).decode()


def _owner_name(subject: Identity) -> str:
    return "root" if subject.is_root else subject.name


@iam_action("iam:CreateAccessKey")
def create_access_key(actor, *, user_name: str | None = None, description: str = "") -> shapes.AccessKey:
    """Create an access key for ``user_name`` (or the caller); returns it with its secret.

    The secret is returned this once and stored only encrypted. Raises LimitExceeded.
    """
    subject = subject_of(actor, user_name, for_update=True)  # the lock serialises the quota check
    authorize(actor, "iam:CreateAccessKey", subject.arn)
    if len(description) > 256:
        raise ValidationError("The description tag value can have up to 256 characters.")
    if subject.access_keys.count() >= ACCESS_KEYS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}")
    secret = new_secret_access_key()
    key = AccessKey.objects.create(
        identity=subject,
        access_key_id=new_access_key_id(),
        secret_encrypted=crypto.encrypt(secret),
        description=description,
    )
    add_detail(access_key_id=key.access_key_id)
    return shapes.AccessKey(
        user_name=_owner_name(subject),
        access_key_id=key.access_key_id,
        status=key.status,
        secret_access_key=secret,
        create_date=key.created_at,
    )


@iam_read("iam:ListAccessKeys")
def list_access_keys(actor, *, user_name: str | None = None, marker=None, max_items=None) -> shapes.Page:
    """The keys of ``user_name`` (or the caller): at most two, so one page."""
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:ListAccessKeys", subject.arn)
    owner = _owner_name(subject)
    return shapes.Page([convert.access_key_metadata(k, owner) for k in subject.access_keys.all()])


def _find_key(subject: Identity, access_key_id: str) -> AccessKey:
    key = None
    if could_be_access_key_id(access_key_id):
        key = subject.access_keys.filter(access_key_id=access_key_id).first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


@iam_read("iam:ListAccessKeys")
def get_access_key(actor, *, user_name: str | None = None, access_key_id: str) -> shapes.AccessKeyMetadata:
    """One key of ``user_name`` (or the caller), for the console's Delete page."""
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:ListAccessKeys", subject.arn)
    return convert.access_key_metadata(_find_key(subject, access_key_id), _owner_name(subject))


@iam_read("iam:GetAccessKeyLastUsed")
def get_access_key_last_used(actor, *, access_key_id: str) -> tuple[str, shapes.AccessKeyLastUsed]:
    """Who owns a key of the account, and when, where and for which service it was last used."""
    key = None
    if could_be_access_key_id(access_key_id):
        key = (
            AccessKey.objects.select_related("identity")
            .filter(access_key_id=access_key_id, identity__account_id=actor.account_id)
            .first()
        )
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    authorize(actor, "iam:GetAccessKeyLastUsed", key.identity.arn)
    return _owner_name(key.identity), convert.access_key_metadata(key, "").last_used


@iam_action("iam:UpdateAccessKey")
def update_access_key(actor, *, user_name: str | None = None, access_key_id: str, status: str) -> None:
    """Set a key Active or Inactive."""
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:UpdateAccessKey", subject.arn)
    if status not in (AccessKey.ACTIVE, AccessKey.INACTIVE):
        raise ValidationError(
            f"1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: "
            "Member must satisfy enum value set: [Active, Inactive]"
        )
    key = _find_key(subject, access_key_id)
    add_detail(access_key_id=key.access_key_id, status=status)
    key.status = status
    key.save(update_fields=["status"])


@iam_action("iam:DeleteAccessKey")
def delete_access_key(actor, *, user_name: str | None = None, access_key_id: str) -> None:
    """Delete a key (the API allows any status; the console asks to deactivate first)."""
    subject = subject_of(actor, user_name)
    authorize(actor, "iam:DeleteAccessKey", subject.arn)
    key = _find_key(subject, access_key_id)
    add_detail(access_key_id=key.access_key_id)
    key.delete()


def console_delete_access_key(actor, *, user_name: str | None = None, access_key_id: str) -> None:
    """The console's Delete: only an inactive key."""
    if get_access_key(actor, user_name=user_name, access_key_id=access_key_id).is_active:
        raise ValidationError(MUST_DEACTIVATE)
    delete_access_key(actor, user_name=user_name, access_key_id=access_key_id)


def record_access_key_use(access_key_id: str, *, service: str, region: str) -> None:
    """Note when and where a key was last used (the API does, on every signed request)."""
    AccessKey.objects.filter(access_key_id=access_key_id).update(
        last_used_at=timezone.now(), last_used_service=service, last_used_region=region
    )

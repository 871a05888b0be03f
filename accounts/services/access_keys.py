"""Access keys: at most two per user (and per root), the secret shown once and encrypted at rest."""

import base64
import secrets

from django.utils import timezone

from .. import crypto
from ..authz import authorize
from ..errors import LimitExceeded, NoSuchEntity, ValidationError
from ..identifiers import UNIQUE_ID_ALPHABET, could_be_access_key_id
from ..models import AccessKey, Identity
from .base import add_detail, iam_action
from .lookups import find_user

ACCESS_KEYS_PER_USER = 2
MUST_DEACTIVATE = "Before you can delete an access key, you must deactivate it."


def new_access_key_id() -> str:
    """``AKIA`` + 16 characters: 20 in all, as AWS's IDs."""
    return "AKIA" + "".join(secrets.choice(UNIQUE_ID_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    """40 characters from 30 CSPRNG bytes (AWS's secrets are 40 base64 characters)."""
    return base64.b64encode(secrets.token_bytes(30)).decode()


def _subject(actor, user_name: str | None) -> Identity:
    if user_name is None:
        return Identity.objects.select_related("account").get(pk=actor.pk)
    return find_user(actor, user_name)


@iam_action("iam:CreateAccessKey")
def create_access_key(actor, *, user_name: str | None = None, description: str = "") -> tuple[AccessKey, str]:
    """Create an access key for ``user_name`` (or the caller); returns the key and its secret.

    The secret is returned this once and stored only encrypted. Raises LimitExceeded.
    """
    subject = _subject(actor, user_name)
    authorize(actor, "iam:CreateAccessKey", subject.arn)
    if len(description) > 256:
        raise ValidationError("The description tag value can have up to 256 characters.")
    Identity.objects.select_for_update().filter(pk=subject.pk).first()  # serialise the quota check
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
    return key, secret


def list_access_keys(actor, subject: Identity):
    authorize(actor, "iam:ListAccessKeys", subject.arn)
    return list(subject.access_keys.all())


def get_access_key(actor, subject: Identity, access_key_id: str) -> AccessKey:
    authorize(actor, "iam:ListAccessKeys", subject.arn)
    return _find_key(subject, access_key_id)


def _find_key(subject: Identity, access_key_id: str) -> AccessKey:
    key = None
    if could_be_access_key_id(access_key_id):
        key = subject.access_keys.filter(access_key_id=access_key_id).first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


@iam_action("iam:UpdateAccessKey")
def update_access_key(actor, *, user_name: str | None = None, access_key_id: str, status: str) -> AccessKey:
    """Set a key Active or Inactive."""
    subject = _subject(actor, user_name)
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
    return key


@iam_action("iam:DeleteAccessKey")
def delete_access_key(actor, *, user_name: str | None = None, access_key_id: str) -> None:
    """Delete a key (the API allows any status; the console asks to deactivate first)."""
    subject = _subject(actor, user_name)
    authorize(actor, "iam:DeleteAccessKey", subject.arn)
    key = _find_key(subject, access_key_id)
    add_detail(access_key_id=key.access_key_id)
    key.delete()


def console_delete_access_key(actor, *, user_name: str | None = None, access_key_id: str) -> None:
    """The console's Delete: only an inactive key."""
    subject = _subject(actor, user_name)
    key = _find_key(subject, access_key_id)
    if key.is_active:
        raise ValidationError(MUST_DEACTIVATE)
    delete_access_key(actor, user_name=user_name, access_key_id=access_key_id)


def record_access_key_use(access_key: AccessKey, *, service: str, region: str) -> None:
    """Note when and where a key was last used (the API fills this in)."""
    AccessKey.objects.filter(pk=access_key.pk).update(
        last_used_at=timezone.now(), last_used_service=service, last_used_region=region
    )

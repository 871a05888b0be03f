"""Authentication backends for AWS's two sign-in kinds.

Both run the password hasher for an unknown identity too, as Django's ModelBackend does,
so that response time does not tell whether an account or user exists.

Names and email addresses are compared in one form (``identifiers.name_key`` and
``email_key``: ASCII, case folded), the form the uniqueness constraints index, so that the
same text finds the same identity on SQLite and PostgreSQL; text outside AWS's rules (``alıce``)
finds nobody.
"""

from django.contrib.auth.backends import BaseBackend
from django.db.models.functions import Lower

from .identifiers import email_key, name_key
from .models import Account, Identity


class _IdentityBackend(BaseBackend):
    def get_user(self, user_id):
        try:
            return Identity.objects.select_related("account").get(pk=user_id)
        except Identity.DoesNotExist:
            return None

    @staticmethod
    def _check(identity, password):
        if identity is None or not identity.has_usable_password():
            # Same hashing cost as a real check (Django's ModelBackend does this too).
            Identity().set_password(password)
            return None
        return identity if identity.check_password(password) else None


class RootUserBackend(_IdentityBackend):
    """Root user: the account's email address and password."""

    def authenticate(self, request, *, root_email=None, password=None, **kwargs):
        if root_email is None or password is None:
            return None
        return self._check(find_root(root_email), password)


class IAMUserBackend(_IdentityBackend):
    """IAM user: the account ID or alias, the user name and the password."""

    def authenticate(self, request, *, account=None, user_name=None, password=None, **kwargs):
        if account is None or user_name is None or password is None:
            return None
        identity = find_iam_user(resolve_account(account), user_name)
        if identity is not None and not identity.has_login_profile:
            identity = None
        return self._check(identity, password)


def find_root(email: str) -> Identity | None:
    """The root user whose email address is ``email`` (case-insensitive, ASCII), or None."""
    key = email_key(email)
    if key is None:
        return None
    return (
        Identity.objects.select_related("account")
        .alias(email_key=Lower("email"))
        .filter(kind=Identity.ROOT, email_key=key)
        .first()
    )


def find_iam_user(account: Account | None, user_name: str) -> Identity | None:
    """The IAM user ``user_name`` (case-insensitive, AWS's name rules) of ``account``, or None."""
    key = name_key("user", (user_name or "").strip())
    if account is None or key is None:
        return None
    return (
        Identity.objects.iam_users()
        .select_related("account")
        .alias(name_key=Lower("name"))
        .filter(account=account, name_key=key)
        .first()
    )


def resolve_account(account_id_or_alias: str) -> Account | None:
    """The account named by a 12-digit ID (dashes allowed) or an alias, or None."""
    value = (account_id_or_alias or "").strip()
    digits = value.replace("-", "")
    if len(digits) == 12 and digits.isdigit() and digits.isascii():
        return Account.objects.filter(account_id=digits).first()
    if not value.isascii():
        return None  # an alias is lowercase ASCII: ``ACMＥ`` is nobody's
    return Account.objects.filter(alias=value.lower()).first()

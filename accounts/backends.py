"""Authentication backends for AWS's two sign-in kinds.

Both run the password hasher for an unknown identity too, as Django's ModelBackend does,
so that response time does not tell whether an account or user exists.
"""

from django.contrib.auth.backends import BaseBackend

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
        identity = (
            Identity.objects.select_related("account")
            .filter(kind=Identity.ROOT, email__iexact=root_email.strip())
            .first()
        )
        return self._check(identity, password)


class IAMUserBackend(_IdentityBackend):
    """IAM user: the account ID or alias, the user name and the password."""

    def authenticate(self, request, *, account=None, user_name=None, password=None, **kwargs):
        if account is None or user_name is None or password is None:
            return None
        found = resolve_account(account)
        identity = None
        if found is not None:
            identity = (
                Identity.objects.iam_users()
                .select_related("account")
                .filter(account=found, name__iexact=user_name.strip())
                .first()
            )
            if identity is not None and not identity.has_login_profile:
                identity = None
        return self._check(identity, password)


def resolve_account(account_id_or_alias: str) -> Account | None:
    """The account named by a 12-digit ID (dashes allowed) or an alias, or None."""
    value = (account_id_or_alias or "").strip()
    digits = value.replace("-", "")
    if len(digits) == 12 and digits.isdigit():
        return Account.objects.filter(account_id=digits).first()
    return Account.objects.filter(alias=value.lower()).first()

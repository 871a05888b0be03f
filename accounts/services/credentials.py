"""Passwords: checking a new one against the account's policy, setting it, changing one's own."""

from django.contrib.auth.hashers import check_password as check_hash
from django.utils import timezone

from ..authz import authorize, is_allowed
from ..errors import InvalidInput, PasswordPolicyViolation
from ..models import Identity, PasswordHistory
from ..passwords import IAM_DEFAULT, check_password
from ..principals import as_principal
from .base import iam_action
from .lookups import caller_identity

REUSE_MESSAGE = "Policy constraint violation with password reuse prevention during password change."
# Earlier passwords kept per identity: AWS's largest PasswordReusePrevention.
HISTORY_KEPT = 24


def check_new_password(identity: Identity, password: str) -> None:
    """Raise PasswordPolicyViolation unless ``password`` satisfies the account's policy.

    The root user is held to the IAM default (the account policy does not apply to root).
    """
    account = identity.account
    rules = IAM_DEFAULT if identity.is_root else account.password_rules()
    forbidden = (account.name, identity.email or "") if rules.is_default else ()
    problems = check_password(password, rules, forbidden=forbidden)
    if problems:
        raise PasswordPolicyViolation("; ".join(problems))
    if rules.password_reuse_prevention and identity.has_usable_password():
        earlier = [identity.password] + list(
            identity.password_history.values_list("password", flat=True)[
                : rules.password_reuse_prevention - 1
            ]
        )
        if any(check_hash(password, encoded) for encoded in earlier):
            raise PasswordPolicyViolation(REUSE_MESSAGE)


def set_password(identity: Identity, password: str) -> None:
    """Hash and set ``password``, keeping the previous hash for reuse prevention (caller saves)."""
    if identity.pk and identity.has_usable_password():
        PasswordHistory.objects.create(identity=identity, password=identity.password)
        stale = identity.password_history.values_list("pk", flat=True)[HISTORY_KEPT:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    identity.set_password(password)
    identity.password_changed_at = timezone.now()


@iam_action("iam:ChangePassword")
def change_password(actor, *, old_password: str, new_password: str) -> Identity:
    """The caller changes its own console password (also the forced change at sign-in).

    Returns the caller's identity with its new hash (for the session's auth hash)."""
    authorize(actor, "iam:ChangePassword", actor.arn)
    identity = caller_identity(actor, for_update=True)
    if not identity.check_password(old_password):
        raise InvalidInput("The old password is incorrect.")
    if old_password == new_password:
        raise PasswordPolicyViolation("The new password must be different from the old password.")
    check_new_password(identity, new_password)
    set_password(identity, new_password)
    identity.password_reset_required = False
    identity.save()
    return identity


def may_change_own_password(actor) -> bool:
    """Whether the caller may change its own console password (root always may)."""
    actor = as_principal(actor)
    return actor.is_root or is_allowed(actor, "iam:ChangePassword", actor.arn)

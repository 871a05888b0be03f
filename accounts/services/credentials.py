"""Passwords: checking a new one against the account's policy, setting it, changing one's own.

Hashing is slow on purpose (PBKDF2, ~350 ms), so no hash is computed while a transaction holds
a lock (on SQLite: the database's one write lock). A new password is checked and hashed first
(``prepare_new_password``, as the actions' ``prepare`` step or by a console composite before
its transaction) and handed to the action as a ``NewPassword``; under the lock the action only
re-checks the policy (fast) and, when the hash changed meanwhile, the reuse rule.
"""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password as check_hash
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .. import context
from ..authz import authorize, is_allowed
from ..errors import InvalidInput, PasswordPolicyViolation
from ..models import Identity, PasswordHistory
from ..passwords import IAM_DEFAULT, check_password
from ..principals import as_principal
from . import throttle
from .base import iam_action
from .lookups import caller_identity

REUSE_MESSAGE = "Policy constraint violation with password reuse prevention during password change."
OLD_PASSWORD_WRONG = "The old password is incorrect."
# Earlier passwords kept per identity: AWS's largest PasswordReusePrevention.
HISTORY_KEPT = 24


@dataclass(frozen=True)
class NewPassword:
    """A new console password, hashed. ``checked_against`` is the identity's password hash
    when the reuse rule (and, for ChangePassword, the old password) was checked: None when it
    was not (a user created in the same transaction has no earlier password)."""

    text: str = field(repr=False)
    encoded: str = field(repr=False)
    checked_against: str | None = field(default=None, repr=False)


def hash_new_password(password: str) -> NewPassword:
    """``password`` hashed, for an identity that has no earlier password (a new user)."""
    return NewPassword(password, make_password(password))


def _check_policy(identity: Identity, password: str) -> None:
    account = identity.account
    rules = IAM_DEFAULT if identity.is_root else account.password_rules()
    forbidden = (account.name, identity.email or "") if rules.is_default else ()
    problems = check_password(password, rules, forbidden=forbidden)
    if problems:
        raise PasswordPolicyViolation("; ".join(problems))


def _check_reuse(identity: Identity, password: str) -> None:
    rules = IAM_DEFAULT if identity.is_root else identity.account.password_rules()
    if rules.password_reuse_prevention and identity.has_usable_password():
        earlier = [identity.password] + list(
            identity.password_history.values_list("password", flat=True)[
                : rules.password_reuse_prevention - 1
            ]
        )
        if any(check_hash(password, encoded) for encoded in earlier):
            raise PasswordPolicyViolation(REUSE_MESSAGE)


def check_new_password(identity: Identity, password: str | NewPassword) -> None:
    """Raise PasswordPolicyViolation unless ``password`` satisfies the account's policy.

    The root user is held to the IAM default (the account policy does not apply to root). A
    prepared password is not checked for reuse again unless the identity's hash changed since."""
    text = password.text if isinstance(password, NewPassword) else password
    _check_policy(identity, text)
    if not isinstance(password, NewPassword) or password.checked_against != identity.password:
        _check_reuse(identity, text)


def prepare_new_password(identity: Identity, password: str) -> NewPassword:
    """Check ``password`` for ``identity`` (policy and reuse) and hash it; call it outside any
    transaction. Raises PasswordPolicyViolation."""
    _check_policy(identity, password)
    _check_reuse(identity, password)
    return NewPassword(password, make_password(password), identity.password)


def set_password(identity: Identity, password: str | NewPassword) -> None:
    """Set ``password`` (hashed now unless prepared), keeping the previous hash for reuse
    prevention (caller saves)."""
    prepared = password if isinstance(password, NewPassword) else hash_new_password(password)
    if identity.pk and identity.has_usable_password():
        PasswordHistory.objects.create(identity=identity, password=identity.password)
        stale = identity.password_history.values_list("pk", flat=True)[HISTORY_KEPT:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    identity.password = prepared.encoded
    identity._password = prepared.text  # as AbstractBaseUser.set_password leaves it
    identity.password_changed_at = timezone.now()


def _verify_old_password(actor, *, old_password: str, new_password, **_) -> dict:
    """ChangePassword's slow half, before the transaction: the throttle's reservation, the old
    password, the new one checked and hashed."""
    authorize(actor, "iam:ChangePassword", actor.arn)
    identity = caller_identity(actor)
    reservation = throttle.reserve(
        throttle.identity_key_for(identity), context.current().source_ip, "change_password"
    )
    if not identity.check_password(old_password):
        throttle.failed(reservation, account_id=identity.account_id)
        raise InvalidInput(OLD_PASSWORD_WRONG)
    throttle.succeeded(reservation)
    text = new_password.text if isinstance(new_password, NewPassword) else new_password
    if old_password == text:
        raise PasswordPolicyViolation("The new password must be different from the old password.")
    return {"new_password": prepare_new_password(identity, text)}


@iam_action("iam:ChangePassword", prepare=_verify_old_password)
def change_password(actor, *, old_password: str, new_password: str | NewPassword) -> Identity:
    """The caller changes its own console password (also the forced change at sign-in).

    Wrong old passwords count in the sign-in throttle (Throttled past its limit). Returns the
    caller's identity with its new hash (for the session's auth hash)."""
    authorize(actor, "iam:ChangePassword", actor.arn)
    identity = caller_identity(actor, for_update=True)
    if identity.password != new_password.checked_against and not identity.check_password(old_password):
        raise InvalidInput(OLD_PASSWORD_WRONG)  # changed meanwhile: the old one is checked again
    check_new_password(identity, new_password)
    set_password(identity, new_password)
    identity.password_reset_required = False
    identity.save()
    return identity


def may_change_own_password(actor) -> bool:
    """Whether the caller may change its own console password (root always may)."""
    actor = as_principal(actor)
    return actor.is_root or is_allowed(actor, "iam:ChangePassword", actor.arn)

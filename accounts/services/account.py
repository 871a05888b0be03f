"""The AWS account: sign-up, the account alias and the password policy."""

from django.db import IntegrityError, transaction

from ..authz import authorize
from ..errors import (
    EntityAlreadyExists,
    NoSuchEntity,
    PasswordPolicyViolation,
    ValidationError,
)
from ..identifiers import new_account_id, validate_account_alias
from ..models import Account, Identity, PasswordPolicy
from ..passwords import IAM_DEFAULT, check_password
from .base import add_detail, iam_action, record_event

POLICY_RANGES = {
    "minimum_password_length": ("minimumPasswordLength", 6, 128),
    "max_password_age": ("maxPasswordAge", 1, 1095),
    "password_reuse_prevention": ("passwordReusePrevention", 1, 24),
}


def create_account(*, email: str, password: str, account_name: str) -> Identity:
    """Sign up: a new account with a random unique 12-digit ID and its root user.

    Returns the root identity; raises EntityAlreadyExists (email in use), ValidationError,
    PasswordPolicyViolation.
    """
    email = Identity.objects.normalize_email(email.strip())
    account_name = account_name.strip()
    if not email or "@" not in email:
        raise ValidationError("Enter a valid email address.")
    if not 1 <= len(account_name) <= 50:
        raise ValidationError("The account name must be between 1 and 50 characters.")
    problems = check_password(password, IAM_DEFAULT, forbidden=(account_name, email))
    if problems:
        raise PasswordPolicyViolation("; ".join(problems))
    for _ in range(10):
        try:
            with transaction.atomic():
                if Identity.objects.filter(kind=Identity.ROOT, email__iexact=email).exists():
                    raise EntityAlreadyExists(
                        "An AWS account already uses this email address. Sign in instead."
                    )
                account = Account.objects.create(account_id=new_account_id(), name=account_name)
                root = Identity(
                    account=account,
                    kind=Identity.ROOT,
                    email=email,
                    unique_id=account.account_id,
                )
                root.set_password(password)
                root.save()
                record_event(actor=root, action="signup:CreateAccount", target=root.arn, result="Success")
                return root
        except IntegrityError:
            # An account-ID collision (1 in 10^12 per account) or a racing sign-up with
            # the same email: try again, and the email check above settles the latter.
            continue
    raise EntityAlreadyExists("An AWS account already uses this email address. Sign in instead.")


@iam_action("iam:CreateAccountAlias")
def create_account_alias(actor, *, alias: str) -> Account:
    """Set the account alias (replacing any earlier one); unique across the server."""
    validate_account_alias(alias)
    authorize(actor, "iam:CreateAccountAlias", "*")
    add_detail(alias=alias)
    account = Account.objects.select_for_update().get(pk=actor.account_id)
    if Account.objects.filter(alias=alias).exclude(pk=account.pk).exists():
        raise EntityAlreadyExists(f"The account alias {alias} already exists.")
    account.alias = alias
    try:
        with transaction.atomic():
            account.save(update_fields=["alias"])
    except IntegrityError:
        raise EntityAlreadyExists(f"The account alias {alias} already exists.") from None
    actor.account.alias = alias
    return account


@iam_action("iam:DeleteAccountAlias")
def delete_account_alias(actor, *, alias: str) -> None:
    authorize(actor, "iam:DeleteAccountAlias", "*")
    account = Account.objects.select_for_update().get(pk=actor.account_id)
    if not account.alias or account.alias != alias:
        raise NoSuchEntity(f"The account alias {alias} cannot be found.")
    account.alias = None
    account.save(update_fields=["alias"])
    actor.account.alias = None


@iam_action("iam:UpdateAccountPasswordPolicy")
def update_account_password_policy(
    actor,
    *,
    minimum_password_length: int = 6,
    require_symbols: bool = False,
    require_numbers: bool = False,
    require_uppercase_characters: bool = False,
    require_lowercase_characters: bool = False,
    allow_users_to_change_password: bool = False,
    max_password_age: int | None = None,
    password_reuse_prevention: int | None = None,
    hard_expiry: bool = False,
) -> PasswordPolicy:
    """Set a custom password policy; AWS's ranges, and AWS's defaults for omitted fields."""
    authorize(actor, "iam:UpdateAccountPasswordPolicy", "*")
    values = {
        "minimum_password_length": minimum_password_length,
        "max_password_age": max_password_age,
        "password_reuse_prevention": password_reuse_prevention,
    }
    for field, (api_name, low, high) in POLICY_RANGES.items():
        value = values[field]
        if value is None:
            continue
        if not low <= value <= high:
            bound = f"greater than or equal to {low}" if value < low else f"less than or equal to {high}"
            raise ValidationError(
                f"1 validation error detected: Value '{value}' at '{api_name}' failed to "
                f"satisfy constraint: Member must have value {bound}"
            )
    policy, _ = PasswordPolicy.objects.update_or_create(
        account_id=actor.account_id,
        defaults={
            "minimum_password_length": minimum_password_length,
            "require_symbols": require_symbols,
            "require_numbers": require_numbers,
            "require_uppercase_characters": require_uppercase_characters,
            "require_lowercase_characters": require_lowercase_characters,
            "allow_users_to_change_password": allow_users_to_change_password,
            "max_password_age": max_password_age,
            "password_reuse_prevention": password_reuse_prevention,
            "hard_expiry": hard_expiry,
        },
    )
    return policy


@iam_action("iam:DeleteAccountPasswordPolicy")
def delete_account_password_policy(actor) -> None:
    """Return to the IAM default password policy."""
    authorize(actor, "iam:DeleteAccountPasswordPolicy", "*")
    deleted, _ = PasswordPolicy.objects.filter(account_id=actor.account_id).delete()
    if not deleted:
        raise NoSuchEntity(
            f"The Password Policy with domain name {actor.account.account_id} cannot be found."
        )


@iam_action("iam:GetAccountPasswordPolicy")
def get_account_password_policy(actor):
    """The account's rules (the IAM default when no custom policy is set)."""
    authorize(actor, "iam:GetAccountPasswordPolicy", "*")
    return actor.account.password_rules()

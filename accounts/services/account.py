"""The AWS account: sign-up, the account alias and the password policy."""

from django.db import IntegrityError, transaction

from .. import shapes
from ..audit import add_detail, record_event
from ..authz import authorize
from ..errors import (
    AccessDenied,
    EntityAlreadyExists,
    NoSuchEntity,
    PasswordPolicyViolation,
    ValidationError,
)
from ..identifiers import new_account_id, validate_account_alias
from ..models import (
    AccessKey,
    Account,
    CredentialReport,
    Group,
    Identity,
    InstanceProfile,
    ManagedPolicy,
    MFADevice,
    PasswordPolicy,
    Role,
    TemporaryCredential,
)
from ..passwords import IAM_DEFAULT, check_password
from ..principals import as_principal
from ..signals import account_reset
from .base import iam_action, iam_read
from .lookups import account_of

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
def create_account_alias(actor, *, account_alias: str) -> None:
    """Set the account alias (replacing any earlier one); unique across the server."""
    alias = account_alias
    validate_account_alias(alias)
    authorize(actor, "iam:CreateAccountAlias", "*")
    add_detail(alias=alias)
    account = account_of(actor, for_update=True)
    if Account.objects.filter(alias=alias).exclude(pk=account.pk).exists():
        raise EntityAlreadyExists(f"The account alias {alias} already exists.")
    account.alias = alias
    try:
        with transaction.atomic():
            account.save(update_fields=["alias"])
    except IntegrityError:
        raise EntityAlreadyExists(f"The account alias {alias} already exists.") from None


@iam_action("iam:DeleteAccountAlias")
def delete_account_alias(actor, *, account_alias: str) -> None:
    authorize(actor, "iam:DeleteAccountAlias", "*")
    account = account_of(actor, for_update=True)
    if not account.alias or account.alias != account_alias:
        raise NoSuchEntity(f"The account alias {account_alias} cannot be found.")
    account.alias = None
    account.save(update_fields=["alias"])


@iam_read("iam:ListAccountAliases")
def list_account_aliases(actor, *, marker=None, max_items=None) -> shapes.Page:
    """The account's alias, if any (AWS allows one)."""
    authorize(actor, "iam:ListAccountAliases", "*")
    alias = account_of(actor).alias
    return shapes.Page([alias] if alias else [])


@iam_read("iam:GetAccountSummary")
def get_account_summary(actor) -> shapes.AccountSummary:
    """AWS's SummaryMap: the account's entity counts and quotas, root's MFA and keys."""
    authorize(actor, "iam:GetAccountSummary", "*")
    account = actor.account_id
    root = Identity.objects.filter(account_id=account, kind=Identity.ROOT)
    summary = {
        "Users": Identity.objects.iam_users().filter(account_id=account).count(),
        "UsersQuota": 5000,
        "Groups": Group.objects.filter(account_id=account).count(),
        "GroupsQuota": 300,
        "GroupsPerUserQuota": 10,
        "Roles": Role.objects.filter(account_id=account).count(),
        "RolesQuota": 1000,
        "Policies": ManagedPolicy.objects.filter(account_id=account).count(),
        "PoliciesQuota": 1500,
        "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": 5,
        "PolicySizeQuota": 6144,
        "AttachedPoliciesPerUserQuota": 10,
        "AttachedPoliciesPerGroupQuota": 10,
        "AttachedPoliciesPerRoleQuota": 10,
        "AccessKeysPerUserQuota": 2,
        "SigningCertificatesPerUserQuota": 2,
        "UserPolicySizeQuota": 2048,
        "GroupPolicySizeQuota": 5120,
        "AssumeRolePolicySizeQuota": 2048,
        "MFADevices": MFADevice.objects.filter(account_id=account).count(),
        "MFADevicesInUse": MFADevice.objects.filter(account_id=account, identity__isnull=False).count(),
        "AccountMFAEnabled": int(MFADevice.objects.filter(identity__in=root).exists()),
        "AccountAccessKeysPresent": int(
            AccessKey.objects.filter(identity__in=root, status=AccessKey.ACTIVE).exists()
        ),
        "AccountSigningCertificatesPresent": 0,
        "ServerCertificates": 0,
        "ServerCertificatesQuota": 20,
        "InstanceProfiles": InstanceProfile.objects.filter(account_id=account).count(),
        "InstanceProfilesQuota": 1000,
        "Providers": 0,
        "GlobalEndpointTokenVersion": 1,
    }
    return shapes.AccountSummary(summary)


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
        raise NoSuchEntity(f"The Password Policy with domain name {actor.account_id} cannot be found.")


@iam_read("iam:GetAccountPasswordPolicy")
def get_account_password_policy(actor, *, or_default: bool = False):
    """The account's custom password policy rules; with no custom policy, NoSuchEntity as AWS
    answers, or the IAM default rules with ``or_default`` (what the console shows)."""
    authorize(actor, "iam:GetAccountPasswordPolicy", "*")
    rules = account_of(actor).password_rules()
    if rules.is_default and not or_default:
        raise NoSuchEntity(f"The Password Policy with domain name {actor.account_id} cannot be found.")
    return rules


def describe_account(actor) -> dict:
    """What the console's shell shows of the caller's account: ID, alias, name. Not an IAM
    action (no check): every principal may see which account it is in, as the console's
    account menu shows it."""
    account = account_of(as_principal(actor))
    return {"account_id": account.account_id, "alias": account.alias, "name": account.name}


def get_password_rules_for(actor):
    """The password rules the caller's own new password must meet (root: the IAM default).
    Not an IAM action: the console shows them on the caller's own change-password page."""
    actor = as_principal(actor)
    return IAM_DEFAULT if actor.is_root else account_of(actor).password_rules()


def describe_caller(actor) -> dict:
    """What "My security credentials" shows of the caller itself: its ARN, account, name
    (root: the account's email) and when its password last changed. Not an IAM action: every
    principal may see itself."""
    actor = as_principal(actor)
    account = account_of(actor)
    identity = Identity.objects.filter(pk=actor.identity_id).first() if actor.identity_id else None
    return {
        "arn": actor.arn,
        "account_id": account.account_id,
        "account_name": account.name,
        "is_root": actor.is_root,
        "is_role_session": actor.is_role_session,
        "name": actor.name,
        "email": identity.email if identity is not None and identity.is_root else "",
        "password_last_changed": identity.password_changed_at if identity is not None else None,
    }


RESET_REFUSED = (
    "User: {arn} is not authorized to perform: iamconsole:ResetAccount on resource: "
    "arn:aws:iam::{account}:root because only the account's root user may reset the account"
)


@iam_action("iamconsole:ResetAccount")
def reset_account(actor) -> dict:
    """Empty the account for the next class: every IAM user, group, role, customer managed
    policy, instance profile, virtual MFA device, temporary credential, the root's access keys,
    the alias, the password policy and the credential report go, and the other apps' resources
    (``signals.account_reset``); the account and its root user (with its password and MFA) stay. Root only; one transaction; returns what was deleted, by kind."""
    from django.db.models import F

    if not actor.is_root:
        raise AccessDenied(RESET_REFUSED.format(arn=actor.arn, account=actor.account_id))
    account = actor.account_id
    counts = {
        "temporary_credentials": TemporaryCredential.objects.filter(account_id=account).delete()[0],
        "users": Identity.objects.iam_users()
        .filter(account_id=account)
        .delete()[1]
        .get("accounts.Identity", 0),
        "roles": Role.objects.filter(account_id=account).delete()[1].get("accounts.Role", 0),
        "groups": Group.objects.filter(account_id=account).delete()[1].get("accounts.Group", 0),
        "instance_profiles": InstanceProfile.objects.filter(account_id=account)
        .delete()[1]
        .get("accounts.InstanceProfile", 0),
        "policies": ManagedPolicy.objects.filter(account_id=account)
        .delete()[1]
        .get("accounts.ManagedPolicy", 0),
        "mfa_devices": MFADevice.objects.filter(account_id=account, identity__isnull=True).delete()[0],
        "root_access_keys": AccessKey.objects.filter(identity__account_id=account).delete()[0],
        "password_policy": PasswordPolicy.objects.filter(account_id=account).delete()[0],
        "credential_reports": CredentialReport.objects.filter(account_id=account).delete()[0],
    }
    account_reset.send(sender=reset_account, account_id=account, counts=counts)  # EC2, S3 …
    locked = account_of(actor, for_update=True)
    counts["alias"] = int(locked.alias is not None)
    Account.objects.filter(pk=account).update(alias=None, authz_generation=F("authz_generation") + 1)
    actor.authz_generation += 1
    add_detail(**counts)
    return counts

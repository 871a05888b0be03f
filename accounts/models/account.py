"""The AWS account (tenant) and its account-wide settings."""

from django.db import models
from django.utils import timezone

from ..identifiers import dashed_account_id
from ..passwords import IAM_DEFAULT, PasswordRules


class Account(models.Model):
    """An AWS account: a 12-digit ID, an optional alias, and its root user's identity."""

    account_id = models.CharField(max_length=12, primary_key=True)
    name = models.CharField(max_length=50)
    alias = models.CharField(max_length=63, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped whenever a policy, version, attachment or membership of the account changes:
    # cached authorization data for the account is stale once this moves.
    authz_generation = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "iam_account"

    def __str__(self) -> str:
        return self.account_id

    @property
    def dashed_id(self) -> str:
        return dashed_account_id(self.account_id)

    @property
    def signin_name(self) -> str:
        """What the sign-in URL and the account menu show: the alias, else the ID."""
        return self.alias or self.account_id

    @property
    def menu_label(self) -> str:
        return self.alias or self.dashed_id

    def signin_path(self) -> str:
        return f"/signin/{self.signin_name}/"

    def password_rules(self) -> PasswordRules:
        """The account's password policy as rules, or the IAM default when none is set."""
        try:
            policy = self.password_policy
        except PasswordPolicy.DoesNotExist:
            return IAM_DEFAULT
        return policy.rules()


class PasswordPolicy(models.Model):
    """A custom account password policy (AWS's UpdateAccountPasswordPolicy fields)."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="password_policy"
    )
    minimum_password_length = models.PositiveSmallIntegerField(default=8)
    require_uppercase_characters = models.BooleanField(default=False)
    require_lowercase_characters = models.BooleanField(default=False)
    require_numbers = models.BooleanField(default=False)
    require_symbols = models.BooleanField(default=False)
    max_password_age = models.PositiveSmallIntegerField(null=True, blank=True)
    password_reuse_prevention = models.PositiveSmallIntegerField(null=True, blank=True)
    allow_users_to_change_password = models.BooleanField(default=False)
    hard_expiry = models.BooleanField(default=False)

    class Meta:
        db_table = "iam_password_policy"

    def rules(self) -> PasswordRules:
        return PasswordRules(
            minimum_password_length=self.minimum_password_length,
            require_uppercase_characters=self.require_uppercase_characters,
            require_lowercase_characters=self.require_lowercase_characters,
            require_numbers=self.require_numbers,
            require_symbols=self.require_symbols,
            password_reuse_prevention=self.password_reuse_prevention or 0,
            max_password_age=self.max_password_age or 0,
            allow_users_to_change_password=self.allow_users_to_change_password,
            hard_expiry=self.hard_expiry,
        )

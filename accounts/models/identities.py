"""Identities of an account: the root user and IAM users (the console's AUTH_USER_MODEL), and groups."""

from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from ..identifiers import iam_arn
from .account import Account


class IdentityManager(BaseUserManager):
    def iam_users(self):
        return self.filter(kind=Identity.USER)

    def get_by_natural_key(self, unique_id):
        return self.get(unique_id=unique_id)


class Identity(AbstractBaseUser):
    """A principal that can sign in: an account's root user or one of its IAM users.

    The console password hash lives in ``password``; an IAM user has a login profile
    (console access) when ``login_profile_created_at`` is set.
    """

    ROOT = "root"
    USER = "user"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=4, choices=[(ROOT, "Root user"), (USER, "IAM user")])
    name = models.CharField(max_length=64, blank=True)
    email = models.EmailField(max_length=254, null=True, blank=True)
    path = models.CharField(max_length=512, default="/")
    unique_id = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    login_profile_created_at = models.DateTimeField(null=True, blank=True)
    password_reset_required = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    permissions_boundary = models.ForeignKey(
        "ManagedPolicy", on_delete=models.PROTECT, null=True, blank=True, related_name="boundary_of"
    )
    # [{"Key": …, "Value": …}] in the order they were added (AWS's TagUser keeps it)
    tags = models.JSONField(default=list, blank=True)

    objects = IdentityManager()

    USERNAME_FIELD = "unique_id"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "iam_identity"
        constraints = [
            models.UniqueConstraint(
                "account",
                Lower("name"),
                condition=models.Q(kind="user"),
                name="iam_user_name_unique_ci",
            ),
            models.UniqueConstraint(
                Lower("email"), condition=models.Q(kind="root"), name="root_email_unique_ci"
            ),
            models.UniqueConstraint("account", condition=models.Q(kind="root"), name="one_root_per_account"),
        ]

    def __str__(self) -> str:
        return self.arn

    @property
    def is_root(self) -> bool:
        return self.kind == self.ROOT

    @property
    def arn(self) -> str:
        if self.is_root:
            return iam_arn(self.account_id, "root")
        return iam_arn(self.account_id, "user", self.path, self.name)

    @property
    def display_name(self) -> str:
        """The name the console's account menu shows (the account name for root)."""
        return self.account.name if self.is_root else self.name

    @property
    def has_login_profile(self) -> bool:
        return self.is_root or self.login_profile_created_at is not None

    def password_expires_at(self, rules):
        if self.is_root or not rules.max_password_age or self.password_changed_at is None:
            return None
        return self.password_changed_at + timedelta(days=rules.max_password_age)

    def password_expired(self, rules, now=None) -> bool:
        expires = self.password_expires_at(rules)
        return expires is not None and (now or timezone.now()) >= expires


class Group(models.Model):
    """An IAM user group; its members inherit its policies."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="iam_groups")
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    unique_id = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(Identity, through="GroupMembership", related_name="iam_groups")

    class Meta:
        db_table = "iam_group"
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="iam_group_name_unique_ci"),
        ]
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return iam_arn(self.account_id, "group", self.path, self.name)


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE)
    user = models.ForeignKey(Identity, on_delete=models.CASCADE)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "iam_group_membership"
        constraints = [
            models.UniqueConstraint("group", "user", name="iam_group_membership_unique"),
        ]


class PasswordHistory(models.Model):
    """Hashes of an identity's earlier passwords, for the policy's reuse prevention."""

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "iam_password_history"
        ordering = ["-created_at", "-id"]

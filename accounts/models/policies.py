"""Policies: managed policies (AWS managed and customer managed) with versions, inline
policies of users, groups and roles, attachments, and permissions boundaries."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .account import Account
from .identities import Group, Identity
from .roles import Role


class ManagedPolicy(models.Model):
    """A managed policy. ``account`` is None for AWS managed policies (``arn:aws:iam::aws:policy/…``)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="policies"
    )
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    arn = models.CharField(max_length=2048, unique=True)
    unique_id = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=1000, blank=True)
    default_version_id = models.CharField(max_length=16, default="v1")
    # AWS never reuses a version number: the next CreatePolicyVersion gets this one.
    next_version_number = models.PositiveIntegerField(default=2)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    tags = models.JSONField(default=list, blank=True)
    attached_users = models.ManyToManyField(Identity, related_name="attached_policies", blank=True)
    attached_groups = models.ManyToManyField(Group, related_name="attached_policies", blank=True)
    attached_roles = models.ManyToManyField(Role, related_name="attached_policies", blank=True)

    class Meta:
        db_table = "iam_managed_policy"
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="iam_policy_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.arn

    @property
    def is_aws_managed(self) -> bool:
        return self.account_id is None

    @property
    def policy_type(self) -> str:
        return "AWS managed" if self.is_aws_managed else "Customer managed"


class PolicyVersion(models.Model):
    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="versions")
    version_id = models.CharField(max_length=16)
    document = models.TextField()
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "iam_policy_version"
        constraints = [models.UniqueConstraint("policy", "version_id", name="iam_policy_version_unique")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy.arn} {self.version_id}"


class InlinePolicy(models.Model):
    """A policy embedded in one user, one group or one role (no versions, no ARN)."""

    user = models.ForeignKey(
        Identity, on_delete=models.CASCADE, null=True, blank=True, related_name="inline_policies"
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="inline_policies"
    )
    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, null=True, blank=True, related_name="inline_policies"
    )
    name = models.CharField(max_length=128)
    document = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "iam_inline_policy"
        constraints = [
            models.UniqueConstraint("user", "name", name="iam_user_inline_unique"),
            models.UniqueConstraint("group", "name", name="iam_group_inline_unique"),
            models.UniqueConstraint("role", "name", name="iam_role_inline_unique"),
            # exactly one owner: a user, a group or a role
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, group__isnull=True, role__isnull=True)
                    | models.Q(user__isnull=True, group__isnull=False, role__isnull=True)
                    | models.Q(user__isnull=True, group__isnull=True, role__isnull=False)
                ),
                name="iam_inline_one_owner",
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

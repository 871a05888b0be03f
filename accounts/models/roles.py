"""IAM roles: an identity with a trust policy (who may assume it) and permissions policies,
but no long-term credentials."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from ..identifiers import iam_arn
from .account import Account

DEFAULT_MAX_SESSION_DURATION = 3600


class Role(models.Model):
    """An IAM role of an account. ``assume_role_policy_document`` is its trust policy."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=64)
    path = models.CharField(max_length=512, default="/")
    unique_id = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=1000, blank=True)
    assume_role_policy_document = models.TextField()
    max_session_duration = models.PositiveIntegerField(default=DEFAULT_MAX_SESSION_DURATION)
    created_at = models.DateTimeField(default=timezone.now)
    permissions_boundary = models.ForeignKey(
        "ManagedPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="boundary_of_roles",
    )
    tags = models.JSONField(default=list, blank=True)
    # RoleLastUsed: when and where a session of the role last made a request
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_region = models.CharField(max_length=32, blank=True)

    class Meta:
        db_table = "iam_role"
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="iam_role_name_unique_ci"),
        ]
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return iam_arn(self.account_id, "role", self.path, self.name)

"""IAM instance profiles: the container that passes a role to an EC2 instance."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from ..identifiers import iam_arn
from .account import Account
from .roles import Role


class InstanceProfile(models.Model):
    """An instance profile of an account; it holds at most one role (AWS's quota)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="instance_profiles")
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    unique_id = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    roles = models.ManyToManyField(Role, related_name="instance_profiles", blank=True)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "iam_instance_profile"
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="iam_instance_profile_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return iam_arn(self.account_id, "instance-profile", self.path, self.name)

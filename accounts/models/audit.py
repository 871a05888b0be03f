"""The append-only audit trail: one row per IAM action or sign-in attempt."""

from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what to which resource, when, from where, and with what result.

    Never holds a secret: services pass only names and flags in ``detail``.
    """

    SUCCESS = "Success"

    account_id = models.CharField(max_length=12, db_index=True, blank=True)
    actor_arn = models.CharField(max_length=1024, blank=True)
    # Who is behind a role session: the IAM user who switched role or called AssumeRole.
    source_arn = models.CharField(max_length=1024, blank=True)
    action = models.CharField(max_length=128)
    target = models.CharField(max_length=2048, blank=True)
    result = models.CharField(max_length=64)
    error_message = models.TextField(blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    time = models.DateTimeField(default=timezone.now, db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        db_table = "iam_audit_event"
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%dT%H:%M:%SZ} {self.actor_arn} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")

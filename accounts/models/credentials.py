"""Credentials beyond the console password: virtual MFA devices, access keys, sign-in failures."""

from django.db import models
from django.utils import timezone

from .. import crypto
from .identities import Identity


class MFADevice(models.Model):
    """A virtual MFA device (TOTP) of a root or IAM user.

    ``last_used_step`` is the last accepted time step: a code is accepted only for a step
    above it, so a code cannot be replayed. ``drift`` (in steps) is learned by resync.
    """

    # None while a virtual device made by CreateVirtualMFADevice is not yet enabled for a user
    identity = models.ForeignKey(
        Identity, on_delete=models.CASCADE, related_name="mfa_devices", null=True, blank=True
    )
    account = models.ForeignKey("Account", on_delete=models.CASCADE, related_name="mfa_devices")
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    enabled_at = models.DateTimeField(null=True, blank=True)
    serial_number = models.CharField(max_length=256, unique=True)
    secret_encrypted = models.TextField()
    last_used_step = models.BigIntegerField(default=0)
    drift = models.IntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "iam_mfa_device"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.serial_number

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)


class AccessKey(models.Model):
    """A long-term access key; the secret is encrypted at rest (it must stay usable for SigV4)."""

    ACTIVE, INACTIVE = "Active", "Inactive"

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="access_keys")
    access_key_id = models.CharField(max_length=20, unique=True)
    secret_encrypted = models.TextField()
    status = models.CharField(max_length=8, choices=[(ACTIVE, ACTIVE), (INACTIVE, INACTIVE)], default=ACTIVE)
    description = models.CharField(max_length=256, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_service = models.CharField(max_length=64, blank=True)
    last_used_region = models.CharField(max_length=32, blank=True)

    class Meta:
        db_table = "iam_access_key"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.access_key_id

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @property
    def is_active(self) -> bool:
        return self.status == self.ACTIVE


class SignInThrottle(models.Model):
    """One sign-in throttle bucket (an identity from one address, an address, an identity):
    the failed (and reserved) attempts counted since ``window_start``.

    ``services.throttle`` reserves an attempt with one conditional UPDATE of this row, so that
    concurrent attempts cannot all pass the limit."""

    key = models.CharField(max_length=320, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "iam_signin_throttle"

    def __str__(self) -> str:
        return f"{self.key}: {self.failures} since {self.window_start:%Y-%m-%dT%H:%M:%SZ}"


class PendingDownload(models.Model):
    """A credentials CSV waiting for its one download from the Retrieve step (``downloads``).

    Held encrypted, named by the hash of its token, bound to the session that made it; taken
    with one conditional DELETE, so that only one of concurrent requests gets it."""

    token_hash = models.CharField(max_length=64, primary_key=True)
    owner_hash = models.CharField(max_length=64, db_index=True)
    filename = models.CharField(max_length=256)
    content_encrypted = models.TextField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "iam_pending_download"

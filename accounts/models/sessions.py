"""Temporary security credentials (STS): a role session (AssumeRole, the console's Switch
role) or a session of a user (GetSessionToken)."""

from django.db import models
from django.utils import timezone

from .. import crypto
from .account import Account
from .identities import Identity
from .roles import Role


class TemporaryCredential(models.Model):
    """``ASIA…`` credentials with a secret (encrypted at rest) and a session token (only its
    SHA-256 is kept: the token is a bearer secret checked by hash) that stop at ``expires_at``.

    An assumed-role session acts in the role's account and ends with the role (CASCADE); a
    session token acts as its identity and ends with it. ``source_arn`` names who started the
    session, for the audit trail."""

    ASSUMED_ROLE = "assumed-role"
    SESSION_TOKEN = "session-token"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="temporary_credentials")
    kind = models.CharField(
        max_length=16, choices=[(ASSUMED_ROLE, ASSUMED_ROLE), (SESSION_TOKEN, SESSION_TOKEN)]
    )
    access_key_id = models.CharField(max_length=20, unique=True)
    secret_encrypted = models.TextField()
    session_token_hash = models.CharField(max_length=64)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions")
    identity = models.ForeignKey(
        Identity, on_delete=models.CASCADE, null=True, blank=True, related_name="session_tokens"
    )
    session_name = models.CharField(max_length=64, blank=True)
    source_arn = models.CharField(max_length=1024, blank=True)
    session_policies = models.JSONField(default=list, blank=True)
    mfa_authenticated_at = models.DateTimeField(null=True, blank=True)
    role_chained = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "iam_temporary_credential"

    def __str__(self) -> str:
        return self.access_key_id

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at

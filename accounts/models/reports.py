"""Reports IAM generates about an account: the credential report."""

from django.db import models

from .account import Account


class CredentialReport(models.Model):
    """An account's credential report: the CSV as generated at ``generated_at`` (its bytes, as
    GetCredentialReport returns them). ``services.credential_report`` keeps the latest only."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="credential_reports")
    generated_at = models.DateTimeField()
    content = models.BinaryField()

    class Meta:
        db_table = "iam_credential_report"
        ordering = ["-generated_at", "-id"]
        indexes = [models.Index(fields=["account", "-generated_at"], name="iam_cred_report_latest")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.generated_at:%Y-%m-%dT%H:%M:%SZ}"

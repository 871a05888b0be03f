"""Buckets (global names, an owner account, a region, a bucket policy) and the Block Public
Access switches, per bucket and per account."""

from django.db import models
from django.utils import timezone


class PublicAccessBlockFields(models.Model):
    """The four Block Public Access switches (PublicAccessBlockConfiguration)."""

    block_public_acls = models.BooleanField(default=True)
    ignore_public_acls = models.BooleanField(default=True)
    block_public_policy = models.BooleanField(default=True)
    restrict_public_buckets = models.BooleanField(default=True)

    class Meta:
        abstract = True


class Bucket(PublicAccessBlockFields):
    """A general purpose bucket. Its name is unique across every account (S3's global
    namespace). ``policy`` is the bucket policy as PutBucketPolicy stored it ("" when none).
    New buckets have all four Block Public Access switches on, as AWS creates them;
    ``public_access_block`` is False once DeletePublicAccessBlock removed the configuration."""

    name = models.CharField(max_length=63, unique=True)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="s3_buckets")
    region = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    policy = models.TextField(blank=True)
    public_access_block = models.BooleanField(default=True)
    # [{"Key": …, "Value": …}] as PutBucketTagging stored them
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "s3_bucket"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


class AccountPublicAccessBlock(PublicAccessBlockFields):
    """An account's Block Public Access switches (S3 Control's PutPublicAccessBlock); they
    apply to every bucket of the account together with the bucket's own."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, primary_key=True, related_name="s3_public_access_block"
    )

    class Meta:
        db_table = "s3_account_public_access_block"

"""Multipart uploads in progress: the parts wait in the staging area until the upload is
completed (then they become one object) or aborted."""

from django.db import models
from django.utils import timezone


class MultipartUpload(models.Model):
    bucket = models.ForeignKey("s3.Bucket", on_delete=models.CASCADE, related_name="multipart_uploads")
    key = models.BinaryField(max_length=1024)
    upload_id = models.CharField(max_length=128, unique=True)
    initiated = models.DateTimeField(default=timezone.now)
    initiator_arn = models.CharField(max_length=1024, blank=True)
    content_type = models.CharField(max_length=1024, default="binary/octet-stream")
    metadata = models.JSONField(default=dict, blank=True)
    headers = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "s3_multipart_upload"


class UploadPart(models.Model):
    upload = models.ForeignKey(MultipartUpload, on_delete=models.CASCADE, related_name="parts")
    part_number = models.PositiveIntegerField()
    size = models.BigIntegerField()
    etag = models.CharField(max_length=64)
    path = models.CharField(max_length=1024)  # the staged file holding the part's bytes
    last_modified = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "s3_upload_part"
        constraints = [
            models.UniqueConstraint(fields=["upload", "part_number"], name="s3_upload_part_unique")
        ]

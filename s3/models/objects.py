"""Objects: metadata in the database, bytes in the object store (``blob`` names them there)."""

from django.db import models
from django.utils import timezone


class S3Object(models.Model):
    """One object of a bucket. ``key`` is its UTF-8 bytes, so that the database orders keys as
    S3 lists them (UTF-8 binary order) whatever its collation, and any key S3 accepts fits.
    ``etag`` is the MD5 of the bytes in hex (without the quotes of the ETag header);
    ``metadata`` the user metadata (``x-amz-meta-*`` names without the prefix, lower case);
    ``headers`` the system metadata S3 stores and returns (Cache-Control, Content-Disposition,
    Content-Encoding, Content-Language, Expires)."""

    bucket = models.ForeignKey("s3.Bucket", on_delete=models.CASCADE, related_name="stored_objects")
    key = models.BinaryField(max_length=1024)
    size = models.BigIntegerField()
    etag = models.CharField(max_length=64)
    content_type = models.CharField(max_length=1024, default="binary/octet-stream")
    metadata = models.JSONField(default=dict, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    last_modified = models.DateTimeField(default=timezone.now)
    storage_class = models.CharField(max_length=32, default="STANDARD")
    blob = models.CharField(max_length=255)

    class Meta:
        db_table = "s3_object"
        constraints = [models.UniqueConstraint(fields=["bucket", "key"], name="s3_object_key_unique")]

    def __str__(self) -> str:
        return f"{self.bucket_id}/{self.key_text}"

    @property
    def key_text(self) -> str:
        return bytes(self.key).decode("utf-8")

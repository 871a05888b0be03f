"""The demo world's S3: buckets, objects and bucket policies, governed by IAM policies."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class S3Config(AppConfig):
    name = "s3"
    verbose_name = "S3"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import consoles

        from . import signals

        consoles.register(
            consoles.ConsoleService(
                key="s3",
                name="S3",
                title="Simple Storage Service",
                url_name="s3:bucket_list",
                description=_("Scalable storage in the cloud"),
                category=_("Storage"),
                icon="bi-bucket",
                # consoles.ConsoleService.search_text searches them in English and in the page's language
                keywords=(
                    _("buckets"),
                    _("objects"),
                    _("storage"),
                    _("bucket policy"),
                    _("block public access"),
                ),
            )
        )
        signals.connect()

"""The demo world's S3: buckets, objects and bucket policies, governed by IAM policies."""

from django.apps import AppConfig


class S3Config(AppConfig):
    name = "s3"
    verbose_name = "S3"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import consoles
        from accounts.signals import demo_account_seeded

        from . import demo

        consoles.register(
            consoles.ConsoleService(
                key="s3",
                name="S3",
                title="Simple Storage Service",
                url_name="s3:bucket_list",
                description="Scalable storage in the cloud",
                category="Storage",
                icon="bi-bucket",
                keywords=("buckets", "objects", "storage", "bucket policy", "block public access"),
            )
        )
        demo_account_seeded.connect(demo.seed, dispatch_uid="s3.demo.seed")

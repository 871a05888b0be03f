from django.apps import AppConfig


class S3Config(AppConfig):
    name = "s3"
    verbose_name = "S3"
    default_auto_field = "django.db.models.BigAutoField"

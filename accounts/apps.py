from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "IAM"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .services.policies import sync_aws_managed_policies

        post_migrate.connect(_sync_after_migrate(sync_aws_managed_policies), sender=self, weak=False)


def _sync_after_migrate(sync):
    """Keep the AWS managed policy catalogue loaded after migrate (and test-database flushes)."""

    def handler(sender, using="default", **kwargs):
        from django.db import connections

        if "iam_managed_policy" in connections[using].introspection.table_names():
            sync()

    return handler

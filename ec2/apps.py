from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Ec2Config(AppConfig):
    name = "ec2"
    verbose_name = "EC2"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import consoles
        from accounts.api import registry

        from . import api, signals

        registry.register("ec2", api.HANDLERS)
        registry.register("sts", api.STS_HANDLERS)
        consoles.register(
            consoles.ConsoleService(
                key="ec2",
                name="EC2",
                title="Elastic Compute Cloud",
                url_name="ec2:dashboard",
                description=_("Virtual servers in the cloud"),
                category=_("Compute"),
                icon="bi-hdd-rack",
                # consoles.ConsoleService.search_text searches them in English and in the page's language
                keywords=(
                    _("instances"),
                    _("virtual machines"),
                    _("servers"),
                    _("instance profile"),
                    _("metadata"),
                ),
            )
        )
        signals.connect()

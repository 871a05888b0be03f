from django.apps import AppConfig


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
                description="Virtual servers in the cloud",
                category="Compute",
                icon="bi-hdd-rack",
                keywords=("instances", "virtual machines", "servers", "instance profile", "metadata"),
            )
        )
        signals.connect()

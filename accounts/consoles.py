"""The console's services (IAM, EC2, S3 …): what the Services menu and Console Home offer.

Each app registers its console from its ``AppConfig.ready``; ``accounts`` never imports the
apps. ``url_name`` is the service's home page, ``keywords`` help the Services search box.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ConsoleService:
    key: str  # "iam", "ec2", "s3"
    name: str  # "IAM"
    title: str  # "Identity and Access Management"
    url_name: str  # "iam:dashboard"
    description: str
    category: str  # "Security, Identity, & Compliance", "Compute", "Storage"
    icon: str = "bi-box"  # a Bootstrap Icons class
    keywords: tuple[str, ...] = field(default_factory=tuple)


_services: dict[str, ConsoleService] = {}


def register(service: ConsoleService) -> None:
    _services[service.key] = service


def all_services() -> list[ConsoleService]:
    return sorted(_services.values(), key=lambda s: s.name.lower())


def get(key: str) -> ConsoleService | None:
    return _services.get(key)


register(
    ConsoleService(
        key="iam",
        name="IAM",
        title="Identity and Access Management",
        url_name="iam:dashboard",
        description="Manage access to AWS resources",
        category="Security, Identity, & Compliance",
        icon="bi-shield-lock",
        keywords=("users", "roles", "policies", "groups", "mfa", "access keys"),
    )
)

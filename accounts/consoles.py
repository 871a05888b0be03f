"""The console's services (IAM, EC2, S3 …): what the Services menu and Console Home offer.

Each app registers its console from its ``AppConfig.ready``; ``accounts`` never imports the
apps. ``url_name`` is the service's home page, ``keywords`` help the Services search box.
The texts may be lazy translations (``gettext_lazy``): the menu shows them in the page's
language, and the search box finds a service by its English words and by the page's.
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _


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

    @property
    def search_text(self) -> str:
        """What the Services search box looks in: the name, title, description and keywords,
        in the page's language and in English (lower case, each word once)."""
        parts = [self.name, self.title, self.description, *self.keywords]
        local = [str(p) for p in parts]
        with translation.override("en"):
            english = [str(p) for p in parts]
        return " ".join(dict.fromkeys(p.lower() for p in [*local, *english] if p))


_services: dict[str, ConsoleService] = {}


def register(service: ConsoleService) -> None:
    _services[service.key] = service


def all_services() -> list[ConsoleService]:
    return sorted(_services.values(), key=lambda s: str(s.name).lower())


def get(key: str) -> ConsoleService | None:
    return _services.get(key)


register(
    ConsoleService(
        key="iam",
        name="IAM",
        title=_("Identity and Access Management"),
        url_name="iam:dashboard",
        description=_("Manage access to AWS resources"),
        category=_("Security, Identity, & Compliance"),
        icon="bi-shield-lock",
        keywords=(_("users"), _("roles"), _("policies"), _("groups"), "mfa", _("access keys")),
    )
)

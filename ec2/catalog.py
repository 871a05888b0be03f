"""The demo world's fixed facts: AWS's regions (names from botocore's endpoint data), their
Availability Zones, a small AMI catalogue and the instance types the launch form offers.

Pure data, no Django. AMI IDs are fictional (the same ID in every region, unlike AWS where
an AMI is regional); everything else follows AWS.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_REGION = "ap-northeast-2"


@dataclass(frozen=True)
class Region:
    name: str
    description: str
    zones: tuple[str, ...]
    opt_in: bool = False  # launched after March 2019: disabled until the account opts in

    @property
    def endpoint(self) -> str:
        return f"ec2.{self.name}.amazonaws.com"

    @property
    def opt_in_status(self) -> str:
        return "not-opted-in" if self.opt_in else "opt-in-not-required"

    @property
    def enabled(self) -> bool:
        return not self.opt_in


def gettext_noop(text: str) -> str:
    """Marks a Region's name for ``makemessages`` (one of Django's keywords) without importing
    Django: the console shows it in the learner's language (``{% translate region.description %}``),
    the API keeps AWS's English."""
    return text


def _r(name: str, description: str, zones: str = "abc", opt_in: bool = False) -> Region:
    return Region(name, description, tuple(f"{name}{z}" for z in zones), opt_in)


REGIONS: tuple[Region, ...] = (
    _r("us-east-1", gettext_noop("US East (N. Virginia)"), "abcdef"),
    _r("us-east-2", gettext_noop("US East (Ohio)")),
    _r("us-west-1", gettext_noop("US West (N. California)"), "ac"),
    _r("us-west-2", gettext_noop("US West (Oregon)"), "abcd"),
    _r("af-south-1", gettext_noop("Africa (Cape Town)"), opt_in=True),
    _r("ap-east-1", gettext_noop("Asia Pacific (Hong Kong)"), opt_in=True),
    _r("ap-south-1", gettext_noop("Asia Pacific (Mumbai)")),
    _r("ap-south-2", gettext_noop("Asia Pacific (Hyderabad)"), opt_in=True),
    _r("ap-southeast-1", gettext_noop("Asia Pacific (Singapore)")),
    _r("ap-southeast-2", gettext_noop("Asia Pacific (Sydney)")),
    _r("ap-southeast-3", gettext_noop("Asia Pacific (Jakarta)"), opt_in=True),
    _r("ap-southeast-4", gettext_noop("Asia Pacific (Melbourne)"), opt_in=True),
    _r("ap-northeast-1", gettext_noop("Asia Pacific (Tokyo)"), "acd"),
    _r("ap-northeast-2", gettext_noop("Asia Pacific (Seoul)"), "abcd"),
    _r("ap-northeast-3", gettext_noop("Asia Pacific (Osaka)")),
    _r("ca-central-1", gettext_noop("Canada (Central)"), "abd"),
    _r("ca-west-1", gettext_noop("Canada West (Calgary)"), opt_in=True),
    _r("eu-central-1", gettext_noop("Europe (Frankfurt)")),
    _r("eu-central-2", gettext_noop("Europe (Zurich)"), opt_in=True),
    _r("eu-west-1", gettext_noop("Europe (Ireland)")),
    _r("eu-west-2", gettext_noop("Europe (London)")),
    _r("eu-west-3", gettext_noop("Europe (Paris)")),
    _r("eu-south-1", gettext_noop("Europe (Milan)"), opt_in=True),
    _r("eu-south-2", gettext_noop("Europe (Spain)"), opt_in=True),
    _r("eu-north-1", gettext_noop("Europe (Stockholm)")),
    _r("il-central-1", gettext_noop("Israel (Tel Aviv)"), opt_in=True),
    _r("me-south-1", gettext_noop("Middle East (Bahrain)"), opt_in=True),
    _r("me-central-1", gettext_noop("Middle East (UAE)"), opt_in=True),
    _r("sa-east-1", gettext_noop("South America (Sao Paulo)")),
)
_BY_NAME = {r.name: r for r in REGIONS}


def region(name: str) -> Region | None:
    return _BY_NAME.get(name)


def enabled_regions() -> tuple[Region, ...]:
    return tuple(r for r in REGIONS if r.enabled)


@dataclass(frozen=True)
class Image:
    image_id: str
    name: str  # the console's label
    description: str
    platform_details: str  # "Linux/UNIX", "Windows", "Red Hat Enterprise Linux"
    architecture: str = "x86_64"
    root_device_name: str = "/dev/xvda"
    imds_support: str = ""  # "v2.0": instances launched from it require IMDSv2 by default
    default_user: str = "ec2-user"
    free_tier: bool = True

    @property
    def platform(self) -> str | None:
        return "windows" if self.platform_details == "Windows" else None


IMAGES: tuple[Image, ...] = (
    Image(
        "ami-0a8f4bd1c7e2a9d31",
        "Amazon Linux 2023 AMI",
        "Amazon Linux 2023 is a modern, general purpose Linux-based OS with 5 years of long term support.",
        "Linux/UNIX",
        imds_support="v2.0",
    ),
    Image(
        "ami-05c1f7e9b2d4a6038",
        "Ubuntu Server 24.04 LTS (HVM), SSD Volume Type",
        "Canonical, Ubuntu, 24.04, amd64 noble image",
        "Linux/UNIX",
        root_device_name="/dev/sda1",
        default_user="ubuntu",
    ),
    Image(
        "ami-0d3b9e6f1a2c4b587",
        "Red Hat Enterprise Linux 9 (HVM), SSD Volume Type",
        "Red Hat Enterprise Linux version 9 (HVM), EBS General Purpose (SSD) Volume Type",
        "Red Hat Enterprise Linux",
        root_device_name="/dev/sda1",
    ),
    Image(
        "ami-0e6c2a9f8b1d3c724",
        "Microsoft Windows Server 2022 Base",
        "Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon",
        "Windows",
        root_device_name="/dev/sda1",
        default_user="Administrator",
    ),
)
_IMAGES = {i.image_id: i for i in IMAGES}


def image(image_id: str) -> Image | None:
    return _IMAGES.get(image_id)


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_gib: float
    free_tier: bool = False  # the launch form's label says so (ec2.forms, in the console's language)


INSTANCE_TYPES: tuple[InstanceType, ...] = (
    InstanceType("t2.micro", 1, 1, free_tier=True),
    InstanceType("t3.micro", 2, 1, free_tier=True),
    InstanceType("t3.small", 2, 2),
    InstanceType("t3.medium", 2, 4),
    InstanceType("t3.large", 2, 8),
    InstanceType("m5.large", 2, 8),
    InstanceType("m5.xlarge", 4, 16),
    InstanceType("c5.large", 2, 4),
    InstanceType("r5.large", 2, 16),
)
DEFAULT_INSTANCE_TYPE = "t3.micro"
_TYPES = {t.name: t for t in INSTANCE_TYPES}


def instance_type(name: str) -> InstanceType | None:
    return _TYPES.get(name)

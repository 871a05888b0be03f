"""Plain data the EC2 services return (the console and the API translate them); no models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Tag:
    key: str
    value: str


@dataclass(frozen=True)
class InstanceState:
    code: int
    name: str


@dataclass(frozen=True)
class StateReason:
    code: str
    message: str


@dataclass(frozen=True)
class IamInstanceProfile:
    """An instance's instance profile and the role in it now (``role_name`` empty: none)."""

    arn: str
    id: str
    association_id: str
    role_name: str = ""
    role_arn: str = ""

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class MetadataOptions:
    http_tokens: str = "optional"
    http_endpoint: str = "enabled"
    http_put_response_hop_limit: int = 1


@dataclass(frozen=True)
class Instance:
    instance_id: str
    reservation_id: str
    owner_id: str
    region: str
    availability_zone: str
    instance_type: str
    image_id: str
    image_name: str
    platform_details: str
    platform: str | None
    architecture: str
    root_device_name: str
    ami_launch_index: int
    state: InstanceState
    launch_time: datetime
    private_ip_address: str
    private_dns_name: str
    public_ip_address: str | None
    public_dns_name: str
    state_transition_reason: str
    state_reason: StateReason | None
    client_token: str
    metadata_options: MetadataOptions
    iam_instance_profile: IamInstanceProfile | None = None
    tags: tuple[Tag, ...] = ()
    launched_by: str = ""

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.owner_id}:instance/{self.instance_id}"

    @property
    def name(self) -> str:
        return next((t.value for t in self.tags if t.key == "Name"), "")

    @property
    def state_name(self) -> str:
        return self.state.name


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Reservation:
    """What RunInstances returns: the instances it launched, under one reservation."""

    reservation_id: str
    owner_id: str
    instances: list[Instance] = field(default_factory=list)


@dataclass(frozen=True)
class InstanceStateChange:
    instance_id: str
    current_state: InstanceState
    previous_state: InstanceState


@dataclass(frozen=True)
class IamInstanceProfileAssociation:
    association_id: str
    instance_id: str
    iam_instance_profile: IamInstanceProfile
    state: str  # associating | associated | disassociating | disassociated
    timestamp: datetime


@dataclass(frozen=True)
class Region:
    region_name: str
    endpoint: str
    opt_in_status: str
    description: str = ""


@dataclass(frozen=True)
class ConnectSession:
    """What "Connect" gives: the token that proves a caller is "inside" the instance (it
    opens the instance's metadata service) and when it stops working."""

    instance_id: str
    instance_os_user: str
    token: str
    expires_at: datetime
    role_name: str = ""


@dataclass(frozen=True)
class MetadataResponse:
    """One answer of an instance's metadata service: HTTP status, body and content type."""

    status: int
    body: str
    content_type: str = "text/plain"
    headers: tuple[tuple[str, str], ...] = ()

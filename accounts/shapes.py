"""What the services return: plain, immutable data in AWS's shapes.

Each dataclass mirrors a shape of the IAM API (``User``, ``Group``, ``Role``, ``Policy``,
``PolicyVersion``, ``AccessKeyMetadata`` …) with AWS's member names in snake case, so that
the Query API turns them into AWS's XML by name and the console renders them directly. A
few shapes carry what the console shows beside AWS's members (a user's groups count, its MFA
devices and access keys on the Users page); the API ignores those. Pure Python, but for
the console's labels of a few values (lazy translations: the values stay AWS's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from django.utils.translation import gettext_lazy as _

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, as AWS pages: ``marker`` is where the next page starts."""

    items: list[T]
    is_truncated: bool = False
    marker: str | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Tag:
    key: str
    value: str


@dataclass(frozen=True)
class AttachedPermissionsBoundary:
    permissions_boundary_arn: str
    permissions_boundary_type: str = "Policy"

    @property
    def policy_name(self) -> str:
        return self.permissions_boundary_arn.rsplit("/", 1)[-1]

    @property
    def is_aws_managed(self) -> bool:
        return self.permissions_boundary_arn.startswith("arn:aws:iam::aws:")


@dataclass(frozen=True)
class LoginProfile:
    user_name: str
    create_date: datetime
    password_reset_required: bool = False


@dataclass(frozen=True)
class AccessKeyLastUsed:
    last_used_date: datetime | None
    service_name: str = "N/A"
    region: str = "N/A"


@dataclass(frozen=True)
class AccessKeyMetadata:
    user_name: str
    access_key_id: str
    status: str
    create_date: datetime
    description: str = ""
    last_used: AccessKeyLastUsed | None = None

    @property
    def is_active(self) -> bool:
        return self.status == "Active"


@dataclass(frozen=True)
class AccessKey:
    """CreateAccessKey's result: the only time the secret is seen."""

    user_name: str
    access_key_id: str
    status: str
    secret_access_key: str
    create_date: datetime


@dataclass(frozen=True)
class MFADevice:
    user_name: str
    serial_number: str
    enable_date: datetime
    device_name: str = ""
    last_used_date: datetime | None = None  # the console's "Last used"


@dataclass(frozen=True)
class User:
    path: str
    user_name: str
    user_id: str
    arn: str
    create_date: datetime
    password_last_used: datetime | None = None
    permissions_boundary: AttachedPermissionsBoundary | None = None
    tags: tuple[Tag, ...] = ()
    # the console's columns (not in AWS's User shape)
    login_profile: LoginProfile | None = None
    password_last_changed: datetime | None = None
    group_count: int | None = None
    mfa_devices: tuple[MFADevice, ...] = ()
    access_keys: tuple[AccessKeyMetadata, ...] = ()

    @property
    def has_console_password(self) -> bool:
        return self.login_profile is not None


@dataclass(frozen=True)
class Group:
    path: str
    group_name: str
    group_id: str
    arn: str
    create_date: datetime
    member_count: int | None = None  # the console's Users column
    attached_policy_names: tuple[str, ...] | None = None  # the console's Attached policies column


@dataclass(frozen=True)
class RoleLastUsed:
    last_used_date: datetime | None = None
    region: str | None = None


@dataclass(frozen=True)
class Role:
    path: str
    role_name: str
    role_id: str
    arn: str
    create_date: datetime
    assume_role_policy_document: str
    description: str = ""
    max_session_duration: int = 3600
    permissions_boundary: AttachedPermissionsBoundary | None = None
    tags: tuple[Tag, ...] = ()
    role_last_used: RoleLastUsed | None = None


class PolicyType(StrEnum):
    """The console's policy Type column."""

    AWS_MANAGED = "AWS managed"
    AWS_MANAGED_JOB_FUNCTION = "AWS managed - job function"
    CUSTOMER_MANAGED = "Customer managed"
    CUSTOMER_INLINE = "Customer inline"

    @property
    def label(self) -> str:
        """The console's words for the type, in the page's language (the value is AWS's)."""
        return POLICY_TYPE_LABELS[self]


POLICY_TYPE_LABELS = {
    PolicyType.AWS_MANAGED: _("AWS managed"),
    PolicyType.AWS_MANAGED_JOB_FUNCTION: _("AWS managed - job function"),
    PolicyType.CUSTOMER_MANAGED: _("Customer managed"),
    PolicyType.CUSTOMER_INLINE: _("Customer inline"),
}

JOB_FUNCTION_PATH = "/job-function/"


def managed_policy_type(arn: str, path: str) -> PolicyType:
    if arn.startswith("arn:aws:iam::aws:"):
        return PolicyType.AWS_MANAGED_JOB_FUNCTION if path == JOB_FUNCTION_PATH else PolicyType.AWS_MANAGED
    return PolicyType.CUSTOMER_MANAGED


@dataclass(frozen=True)
class Policy:
    policy_name: str
    policy_id: str
    arn: str
    path: str
    default_version_id: str
    attachment_count: int
    permissions_boundary_usage_count: int
    is_attachable: bool
    create_date: datetime
    update_date: datetime
    description: str = ""
    tags: tuple[Tag, ...] = ()

    @property
    def policy_type(self) -> PolicyType:
        return managed_policy_type(self.arn, self.path)

    @property
    def is_aws_managed(self) -> bool:
        return self.arn.startswith("arn:aws:iam::aws:")


@dataclass(frozen=True)
class PolicyVersion:
    document: str
    version_id: str
    is_default_version: bool
    create_date: datetime


@dataclass(frozen=True)
class AttachedPolicy:
    policy_name: str
    policy_arn: str


@dataclass(frozen=True)
class CopiedPermissions:
    """The Create user wizard's "Copy permissions": what the new user takes from ``user_name``."""

    user_name: str
    group_names: list[str]
    policy_arns: list[str]
    inline_policies: list[tuple[str, str]]  # (policy name, document)
    permissions_boundary: str | None


@dataclass(frozen=True)
class InlinePolicy:
    """GetUserPolicy / GetGroupPolicy / GetRolePolicy."""

    owner_kind: str  # "user" | "group" | "role"
    owner_name: str
    policy_name: str
    policy_document: str


class AttachedVia(StrEnum):
    """Where a policy on a Permissions tab comes from."""

    DIRECT = "direct"
    INLINE = "inline"
    GROUP = "group"


@dataclass(frozen=True)
class PermissionRow:
    """One policy that applies to a user, group or role (its Permissions tab)."""

    policy_name: str
    policy_type: PolicyType
    attached_via: AttachedVia
    policy_arn: str | None = None  # managed policies
    group_name: str | None = None  # AttachedVia.GROUP

    @property
    def is_inline(self) -> bool:
        return self.policy_type == PolicyType.CUSTOMER_INLINE


@dataclass(frozen=True)
class Permissions:
    """A Permissions tab: every policy that applies, and the permissions boundary."""

    rows: tuple[PermissionRow, ...]
    permissions_boundary: AttachedPermissionsBoundary | None = None
    boundary_type: PolicyType | None = None

    def attached_arns(self) -> set[str]:
        return {r.policy_arn for r in self.rows if r.attached_via == AttachedVia.DIRECT and r.policy_arn}

    def inline_names(self) -> list[str]:
        return [r.policy_name for r in self.rows if r.attached_via == AttachedVia.INLINE]


@dataclass(frozen=True)
class PolicyEntity:
    """A user, group or role that uses a managed policy (its name shows as itself)."""

    name: str
    id: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class PolicyEntities:
    """ListEntitiesForPolicy: the account's entities that use a managed policy."""

    users: tuple[PolicyEntity, ...] = ()
    groups: tuple[PolicyEntity, ...] = ()
    roles: tuple[PolicyEntity, ...] = ()
    boundary_users: tuple[PolicyEntity, ...] = ()
    boundary_roles: tuple[PolicyEntity, ...] = ()

    def names(self, kind: str) -> set[str]:
        return {e.name for e in getattr(self, kind)}


@dataclass(frozen=True)
class AccountSummary:
    summary_map: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationResult:
    """One action × resource of a simulation (SimulatePrincipalPolicy / SimulateCustomPolicy)."""

    eval_action_name: str
    eval_resource_name: str
    eval_decision: str
    decision: object  # the engine's Decision: matched statements, the denying policy type
    line_offsets: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Simulation:
    results: tuple[EvaluationResult, ...]
    considered: tuple[str, ...]
    subject: str


@dataclass(frozen=True)
class Credentials:
    """Temporary security credentials (STS); the secret and token are seen only once."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime


@dataclass(frozen=True)
class CallerIdentity:
    user_id: str
    account: str
    arn: str


@dataclass(frozen=True)
class AssumedRole:
    credentials: Credentials
    assumed_role_id: str
    arn: str
    packed_policy_size: int | None = None
    role_name: str = ""
    account_id: str = ""


@dataclass(frozen=True)
class InstanceProfile:
    path: str
    instance_profile_name: str
    instance_profile_id: str
    arn: str
    create_date: datetime
    roles: tuple[Role, ...] = ()
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True)
class CredentialReportState:
    """GenerateCredentialReport's result: ``STARTED`` (with AWS's description) or ``COMPLETE``."""

    state: str
    description: str | None = None


@dataclass(frozen=True)
class CredentialReport:
    """GetCredentialReport's result: the CSV's bytes (the API sends them base64-encoded)."""

    content: bytes
    generated_time: datetime
    report_format: str = "text/csv"

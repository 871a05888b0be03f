from .account import Account, PasswordPolicy
from .audit import AuditEvent
from .credentials import AccessKey, MFADevice, PendingDownload, SignInThrottle
from .identities import Group, GroupMembership, Identity, PasswordHistory
from .instance_profiles import InstanceProfile
from .policies import InlinePolicy, ManagedPolicy, PolicyVersion
from .reports import CredentialReport as CredentialReport
from .roles import Role
from .sessions import TemporaryCredential

__all__ = [
    "AccessKey",
    "MFADevice",
    "PendingDownload",
    "SignInThrottle",
    "Account",
    "AuditEvent",
    "Group",
    "GroupMembership",
    "Identity",
    "InlinePolicy",
    "InstanceProfile",
    "ManagedPolicy",
    "PasswordHistory",
    "PasswordPolicy",
    "PolicyVersion",
    "Role",
    "TemporaryCredential",
]

from .account import Account, PasswordPolicy
from .audit import AuditEvent
from .credentials import AccessKey, MFADevice, SignInFailure
from .identities import Group, GroupMembership, Identity, PasswordHistory
from .policies import InlinePolicy, ManagedPolicy, PolicyVersion
from .roles import Role

__all__ = [
    "AccessKey",
    "MFADevice",
    "SignInFailure",
    "Account",
    "AuditEvent",
    "Group",
    "GroupMembership",
    "Identity",
    "InlinePolicy",
    "ManagedPolicy",
    "PasswordHistory",
    "PasswordPolicy",
    "PolicyVersion",
    "Role",
]

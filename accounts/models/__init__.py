from .account import Account, PasswordPolicy
from .audit import AuditEvent
from .credentials import AccessKey, MFADevice, SignInFailure
from .identities import Group, GroupMembership, Identity, PasswordHistory

__all__ = [
    "AccessKey",
    "MFADevice",
    "SignInFailure",
    "Account",
    "AuditEvent",
    "Group",
    "GroupMembership",
    "Identity",
    "PasswordHistory",
    "PasswordPolicy",
]

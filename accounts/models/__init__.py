from .account import Account, PasswordPolicy
from .audit import AuditEvent
from .identities import Group, GroupMembership, Identity, PasswordHistory

__all__ = [
    "Account",
    "AuditEvent",
    "Group",
    "GroupMembership",
    "Identity",
    "PasswordHistory",
    "PasswordPolicy",
]

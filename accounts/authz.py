"""The authorization gate: may this principal perform this IAM action on this resource?

Every service function calls ``authorize`` before it reads or writes, so no caller (view,
API, command) can skip the check. Root may do everything in its own account. An IAM user
is decided by the policy engine; a few self-service actions on oneself are always open,
as in AWS's console (signing in, viewing one's own security credentials, and changing
one's own password where the account's password policy allows it).
"""

from .errors import AccessDenied
from .services.base import set_target

# What an IAM user may do to itself with no policy at all (see the module docstring).
SELF_SERVICE_ACTIONS = frozenset(
    {
        "iam:GetUser",
        "iam:GetLoginProfile",
        "iam:ListAccessKeys",
        "iam:ListMFADevices",
        "iam:ListGroupsForUser",
    }
)
# Open to every IAM user of the account when "Allow users to change their own password" is on.
CHANGE_OWN_PASSWORD_ACTIONS = frozenset({"iam:ChangePassword", "iam:GetAccountPasswordPolicy"})


def _in_account(principal, resource: str) -> bool:
    return resource == "*" or f"::{principal.account.account_id}:" in resource


def _self_service(principal, action: str, resource: str) -> bool:
    if principal.is_root:
        return False
    own = resource == principal.arn
    if action in SELF_SERVICE_ACTIONS and own:
        return True
    if action in CHANGE_OWN_PASSWORD_ACTIONS and (own or action == "iam:GetAccountPasswordPolicy"):
        rules = principal.account.password_rules()
        # A password that must be reset (or has expired) can always be changed at sign-in.
        must_change = principal.password_reset_required or principal.password_expired(rules)
        return rules.allow_users_to_change_password or must_change
    return False


def denial_message(principal, action: str, resource: str | None, reason: str | None = None) -> str:
    """AWS's AccessDenied text for an implicit deny by identity-based policies."""
    on = f" on resource: {resource}" if resource else ""
    because = reason or f"because no identity-based policy allows the {action} action"
    return f"User: {principal.arn} is not authorized to perform: {action}{on} {because}"


def is_allowed(principal, action: str, resource: str) -> bool:
    """True when ``principal`` may perform ``action`` on ``resource``; never raises."""
    if not _in_account(principal, resource):
        return False
    if principal.is_root:
        return True
    return _self_service(principal, action, resource)


def authorize(principal, action: str, resource: str) -> None:
    """Raise AccessDenied (with AWS's message) unless ``principal`` may do ``action``."""
    set_target(resource)
    if not is_allowed(principal, action, resource):
        raise AccessDenied(denial_message(principal, action, resource))

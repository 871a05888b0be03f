"""Account-scoped reads: every lookup by name stays inside the caller's account.

An object of another account is simply not found (NoSuchEntity → 404), so IDOR holes
close by construction.
"""

from ..errors import NoSuchEntity
from ..identifiers import could_name, iam_arn
from ..models import Group, Identity, Role


def user_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account.account_id, "user", path, name)


def group_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account.account_id, "group", path, name)


def role_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account.account_id, "role", path, name)


def find_user(actor, name: str, *, for_update: bool = False) -> Identity:
    """The IAM user ``name`` (case-insensitive) of the actor's account, or NoSuchEntity."""
    qs = Identity.objects.iam_users().select_related("account")
    if for_update:
        qs = qs.select_for_update()
    try:
        if not could_name("user", name):
            raise Identity.DoesNotExist
        return qs.get(account_id=actor.account_id, name__iexact=name)
    except Identity.DoesNotExist:
        raise NoSuchEntity(f"The user with name {name} cannot be found.") from None


def find_group(actor, name: str, *, for_update: bool = False) -> Group:
    """The group ``name`` (case-insensitive) of the actor's account, or NoSuchEntity."""
    qs = Group.objects.select_related("account")
    if for_update:
        qs = qs.select_for_update()
    try:
        if not could_name("group", name):
            raise Group.DoesNotExist
        return qs.get(account_id=actor.account_id, name__iexact=name)
    except Group.DoesNotExist:
        raise NoSuchEntity(f"The group with name {name} cannot be found.") from None


def find_role(actor, name: str, *, for_update: bool = False) -> Role:
    """The role ``name`` (case-insensitive) of the actor's account, or NoSuchEntity."""
    qs = Role.objects.select_related("account", "permissions_boundary")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        if not could_name("role", name):
            raise Role.DoesNotExist
        return qs.get(account_id=actor.account_id, name__iexact=name)
    except Role.DoesNotExist:
        raise NoSuchEntity(f"The role with name {name} cannot be found.") from None

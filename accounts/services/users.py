"""IAM users and their login profiles (console passwords)."""

from django.db.models import Count
from django.utils import timezone

from ..authz import authorize
from ..errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity
from ..identifiers import new_unique_id, validate_name, validate_path
from ..models import Identity
from ..passwords import generate_password
from . import access_keys as access_key_services
from . import groups as group_services
from . import mfa as mfa_services
from . import policies as policy_services
from .base import add_detail, atomic_action, bump_authz_generation, iam_action
from .credentials import check_new_password, set_password
from .lookups import find_user, user_arn


@iam_action("iam:CreateUser")
def create_user(actor, *, name: str, path: str = "/") -> Identity:
    """Create the IAM user ``name``; raises ValidationError, EntityAlreadyExists, AccessDenied."""
    validate_name("user", name)
    validate_path(path)
    authorize(actor, "iam:CreateUser", user_arn(actor, name, path))
    account = actor.account
    if Identity.objects.iam_users().filter(account=account, name__iexact=name).exists():
        raise EntityAlreadyExists(f"User with name {name} already exists.")
    user = Identity(
        account=account,
        kind=Identity.USER,
        name=name,
        path=path,
        unique_id=new_unique_id("user"),
    )
    user.set_unusable_password()
    user.save()
    return user


@iam_action("iam:GetUser")
def get_user(actor, *, user_name: str) -> Identity:
    user = find_user(actor, user_name)
    authorize(actor, "iam:GetUser", user.arn)
    return user


def list_users(actor):
    """The account's IAM users with group counts, MFA devices and access keys (3 queries in all)."""
    authorize(actor, "iam:ListUsers", user_arn(actor, ""))
    return (
        Identity.objects.iam_users()
        .filter(account_id=actor.account_id)
        .select_related("account")
        .annotate(group_count=Count("iam_groups", distinct=True))
        .prefetch_related("access_keys", "mfa_devices")
        .order_by("name")
    )


def list_groups_for_user(actor, user: Identity):
    authorize(actor, "iam:ListGroupsForUser", user.arn)
    return list(user.iam_groups.select_related("account").order_by("name"))


@iam_action("iam:CreateLoginProfile")
def create_login_profile(
    actor, *, user_name: str, password: str, password_reset_required: bool = False
) -> Identity:
    """Give ``user_name`` a console password; raises PasswordPolicyViolation, EntityAlreadyExists."""
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:CreateLoginProfile", user.arn)
    if user.has_login_profile:
        raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
    check_new_password(user, password)
    set_password(user, password)
    user.login_profile_created_at = timezone.now()
    user.password_reset_required = password_reset_required
    user.save()
    add_detail(password_reset_required=password_reset_required)
    return user


@iam_action("iam:UpdateLoginProfile")
def update_login_profile(
    actor, *, user_name: str, password: str | None = None, password_reset_required: bool | None = None
) -> Identity:
    """Reset ``user_name``'s console password and/or its must-reset flag."""
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:UpdateLoginProfile", user.arn)
    if not user.has_login_profile:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    if password is not None:
        check_new_password(user, password)
        set_password(user, password)
    if password_reset_required is not None:
        user.password_reset_required = password_reset_required
        add_detail(password_reset_required=password_reset_required)
    user.save()
    return user


@iam_action("iam:DeleteLoginProfile")
def delete_login_profile(actor, *, user_name: str) -> None:
    """Remove ``user_name``'s console access; its sessions end with the password hash."""
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:DeleteLoginProfile", user.arn)
    if not user.has_login_profile:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    user.set_unusable_password()
    user.login_profile_created_at = None
    user.password_reset_required = False
    user.password_changed_at = None
    user.save()


@iam_action("iam:DeleteUser")
def delete_user(actor, *, user_name: str) -> None:
    """Delete an IAM user that has nothing attached (the API's rule: DeleteConflict otherwise)."""
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:DeleteUser", user.arn)
    if user.has_login_profile:
        raise DeleteConflict("Cannot delete entity, must delete login profile first.")
    if user.iam_groups.exists():
        raise DeleteConflict("Cannot delete entity, must remove user from all groups first.")
    if user.attached_policies.exists() or user.inline_policies.exists():
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if user.access_keys.exists() or user.mfa_devices.exists():
        raise DeleteConflict("Cannot delete entity, must delete access keys and MFA devices first.")
    user.delete()
    bump_authz_generation(actor)


# --- the console's composite operations: several IAM actions, all or nothing ----------


def console_create_user(
    actor,
    *,
    name: str,
    console_access: bool,
    custom_password: str | None = None,
    password_reset_required: bool = True,
    group_names: tuple[str, ...] = (),
) -> tuple[Identity, str | None]:
    """Create a user as the console's wizard does: CreateUser, CreateLoginProfile, AddUserToGroup.

    Returns the user and its console password (generated when none was given), or None
    without console access. Nothing is written when any step fails.
    """
    with atomic_action():
        user = create_user(actor, name=name)
        password = None
        if console_access:
            password = custom_password or generate_password(user.account.password_rules())
            create_login_profile(
                actor,
                user_name=user.name,
                password=password,
                password_reset_required=password_reset_required,
            )
            if password_reset_required:
                policy_services.attach_change_password_if_needed(actor, user)
        for group_name in group_names:
            group_services.add_user_to_group(actor, group_name=group_name, user_name=user.name)
    user.refresh_from_db()
    return user, password


def console_enable_access(
    actor, *, user_name: str, custom_password: str | None, password_reset_required: bool
) -> str:
    """Enable console access with a custom or generated password; returns the password."""
    user = find_user(actor, user_name)
    password = custom_password or generate_password(user.account.password_rules())
    create_login_profile(
        actor, user_name=user.name, password=password, password_reset_required=password_reset_required
    )
    return password


def console_reset_password(
    actor, *, user_name: str, custom_password: str | None, password_reset_required: bool
) -> str:
    """Reset a user's console password to a custom or generated one; returns the password."""
    user = find_user(actor, user_name)
    password = custom_password or generate_password(user.account.password_rules())
    update_login_profile(
        actor, user_name=user.name, password=password, password_reset_required=password_reset_required
    )
    return password


def console_delete_user(actor, *, user_name: str) -> None:
    """Delete a user with what hangs on it, as the console does: login profile, access keys,
    MFA devices, group memberships, policies and boundary; all or nothing."""
    with atomic_action():
        user = find_user(actor, user_name)
        authorize(actor, "iam:DeleteUser", user.arn)
        if user.has_login_profile:
            delete_login_profile(actor, user_name=user.name)
        for key in list(user.access_keys.all()):
            access_key_services.delete_access_key(actor, user_name=user.name, access_key_id=key.access_key_id)
        for device in list(user.mfa_devices.all()):
            mfa_services.deactivate_mfa_device(actor, user_name=user.name, serial_number=device.serial_number)
        for group in list(user.iam_groups.all()):
            group_services.remove_user_from_group(actor, group_name=group.name, user_name=user.name)
        for policy in list(user.attached_policies.all()):
            policy_services.detach_user_policy(actor, user_name=user.name, policy_arn=policy.arn)
        for inline in list(user.inline_policies.all()):
            policy_services.delete_user_policy(actor, user_name=user.name, policy_name=inline.name)
        if user.permissions_boundary_id is not None:
            policy_services.delete_user_permissions_boundary(actor, user_name=user.name)
        delete_user(actor, user_name=user.name)

"""IAM users and their login profiles (console passwords)."""

from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from .. import shapes
from ..audit import add_detail, atomic_action
from ..authz import authorize
from ..errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity, ValidationError
from ..identifiers import new_unique_id, validate_name, validate_path
from ..models import AccessKey, Identity, MFADevice
from ..passwords import generate_password
from . import access_keys as access_key_services
from . import convert
from . import groups as group_services
from . import mfa as mfa_services
from . import permissions as permission_services
from .base import bump_authz_generation, iam_action, iam_read
from .credentials import (
    NewPassword,
    check_new_password,
    hash_new_password,
    prepare_new_password,
    set_password,
)
from .lookups import account_of, find_policy, find_user, subject_of, user_arn
from .paging import every_page, paginate
from .tables import TablePage, table_page
from .tags import tag_new


@iam_action("iam:CreateUser")
def create_user(
    actor, *, user_name: str, path: str = "/", permissions_boundary: str | None = None, tags=()
) -> shapes.User:
    """Create the IAM user ``user_name`` (with a permissions boundary and tags when given);
    raises ValidationError, EntityAlreadyExists, NoSuchEntity (boundary), AccessDenied."""
    validate_name("user", user_name)
    validate_path(path)
    authorize(actor, "iam:CreateUser", user_arn(actor, user_name, path))
    if Identity.objects.iam_users().filter(account_id=actor.account_id, name__iexact=user_name).exists():
        raise EntityAlreadyExists(f"User with name {user_name} already exists.")
    user = Identity(
        account_id=actor.account_id,
        kind=Identity.USER,
        name=user_name,
        path=path,
        unique_id=new_unique_id("user"),
    )
    if permissions_boundary:
        user.permissions_boundary = find_policy(actor, permissions_boundary)
    user.set_unusable_password()
    tag_new(user, tags, "TagsPerUser")
    user.save()
    return convert.user(user)


@iam_read("iam:GetUser")
def get_user(actor, *, user_name: str | None = None) -> shapes.User:
    """The named IAM user, or the caller itself when no name is given (as AWS's GetUser)."""
    if user_name is None and actor.is_role_session:
        raise ValidationError("Must specify userName when calling with non-User credentials")
    user = subject_of(actor, user_name)
    authorize(actor, "iam:GetUser", user.arn)
    return convert.user(user)


@iam_read("iam:ListUsers")
def list_users(actor, *, path_prefix: str = "/", marker: str | None = None, max_items: int | None = None):
    """A page of the account's IAM users, as ListUsers answers (one query a page; the
    console's Users table, with its groups, MFA and key columns, is ``search_users``)."""
    authorize(actor, "iam:ListUsers", user_arn(actor, ""))
    qs = (
        Identity.objects.iam_users()
        .filter(account_id=actor.account_id, path__startswith=path_prefix or "/")
        .select_related("permissions_boundary")
        .annotate(sort_key=Lower("name"))
    )
    return paginate(qs, key="sort_key", marker=marker, max_items=max_items, convert=convert.user)


@iam_read("iam:ListGroupsForUser")
def list_groups_for_user(actor, *, user_name: str, marker: str | None = None, max_items: int | None = None):
    user = find_user(actor, user_name)
    authorize(actor, "iam:ListGroupsForUser", user.arn)
    qs = user.iam_groups.annotate(sort_key=Lower("name"))
    return paginate(qs, key="sort_key", marker=marker, max_items=max_items, convert=convert.group)


def _login_profile_must(user, exist: bool) -> None:
    if exist and not user.has_login_profile:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    if not exist and user.has_login_profile:
        raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")


def _password_hashed_first(action: str, *, profile_exists: bool):
    """The ``prepare`` step of CreateLoginProfile and UpdateLoginProfile: the same checks in
    the same order as the action, then the new password checked and hashed, outside the
    transaction (a prepared ``NewPassword`` is passed on as it is)."""

    def prepare(actor, *, user_name: str, password=None, **_) -> dict:
        if password is None or isinstance(password, NewPassword):
            return {}
        user = find_user(actor, user_name)
        authorize(actor, action, user.arn)
        _login_profile_must(user, exist=profile_exists)
        return {"password": prepare_new_password(user, password)}

    return prepare


@iam_action(
    "iam:CreateLoginProfile", prepare=_password_hashed_first("iam:CreateLoginProfile", profile_exists=False)
)
def create_login_profile(
    actor, *, user_name: str, password: str | NewPassword, password_reset_required: bool = False
) -> shapes.LoginProfile:
    """Give ``user_name`` a console password; raises PasswordPolicyViolation, EntityAlreadyExists."""
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:CreateLoginProfile", user.arn)
    _login_profile_must(user, exist=False)
    check_new_password(user, password)
    set_password(user, password)
    user.login_profile_created_at = timezone.now()
    user.password_reset_required = password_reset_required
    user.save()
    add_detail(password_reset_required=password_reset_required)
    return convert.login_profile(user)


@iam_read("iam:GetLoginProfile")
def get_login_profile(actor, *, user_name: str | None = None) -> shapes.LoginProfile:
    user = subject_of(actor, user_name)
    authorize(actor, "iam:GetLoginProfile", user.arn)
    if not user.has_login_profile or user.is_root:
        raise NoSuchEntity(f"Login Profile for User {user.name or 'root'} cannot be found.")
    return convert.login_profile(user)


@iam_action(
    "iam:UpdateLoginProfile", prepare=_password_hashed_first("iam:UpdateLoginProfile", profile_exists=True)
)
def update_login_profile(
    actor,
    *,
    user_name: str,
    password: str | NewPassword | None = None,
    password_reset_required: bool | None = None,
) -> None:
    """Reset ``user_name``'s console password and/or its must-reset flag."""
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:UpdateLoginProfile", user.arn)
    _login_profile_must(user, exist=True)
    if password is not None:
        check_new_password(user, password)
        set_password(user, password)
    if password_reset_required is not None:
        user.password_reset_required = password_reset_required
        add_detail(password_reset_required=password_reset_required)
    user.save()


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


@iam_action("iam:UpdateUser")
def update_user(
    actor, *, user_name: str, new_user_name: str | None = None, new_path: str | None = None
) -> None:
    """Rename a user and/or move it to another path (AWS's UpdateUser)."""
    user = find_user(actor, user_name, for_update=True)
    authorize(actor, "iam:UpdateUser", user.arn)
    if new_user_name is not None:
        validate_name("user", new_user_name)
        taken = Identity.objects.iam_users().filter(account_id=actor.account_id, name__iexact=new_user_name)
        if taken.exclude(pk=user.pk).exists():
            raise EntityAlreadyExists(f"User with name {new_user_name} already exists.")
        authorize(actor, "iam:UpdateUser", user_arn(actor, new_user_name, new_path or user.path))
        user.name = new_user_name
    if new_path is not None:
        user.path = validate_path(new_path)
    add_detail(new_user_name=new_user_name, new_path=new_path)
    user.save(update_fields=["name", "path"])
    bump_authz_generation(actor)


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


def _console_password(actor, custom_password: str | None) -> str:
    return custom_password or generate_password(account_of(actor).password_rules())


def console_create_user(
    actor,
    *,
    user_name: str,
    console_access: bool,
    custom_password: str | None = None,
    password_reset_required: bool = True,
    group_names=(),
    copy_from_user: str | None = None,
    policy_arns=(),
    permissions_boundary: str | None = None,
    tags=(),
) -> tuple[shapes.User, str | None]:
    """Create a user as the console's Create user wizard does: CreateUser (with the boundary
    and tags), CreateLoginProfile, AddUserToGroup, AttachUserPolicy; "Copy permissions" copies
    the source user's groups, attached and inline policies and boundary (the wizard's own
    boundary wins).

    Returns the user and its console password (generated when none was given), or None
    without console access. Nothing is written when any step fails. The password is hashed
    before the transaction begins (PBKDF2 would hold the locks for ~350 ms).
    """
    password = prepared = None
    if console_access:
        password = _console_password(actor, custom_password)
        prepared = hash_new_password(password)
    with atomic_action():
        group_names, policy_arns, inline = list(group_names), list(policy_arns), []
        if copy_from_user:
            copied = copy_permissions_of(actor, user_name=copy_from_user)
            group_names += copied.group_names
            policy_arns += copied.policy_arns
            inline = copied.inline_policies
            permissions_boundary = permissions_boundary or copied.permissions_boundary
        user = create_user(
            actor, user_name=user_name, permissions_boundary=permissions_boundary or None, tags=tags
        )
        if console_access:
            create_login_profile(
                actor,
                user_name=user.user_name,
                password=prepared,
                password_reset_required=password_reset_required,
            )
            if password_reset_required:
                permission_services.attach_change_password_if_needed(actor, user_name=user.user_name)
        for group_name in dict.fromkeys(group_names):
            group_services.add_user_to_group(actor, group_name=group_name, user_name=user.user_name)
        attached = set(find_user(actor, user.user_name).attached_policies.values_list("arn", flat=True))
        for arn in dict.fromkeys(policy_arns):
            if arn not in attached:
                permission_services.attach_user_policy(actor, user_name=user.user_name, policy_arn=arn)
        for name, document in inline:
            permission_services.put_user_policy(
                actor, user_name=user.user_name, policy_name=name, policy_document=document
            )
    return convert.user(find_user(actor, user.user_name)), password


def copy_permissions_of(actor, *, user_name: str) -> shapes.CopiedPermissions:
    """What the wizard's "Copy permissions" takes from ``user_name``: its groups, attached and
    inline policies and permissions boundary, read through the IAM actions the console calls."""
    source = get_user(actor, user_name=user_name)
    groups = every_page(list_groups_for_user, actor, user_name=source.user_name)
    attached = every_page(permission_services.list_attached_user_policies, actor, user_name=source.user_name)
    names = every_page(permission_services.list_user_policies, actor, user_name=source.user_name)
    inline = [
        (name, permission_services.get_user_policy(actor, user_name=source.user_name, policy_name=name))
        for name in names
    ]
    boundary = source.permissions_boundary
    return shapes.CopiedPermissions(
        user_name=source.user_name,
        group_names=[g.group_name for g in groups],
        policy_arns=[p.policy_arn for p in attached],
        inline_policies=[(name, policy.policy_document) for name, policy in inline],
        permissions_boundary=boundary.permissions_boundary_arn if boundary else None,
    )


def console_enable_access(
    actor, *, user_name: str, custom_password: str | None, password_reset_required: bool
) -> str:
    """Enable console access with a custom or generated password; returns the password."""
    password = _console_password(actor, custom_password)
    create_login_profile(
        actor, user_name=user_name, password=password, password_reset_required=password_reset_required
    )
    return password


def console_reset_password(
    actor, *, user_name: str, custom_password: str | None, password_reset_required: bool
) -> str:
    """Reset a user's console password to a custom or generated one; returns the password."""
    password = _console_password(actor, custom_password)
    update_login_profile(
        actor, user_name=user_name, password=password, password_reset_required=password_reset_required
    )
    return password


def console_delete_user(actor, *, user_name: str) -> None:
    """Delete a user with what hangs on it, as the console does: login profile, access keys,
    MFA devices, group memberships, policies and boundary; all or nothing."""
    with atomic_action():
        user = find_user(actor, user_name)
        authorize(actor, "iam:DeleteUser", user.arn)
        name = user.name
        if user.has_login_profile:
            delete_login_profile(actor, user_name=name)
        for key_id in list(user.access_keys.values_list("access_key_id", flat=True)):
            access_key_services.delete_access_key(actor, user_name=name, access_key_id=key_id)
        for serial in list(user.mfa_devices.values_list("serial_number", flat=True)):
            mfa_services.console_remove_mfa_device(actor, user_name=name, serial_number=serial)
        for group_name in list(user.iam_groups.values_list("name", flat=True)):
            group_services.remove_user_from_group(actor, group_name=group_name, user_name=name)
        for arn in list(user.attached_policies.values_list("arn", flat=True)):
            permission_services.detach_user_policy(actor, user_name=name, policy_arn=arn)
        for policy_name in list(user.inline_policies.values_list("name", flat=True)):
            permission_services.delete_user_policy(actor, user_name=name, policy_name=policy_name)
        if user.permissions_boundary_id is not None:
            permission_services.delete_user_permissions_boundary(actor, user_name=name)
        delete_user(actor, user_name=name)


USER_SORTS = {
    "user_name": ("sort_key",),
    "path": ("path", "sort_key"),
    "groups": ("group_count",),
    "last_activity": ("last_login",),
    "password_age": ("password_changed_at",),
    "created": ("created_at",),
}


def with_keys_and_devices(rows: list) -> list:
    """``rows`` (users) with their access keys and MFA devices read in one query each, as
    ``prefetch_related("access_keys", "mfa_devices")`` would leave them (in their models'
    order), without its per-row queryset work (a third of a 100-row Users page's time)."""
    ids = [row.pk for row in rows]
    keys: dict[int, list] = {pk: [] for pk in ids}
    devices: dict[int, list] = {pk: [] for pk in ids}
    for key in AccessKey.objects.filter(identity_id__in=ids):
        keys[key.identity_id].append(key)
    for device in MFADevice.objects.filter(identity_id__in=ids):
        devices[device.identity_id].append(device)
    for row in rows:
        cache = row.__dict__.setdefault("_prefetched_objects_cache", {})
        cache["access_keys"], cache["mfa_devices"] = keys[row.pk], devices[row.pk]
    return rows


@iam_read("iam:ListUsers")
def search_users(
    actor,
    *,
    query: str = "",
    sort: str = "user_name",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> TablePage:
    """The console's Users table: a page of the account's users whose name holds ``query``,
    sorted by a column, with the Users page's columns (a fixed number of queries)."""
    authorize(actor, "iam:ListUsers", user_arn(actor, ""))
    qs = Identity.objects.iam_users().filter(account_id=actor.account_id).annotate(sort_key=Lower("name"))

    def prepare(page_qs):
        page_qs = page_qs.annotate(group_count=Count("iam_groups", distinct=True))
        return with_keys_and_devices(list(page_qs.select_related("permissions_boundary")))

    return table_page(
        qs,
        query=query,
        search_fields=("name",),
        sorts=USER_SORTS,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
        prepare=prepare,
        sort_annotations={"groups": {"group_count": Count("iam_groups")}},  # a membership is unique
        convert=lambda u: convert.user(u, details=True),
    )


def console_delete_users(actor, *, user_names) -> None:
    """The Users table's Delete of several users: each as the console deletes one; all or nothing."""
    with atomic_action():
        for name in user_names:
            console_delete_user(actor, user_name=name)

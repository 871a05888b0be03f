"""Rows to shapes: how the services turn model instances into the plain data they return."""

from .. import shapes
from ..identifiers import iam_arn


def tags_of(row) -> tuple[shapes.Tag, ...]:
    return tuple(shapes.Tag(t["Key"], t["Value"]) for t in (row.tags or ()))


def boundary_of(row) -> shapes.AttachedPermissionsBoundary | None:
    """The permissions boundary of a user or role row (its ``permissions_boundary`` selected)."""
    if row.permissions_boundary_id is None:
        return None
    return shapes.AttachedPermissionsBoundary(row.permissions_boundary.arn)


def login_profile(identity) -> shapes.LoginProfile | None:
    if identity.login_profile_created_at is None:
        return None
    return shapes.LoginProfile(
        user_name=identity.name,
        create_date=identity.login_profile_created_at,
        password_reset_required=identity.password_reset_required,
    )


def access_key_metadata(key, user_name: str) -> shapes.AccessKeyMetadata:
    return shapes.AccessKeyMetadata(
        user_name=user_name,
        access_key_id=key.access_key_id,
        status=key.status,
        create_date=key.created_at,
        description=key.description,
        last_used=shapes.AccessKeyLastUsed(
            last_used_date=key.last_used_at,
            service_name=key.last_used_service or "N/A",
            region=key.last_used_region or "N/A",
        ),
    )


def mfa_device(device, user_name: str) -> shapes.MFADevice:
    return shapes.MFADevice(
        user_name=user_name,
        serial_number=device.serial_number,
        enable_date=device.created_at,
        device_name=device.name,
        last_used_date=device.last_used_at,
    )


def user(identity, *, details: bool = False) -> shapes.User:
    """An IAM user; ``details`` adds the Users page's columns (groups, MFA, keys: prefetched)."""
    extra = {}
    if details:
        extra = {
            "group_count": getattr(identity, "group_count", None),
            "mfa_devices": tuple(mfa_device(d, identity.name) for d in identity.mfa_devices.all()),
            "access_keys": tuple(access_key_metadata(k, identity.name) for k in identity.access_keys.all()),
        }
    return shapes.User(
        path=identity.path,
        user_name=identity.name,
        user_id=identity.unique_id,
        arn=iam_arn(identity.account_id, "user", identity.path, identity.name),
        create_date=identity.created_at,
        password_last_used=identity.last_login,
        permissions_boundary=boundary_of(identity),
        tags=tags_of(identity),
        login_profile=login_profile(identity),
        password_last_changed=identity.password_changed_at,
        **extra,
    )


def group(row) -> shapes.Group:
    return shapes.Group(
        path=row.path,
        group_name=row.name,
        group_id=row.unique_id,
        arn=iam_arn(row.account_id, "group", row.path, row.name),
        create_date=row.created_at,
        member_count=getattr(row, "member_count", None),
        attached_policy_names=_prefetched_names(row, "attached_policies"),
    )


def _prefetched_names(row, relation: str) -> tuple[str, ...] | None:
    """The names of ``row``'s related rows when the page prefetched them (no query), else None."""
    cache = getattr(row, "_prefetched_objects_cache", {})
    if relation not in cache:
        return None
    return tuple(sorted((r.name for r in cache[relation]), key=str.lower))


def role(row) -> shapes.Role:
    return shapes.Role(
        path=row.path,
        role_name=row.name,
        role_id=row.unique_id,
        arn=iam_arn(row.account_id, "role", row.path, row.name),
        create_date=row.created_at,
        assume_role_policy_document=row.assume_role_policy_document,
        description=row.description,
        max_session_duration=row.max_session_duration,
        permissions_boundary=boundary_of(row),
        tags=tags_of(row),
        role_last_used=shapes.RoleLastUsed(row.last_used_at, row.last_used_region or None),
    )


def policy(row) -> shapes.Policy:
    """A managed policy; its counts come annotated (``attachment_count``, ``boundary_count``)."""
    return shapes.Policy(
        policy_name=row.name,
        policy_id=row.unique_id,
        arn=row.arn,
        path=row.path,
        default_version_id=row.default_version_id,
        attachment_count=getattr(row, "attachment_count", 0) or 0,
        permissions_boundary_usage_count=getattr(row, "boundary_count", 0) or 0,
        is_attachable=True,
        create_date=row.created_at,
        update_date=row.updated_at,
        description=row.description,
        tags=tags_of(row),
    )


def policy_version(row) -> shapes.PolicyVersion:
    return shapes.PolicyVersion(
        document=row.document,
        version_id=row.version_id,
        is_default_version=row.is_default,
        create_date=row.created_at,
    )

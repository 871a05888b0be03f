"""IAM instance profiles: how a role reaches an EC2 instance. Each holds at most one role; the
console makes one with the same name as each role it creates for EC2."""

from django.db.models.functions import Lower

from .. import shapes
from ..audit import add_detail
from ..authz import authorize
from ..errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from ..identifiers import could_name, iam_arn, new_unique_id, validate_name, validate_path
from ..models import InstanceProfile
from . import convert
from .base import iam_action, iam_read
from .lookups import find_role
from .paging import paginate
from .tags import tag_new

ROLES_PER_INSTANCE_PROFILE = 1
INSTANCE_PROFILES_PER_ACCOUNT = 1000


def instance_profile_arn(actor, name: str, path: str = "/") -> str:
    return iam_arn(actor.account_id, "instance-profile", path, name)


def _shape(row: InstanceProfile) -> shapes.InstanceProfile:
    return shapes.InstanceProfile(
        path=row.path,
        instance_profile_name=row.name,
        instance_profile_id=row.unique_id,
        arn=row.arn,
        create_date=row.created_at,
        roles=tuple(convert.role(r) for r in row.roles.all()),
        tags=convert.tags_of(row),
    )


def find_instance_profile(actor, name: str, *, for_update: bool = False) -> InstanceProfile:
    qs = InstanceProfile.objects.prefetch_related("roles__permissions_boundary")
    if for_update:
        qs = qs.select_for_update()
    found = (
        qs.filter(account_id=actor.account_id, name__iexact=name).first()
        if could_name("instance_profile", name)
        else None
    )
    if found is None:
        raise NoSuchEntity(f"Instance Profile {name} cannot be found.")
    return found


@iam_action("iam:CreateInstanceProfile")
def create_instance_profile(
    actor, *, instance_profile_name: str, path: str = "/", tags=()
) -> shapes.InstanceProfile:
    name = instance_profile_name
    validate_name("instance_profile", name)
    validate_path(path)
    authorize(actor, "iam:CreateInstanceProfile", instance_profile_arn(actor, name, path))
    if InstanceProfile.objects.filter(account_id=actor.account_id, name__iexact=name).exists():
        raise EntityAlreadyExists(f"Instance Profile {name} already exists.")
    if InstanceProfile.objects.filter(account_id=actor.account_id).count() >= INSTANCE_PROFILES_PER_ACCOUNT:
        raise LimitExceeded(
            f"Cannot exceed quota for InstanceProfilesPerAccount: {INSTANCE_PROFILES_PER_ACCOUNT}"
        )
    row = InstanceProfile(
        account_id=actor.account_id, name=name, path=path, unique_id=new_unique_id("instance_profile")
    )
    tag_new(row, tags, "TagsPerInstanceProfile")
    row.save()
    return _shape(row)


@iam_read("iam:GetInstanceProfile")
def get_instance_profile(actor, *, instance_profile_name: str) -> shapes.InstanceProfile:
    row = find_instance_profile(actor, instance_profile_name)
    authorize(actor, "iam:GetInstanceProfile", row.arn)
    return _shape(row)


@iam_read("iam:ListInstanceProfiles")
def list_instance_profiles(actor, *, path_prefix: str = "/", marker=None, max_items=None) -> shapes.Page:
    authorize(actor, "iam:ListInstanceProfiles", instance_profile_arn(actor, ""))
    qs = (
        InstanceProfile.objects.filter(account_id=actor.account_id, path__startswith=path_prefix or "/")
        .prefetch_related("roles__permissions_boundary")
        .annotate(sort_key=Lower("name"))
    )
    return paginate(qs, key="sort_key", marker=marker, max_items=max_items, convert=_shape)


@iam_read("iam:ListInstanceProfilesForRole")
def list_instance_profiles_for_role(actor, *, role_name: str, marker=None, max_items=None) -> shapes.Page:
    role = find_role(actor, role_name)
    authorize(actor, "iam:ListInstanceProfilesForRole", role.arn)
    qs = role.instance_profiles.prefetch_related("roles__permissions_boundary").annotate(
        sort_key=Lower("name")
    )
    return paginate(qs, key="sort_key", marker=marker, max_items=max_items, convert=_shape)


@iam_action("iam:AddRoleToInstanceProfile")
def add_role_to_instance_profile(actor, *, instance_profile_name: str, role_name: str) -> None:
    row = find_instance_profile(actor, instance_profile_name, for_update=True)
    authorize(actor, "iam:AddRoleToInstanceProfile", row.arn)
    role = find_role(actor, role_name)
    # AWS: whoever puts a role in an instance profile passes it (to the instances using it)
    authorize(actor, "iam:PassRole", role.arn)
    add_detail(role_name=role.name)
    if row.roles.count() >= ROLES_PER_INSTANCE_PROFILE:
        raise LimitExceeded(
            f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_INSTANCE_PROFILE}"
        )
    row.roles.add(role)


@iam_action("iam:RemoveRoleFromInstanceProfile")
def remove_role_from_instance_profile(actor, *, instance_profile_name: str, role_name: str) -> None:
    row = find_instance_profile(actor, instance_profile_name, for_update=True)
    authorize(actor, "iam:RemoveRoleFromInstanceProfile", row.arn)
    role = find_role(actor, role_name)
    if not row.roles.filter(pk=role.pk).exists():
        raise NoSuchEntity(f"The role with name {role.name} cannot be found.")
    add_detail(role_name=role.name)
    row.roles.remove(role)


@iam_action("iam:DeleteInstanceProfile")
def delete_instance_profile(actor, *, instance_profile_name: str) -> None:
    row = find_instance_profile(actor, instance_profile_name, for_update=True)
    authorize(actor, "iam:DeleteInstanceProfile", row.arn)
    if row.roles.exists():
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
    row.delete()

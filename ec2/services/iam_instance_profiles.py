"""An instance's IAM instance profile: AssociateIamInstanceProfile,
DescribeIamInstanceProfileAssociations, ReplaceIamInstanceProfileAssociation,
DisassociateIamInstanceProfile.

An instance has at most one association. Giving it a profile (associate, replace) needs
``iam:PassRole`` on the profile's role besides the EC2 action; taking it away or replacing it
ends the instance's role sessions at once.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.audit import add_detail
from accounts.services import sts
from accounts.services.base import iam_action, iam_read

from .. import ids, shapes, states
from ..errors import (
    IncorrectInstanceState,
    IncorrectState,
    InvalidAssociationIDNotFound,
    MissingParameter,
)
from ..models import IamInstanceProfileAssociation
from . import access, profiles
from .filters import check_paging, matches, page, parse_filters


def _shape(association, state: str) -> shapes.IamInstanceProfileAssociation:
    return shapes.IamInstanceProfileAssociation(
        association_id=association.association_id,
        instance_id=association.instance.instance_id,
        iam_instance_profile=shapes.IamInstanceProfile(
            arn=association.profile_arn,
            id=association.profile_unique_id,
            association_id=association.association_id,
        ),
        state=state,
        timestamp=association.created_at,
    )


def _find_association(actor, region: str, association_id):
    """The association (its instance locked) in the caller's account and region."""
    if not association_id:
        raise MissingParameter("The request must contain the parameter AssociationId")
    found = None
    if ids.is_association_id(association_id):
        found = (
            IamInstanceProfileAssociation.objects.select_related("instance", "instance_profile")
            .filter(
                association_id=association_id,
                instance__account_id=actor.account_id,
                instance__region=region,
            )
            .first()
        )
    if found is None:
        raise InvalidAssociationIDNotFound(f"The association ID '{str(association_id)[:64]}' does not exist")
    # lock and reload the instance with what the gate's condition keys need
    found.instance = access.find_instance(actor, found.instance.instance_id, region, for_update=True)
    return found


def _give_profile(actor, row, spec: dict):
    profile, role = profiles.resolve(actor, spec)
    if role is not None:
        profiles.authorize_pass_role(actor, role, row.arn)
    return profile


def _check_alive(row) -> None:
    if access.state_of(row) in (states.SHUTTING_DOWN, states.TERMINATED):
        raise IncorrectInstanceState(
            f"The instance '{row.instance_id}' is not in a valid state for this operation."
        )


@iam_action("ec2:AssociateIamInstanceProfile")
def associate_iam_instance_profile(
    actor, *, region: str, instance_id: str | None = None, iam_instance_profile: dict | None = None
) -> shapes.IamInstanceProfileAssociation:
    """Give an instance with no profile the instance profile ``iam_instance_profile``."""
    access.check_region(region)
    if not instance_id:
        raise MissingParameter("The request must contain the parameter InstanceId")
    if not iam_instance_profile:
        raise MissingParameter("The request must contain the parameter IamInstanceProfile")
    row = access.find_instance(actor, instance_id, region, for_update=True)
    access.authorize(actor, "ec2:AssociateIamInstanceProfile", row.arn, access.instance_context(row))
    _check_alive(row)
    if IamInstanceProfileAssociation.objects.filter(instance=row).exists():
        raise IncorrectState(f"There is an existing association for instance {row.instance_id}")
    profile = _give_profile(actor, row, iam_instance_profile)
    association = IamInstanceProfileAssociation.objects.create(
        association_id=ids.new_id("iip-assoc"),
        instance=row,
        instance_profile=profile,
        profile_arn=profile.arn,
        profile_unique_id=profile.unique_id,
    )
    add_detail(region=region, instance_id=row.instance_id, iam_instance_profile=profile.arn)
    return _shape(association, "associating")


@iam_action("ec2:ReplaceIamInstanceProfileAssociation")
def replace_iam_instance_profile_association(
    actor, *, region: str, association_id: str | None = None, iam_instance_profile: dict | None = None
) -> shapes.IamInstanceProfileAssociation:
    """Give the instance of ``association_id`` another instance profile (a new association);
    its role sessions end."""
    access.check_region(region)
    if not iam_instance_profile:
        raise MissingParameter("The request must contain the parameter IamInstanceProfile")
    old = _find_association(actor, region, association_id)
    row = old.instance
    access.authorize(actor, "ec2:ReplaceIamInstanceProfileAssociation", row.arn, access.instance_context(row))
    _check_alive(row)
    profile = _give_profile(actor, row, iam_instance_profile)
    old.delete()
    sts.revoke_service_role_sessions(source_arn=row.arn)
    association = IamInstanceProfileAssociation.objects.create(
        association_id=ids.new_id("iip-assoc"),
        instance=row,
        instance_profile=profile,
        profile_arn=profile.arn,
        profile_unique_id=profile.unique_id,
    )
    add_detail(region=region, instance_id=row.instance_id, iam_instance_profile=profile.arn)
    return _shape(association, "associating")


@iam_action("ec2:DisassociateIamInstanceProfile")
def disassociate_iam_instance_profile(
    actor, *, region: str, association_id: str | None = None
) -> shapes.IamInstanceProfileAssociation:
    """Take the instance profile away from its instance; the instance's role sessions end."""
    access.check_region(region)
    association = _find_association(actor, region, association_id)
    row = association.instance
    access.authorize(actor, "ec2:DisassociateIamInstanceProfile", row.arn, access.instance_context(row))
    shape = _shape(association, "disassociating")
    association.delete()
    sts.revoke_service_role_sessions(source_arn=row.arn)
    add_detail(region=region, instance_id=row.instance_id, association_id=shape.association_id)
    return shape


ASSOCIATION_FILTERS = {
    "instance-id": lambda a: [a.instance_id],
    "state": lambda a: [a.state],
}


@iam_read("ec2:DescribeIamInstanceProfileAssociations")
def describe_iam_instance_profile_associations(
    actor,
    *,
    region: str,
    association_ids=(),
    filters=(),
    max_results: int | None = None,
    next_token: str | None = None,
) -> shapes.Page:
    """The associations of the caller's instances in ``region`` (of instances not
    terminated), filtered by ``instance-id`` and ``state``, paged."""
    access.check_region(region)
    parsed = parse_filters(filters, ASSOCIATION_FILTERS)
    size, after = check_paging(
        max_results, next_token, ids_given=bool(association_ids), ids_parameter="associationIds"
    )
    access.authorize(actor, "ec2:DescribeIamInstanceProfileAssociations", "*", {"ec2:Region": region})
    qs = IamInstanceProfileAssociation.objects.select_related("instance").filter(
        instance__account_id=actor.account_id, instance__region=region
    )
    wanted = list(association_ids or ())
    if wanted:
        qs = qs.filter(association_id__in=[a for a in wanted if ids.is_association_id(a)])
    now = timezone.now()
    rows = [a for a in qs.order_by("id") if access.state_of(a.instance, now) not in (states.TERMINATED,)]
    if wanted:
        present = {a.association_id for a in rows}
        missing = [a for a in wanted if a not in present]
        if missing:
            raise InvalidAssociationIDNotFound(f"The association ID '{str(missing[0])[:64]}' does not exist")
    items = [(a.pk, _shape(a, "associated")) for a in rows]
    items = [(pk, shape) for pk, shape in items if matches(shape, parsed)]
    chosen, token = page(items, lambda item: item[0], size, after)
    return shapes.Page([shape for _, shape in chosen], token)


def console_modify_iam_role(actor, *, region: str, instance_id: str, instance_profile_name: str) -> str:
    """The console's Modify IAM role: associate, replace or disassociate so that the instance
    has the instance profile ``instance_profile_name`` ("" for none). Returns what was done:
    ``"associated"``, ``"replaced"``, ``"disassociated"`` or ``"unchanged"``."""
    from .instances import describe_instances

    found = describe_instances(actor, region=region, instance_ids=[instance_id]).items[0]
    current = found.iam_instance_profile
    if not instance_profile_name:
        if current is None:
            return "unchanged"
        disassociate_iam_instance_profile(actor, region=region, association_id=current.association_id)
        return "disassociated"
    if current is None:
        associate_iam_instance_profile(
            actor,
            region=region,
            instance_id=instance_id,
            iam_instance_profile={"Name": instance_profile_name},
        )
        return "associated"
    if current.name == instance_profile_name:
        return "unchanged"
    replace_iam_instance_profile_association(
        actor,
        region=region,
        association_id=current.association_id,
        iam_instance_profile={"Name": instance_profile_name},
    )
    return "replaced"

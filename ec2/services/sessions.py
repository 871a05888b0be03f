"""Ending instances' role sessions when IAM takes a role out of their instance profile."""

from accounts.services import sts

from ..models import IamInstanceProfileAssociation


def end_for_profiles(profile_ids) -> None:
    """End the role sessions of every instance associated with one of ``profile_ids``."""
    associations = IamInstanceProfileAssociation.objects.filter(instance_profile_id__in=list(profile_ids))
    for association in associations.select_related("instance"):
        sts.revoke_service_role_sessions(source_arn=association.instance.arn)

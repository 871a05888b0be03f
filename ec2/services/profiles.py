"""The IAM side of giving an instance a role: finding the instance profile a request names
(``{"Arn": …}`` or ``{"Name": …}``, in the caller's account) and ``iam:PassRole`` on its role."""

from __future__ import annotations

from accounts.errors import NoSuchEntity
from accounts.services.instance_profiles import find_instance_profile

from ..errors import InvalidParameterCombination, InvalidParameterValue, MissingParameter
from . import access

EC2_SERVICE = "ec2.amazonaws.com"


def _invalid_name(name: str) -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Value ({str(name)[:256]}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
    )


def _invalid_arn(arn: str) -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Value ({str(arn)[:2048]}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN"
    )


def resolve(actor, spec: dict):
    """``(instance profile row, its role or None)`` for ``spec``; InvalidParameterValue when
    it names no instance profile of the caller's account."""
    arn, name = spec.get("Arn"), spec.get("Name")
    if not arn and not name:
        raise MissingParameter(
            "The request must contain the parameter IamInstanceProfile.Arn or IamInstanceProfile.Name"
        )
    profile = None
    if arn:
        parts = arn.split(":", 5)
        if (
            len(parts) != 6
            or parts[:4] != ["arn", "aws", "iam", ""]
            or not parts[5].startswith("instance-profile/")
        ):
            raise _invalid_arn(arn)
        if parts[4] != actor.account_id:
            raise _invalid_arn(arn)
        try:
            profile = find_instance_profile(actor, parts[5].rsplit("/", 1)[-1])
        except NoSuchEntity:
            raise _invalid_arn(arn) from None
        if profile.arn != arn:
            raise _invalid_arn(arn)
    if name:
        if profile is not None:
            if profile.name != name:
                raise InvalidParameterCombination(
                    "The parameter iamInstanceProfile.name cannot be used with iamInstanceProfile.arn"
                )
        else:
            try:
                profile = find_instance_profile(actor, name)
            except NoSuchEntity:
                raise _invalid_name(name) from None
    role = next(iter(profile.roles.all()), None)
    return profile, role


def authorize_pass_role(actor, role, resource_arn: str) -> None:
    """iam:PassRole on the role, to EC2, for ``resource_arn`` (UnauthorizedOperation if not)."""
    access.authorize(
        actor,
        "iam:PassRole",
        role.arn,
        {"iam:PassedToService": EC2_SERVICE, "iam:AssociatedResourceARN": resource_arn},
    )

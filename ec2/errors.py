"""EC2's error codes, one exception type each (``accounts.errors`` holds IAM's).

They derive from ``IAMError`` so that the API endpoint answers them in EC2's error XML with
their status, and the audit trail records their code. ``UnauthorizedOperation`` is an
``AccessDenied``: the console treats every refusal alike.
"""

from accounts.errors import AccessDenied, IAMError


class EC2Error(IAMError):
    status = 400


class UnauthorizedOperation(AccessDenied):
    code = "UnauthorizedOperation"
    status = 403


class DryRunOperation(EC2Error):
    code = "DryRunOperation"
    status = 412


class InvalidInstanceIDNotFound(EC2Error):
    code = "InvalidInstanceID.NotFound"


class InvalidInstanceIDMalformed(EC2Error):
    code = "InvalidInstanceID.Malformed"


class InvalidAMIIDNotFound(EC2Error):
    code = "InvalidAMIID.NotFound"


class InvalidAMIIDMalformed(EC2Error):
    code = "InvalidAMIID.Malformed"


class InvalidAssociationIDNotFound(EC2Error):
    code = "InvalidAssociationID.NotFound"


class InvalidID(EC2Error):
    code = "InvalidID"


class IncorrectInstanceState(EC2Error):
    code = "IncorrectInstanceState"


class IncorrectState(EC2Error):
    code = "IncorrectState"


class InvalidParameterValue(EC2Error):
    code = "InvalidParameterValue"


class InvalidParameterCombination(EC2Error):
    code = "InvalidParameterCombination"


class MissingParameter(EC2Error):
    code = "MissingParameter"


class InvalidFilter(EC2Error):
    code = "InvalidFilter"


class InvalidPaginationToken(EC2Error):
    code = "InvalidPaginationToken"


class TagLimitExceeded(EC2Error):
    code = "TagLimitExceeded"


class InstanceLimitExceeded(EC2Error):
    code = "InstanceLimitExceeded"


class OptInRequired(EC2Error):
    code = "OptInRequired"
    status = 401


class InvalidRegion(EC2Error):
    code = "InvalidParameterValue"


class UnsupportedOperation(EC2Error):
    code = "UnsupportedOperation"


class InvalidKeyPairNotFound(EC2Error):
    code = "InvalidKeyPair.NotFound"

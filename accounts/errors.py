"""One exception type per AWS error code.

Services raise these; views map them to form errors and HTTP statuses, and the Query API
(later) to AWS's XML error bodies. ``code`` is AWS's error code, ``status`` its HTTP status.
"""


class IAMError(Exception):
    code = "ServiceFailure"
    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(IAMError):
    code = "ValidationError"
    status = 400


class InvalidInput(IAMError):
    code = "InvalidInput"
    status = 400


class EntityAlreadyExists(IAMError):
    code = "EntityAlreadyExists"
    status = 409


class NoSuchEntity(IAMError):
    code = "NoSuchEntity"
    status = 404


class LimitExceeded(IAMError):
    code = "LimitExceeded"
    status = 409


class DeleteConflict(IAMError):
    code = "DeleteConflict"
    status = 409


class PasswordPolicyViolation(IAMError):
    code = "PasswordPolicyViolation"
    status = 400


class EntityTemporarilyUnmodifiable(IAMError):
    code = "EntityTemporarilyUnmodifiable"
    status = 409


class MalformedPolicyDocument(IAMError):
    code = "MalformedPolicyDocument"
    status = 400

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class AccessDenied(IAMError):
    code = "AccessDenied"
    status = 403

    def __init__(self, message: str, *, decision=None, considered=()):
        super().__init__(message)
        self.decision = decision
        self.considered = tuple(considered)


class InvalidAuthenticationCode(IAMError):
    code = "InvalidAuthenticationCode"
    status = 403


class Throttled(IAMError):
    """Too many failed sign-in attempts; ``retry_after`` is in seconds."""

    code = "Throttling"
    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class PackedPolicyTooLarge(IAMError):
    code = "PackedPolicyTooLarge"
    status = 400


class InvalidClientTokenId(IAMError):
    code = "InvalidClientTokenId"
    status = 403


class ExpiredToken(IAMError):
    code = "ExpiredToken"
    status = 403


class UnmodifiableEntity(IAMError):
    code = "UnmodifiableEntity"
    status = 400


class ConcurrentModification(IAMError):
    code = "ConcurrentModification"
    status = 409


class ReportNotPresent(IAMError):
    """GetCredentialReport before any GenerateCredentialReport."""

    code = "ReportNotPresent"
    status = 410


class ReportExpired(IAMError):
    """GetCredentialReport when the latest credential report is more than four hours old."""

    code = "ReportExpired"
    status = 410

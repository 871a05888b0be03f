"""S3's errors: one exception type per AWS error code, with S3's message and HTTP status.

They are ``IAMError``s (the audit trail and the console's error handling know them); the API
answers each as S3's ``<Error>`` XML with the extra elements AWS puts there (``BucketName``,
``Key``, ``ProposedSize`` …, in ``fields``). Refusals are the gate's ``AccessDenied``.
"""

from accounts.errors import AccessDenied, IAMError

__all__ = ["AccessDenied", "S3Error"]


class S3Error(IAMError):
    code = "InternalError"
    status = 500
    default_message = "We encountered an internal error. Please try again."

    def __init__(self, message: str | None = None, **fields: str):
        super().__init__(message or self.default_message)
        self.fields = {k: str(v) for k, v in fields.items()}


def _error(code: str, status: int, message: str) -> type[S3Error]:
    return type(code, (S3Error,), {"code": code, "status": status, "default_message": message})


NoSuchBucket = _error("NoSuchBucket", 404, "The specified bucket does not exist")
NoSuchKey = _error("NoSuchKey", 404, "The specified key does not exist.")
BucketAlreadyExists = _error(
    "BucketAlreadyExists",
    409,
    "The requested bucket name is not available. The bucket namespace is shared by all users of the "
    "system. Please select a different name and try again.",
)
BucketAlreadyOwnedByYou = _error(
    "BucketAlreadyOwnedByYou",
    409,
    "Your previous request to create the named bucket succeeded and you already own it.",
)
InvalidBucketName = _error("InvalidBucketName", 400, "The specified bucket is not valid.")
BucketNotEmpty = _error("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
TooManyBuckets = _error("TooManyBuckets", 400, "You have attempted to create more buckets than allowed")
NoSuchBucketPolicy = _error("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
MalformedPolicy = _error("MalformedPolicy", 400, "This policy contains invalid Json")
PolicyTooLarge = _error("PolicyTooLarge", 400, "Policy exceeds the maximum allowed document size.")
NoSuchPublicAccessBlockConfiguration = _error(
    "NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found"
)
NoSuchTagSet = _error("NoSuchTagSet", 404, "The TagSet does not exist")
InvalidTag = _error("InvalidTag", 400, "The TagValue you have provided is invalid")
BadDigest = _error("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
InvalidDigest = _error("InvalidDigest", 400, "The Content-MD5 you specified was invalid.")
EntityTooLarge = _error("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size")
IncompleteBody = _error(
    "IncompleteBody",
    400,
    "You did not provide the number of bytes specified by the Content-Length HTTP header.",
)
MissingContentLength = _error("MissingContentLength", 411, "You must provide the Content-Length HTTP header.")
KeyTooLongError = _error("KeyTooLongError", 400, "Your key is too long")
MetadataTooLarge = _error(
    "MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size."
)
InvalidArgument = _error("InvalidArgument", 400, "Invalid Argument")
InvalidRequest = _error("InvalidRequest", 400, "Invalid Request")
InvalidRange = _error("InvalidRange", 416, "The requested range is not satisfiable")
PreconditionFailed = _error(
    "PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold"
)
InvalidLocationConstraint = _error(
    "InvalidLocationConstraint", 400, "The specified location-constraint is not valid"
)
IllegalLocationConstraintException = _error(
    "IllegalLocationConstraintException",
    400,
    "The unspecified location constraint is incompatible for the region specific endpoint this request "
    "was sent to.",
)
MethodNotAllowed = _error(
    "MethodNotAllowed", 405, "The specified method is not allowed against this resource."
)
MalformedXML = _error(
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
)
XAmzContentSHA256Mismatch = _error(
    "XAmzContentSHA256Mismatch",
    400,
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
)
NotImplemented_ = _error(
    "NotImplemented", 501, "A header you provided implies functionality that is not implemented"
)
InvalidURI = _error("InvalidURI", 400, "Couldn't parse the specified URI.")
InvalidAccessKeyId = _error(
    "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."
)
InvalidToken = _error("InvalidToken", 400, "The provided token is malformed or otherwise invalid.")
ExpiredToken = _error("ExpiredToken", 400, "The provided token has expired.")
NoSuchUpload = _error(
    "NoSuchUpload",
    404,
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted "
    "or completed.",
)
InvalidPart = _error(
    "InvalidPart",
    400,
    "One or more of the specified parts could not be found. The part may not have been uploaded, or the "
    "specified entity tag may not match the part's entity tag.",
)
InvalidPartOrder = _error(
    "InvalidPartOrder",
    400,
    "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
)
EntityTooSmall = _error(
    "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."
)
ServiceUnavailable = _error("ServiceUnavailable", 503, "Please reduce your request rate.")


class NotModified(Exception):
    """A conditional GET/HEAD whose object has not changed (304): not an error, so not audited."""

    def __init__(self, etag: str, last_modified):
        super().__init__("Not Modified")
        self.etag = etag
        self.last_modified = last_modified

"""The one exception the policy package raises for a bad document.

``MalformedPolicyDocument`` carries AWS's own message text (``.message``, also ``str(exc)``)
and, where the parser could tell, the 1-based ``line`` and ``column`` of the faulty element
so that a policy editor can point at it (``None`` when unknown, e.g. for a ``dict`` input).
"""

from __future__ import annotations

SYNTAX_ERROR = "Syntax errors in policy."
VERSION_ERROR = "Policy document must be version 2012-10-17 or greater."
LEGACY_PARSING_ERROR = "The policy failed legacy parsing"
SID_UNIQUE_ERROR = "Statement IDs (SID) in a single policy must be unique."
SID_ALNUM_ERROR = (
    "Statement IDs (SID) must be alpha-numeric. "
    "Check that your input satisfies the regular expression [0-9A-Za-z]*"
)
NO_ACTIONS_ERROR = "Policy statement must contain actions."
NO_RESOURCES_ERROR = "Policy statement must contain resources."
PRINCIPAL_NOT_ALLOWED_ERROR = "Policy document should not specify a principal."
PRINCIPAL_REQUIRED_ERROR = "Missing required field Principal"
RESOURCE_PROHIBITED_ERROR = "Has prohibited field Resource."
VENDOR_PREFIX_ERROR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON_ERROR = "Actions/Condition can contain only one colon."
TRUST_ACTIONS_ERROR = "AssumeRole policy may only specify STS AssumeRole actions."
RESOURCE_VENDOR_ERROR = "Resource vendor must be fully qualified and cannot contain regexes."
IAM_PATH_ERROR = (
    'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
    "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
    "oidc-provider/, report/, access-report/."
)


def vendor_error(vendor: str) -> str:
    return f"Vendor {vendor} is not valid"


def arn_format_error(resource: str) -> str:
    return f'Resource {resource} must be in ARN format or "*".'


def iam_region_error(resource: str) -> str:
    return f"IAM resource {resource} cannot contain region information."


def s3_region_error(resource: str) -> str:
    return f"Resource {resource} can not contain region information."


def partition_error(partition: str, rest: list[str]) -> str:
    """``rest`` is what follows ``arn:<partition>:``, split on colons."""
    arn1 = rest[0] if rest[0] != "" or len(rest) > 1 else "*"
    arn2 = rest[1] if len(rest) > 1 else "*"
    arn3 = rest[2] if len(rest) > 2 else "*"
    arn4 = ":".join(rest[3:]) if len(rest) > 3 else "*"
    return f'Partition "{partition}" is not valid for resource "arn:{partition}:{arn1}:{arn2}:{arn3}:{arn4}".'


def invalid_principal_error(kind: str, value: str) -> str:
    return f'Invalid principal in policy: "{kind}":"{value}"'


class MalformedPolicyDocument(Exception):
    """AWS's ``MalformedPolicyDocument`` (HTTP 400) with AWS's message text."""

    code = "MalformedPolicyDocument"
    status = 400

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        where = f", line={self.line}, column={self.column}" if self.line is not None else ""
        return f"MalformedPolicyDocument({self.message!r}{where})"

"""Policy size quotas and AWS's ``LimitExceeded`` wording for them.

Sizes are counted as AWS counts them: characters, not counting white space (UG
reference_iam-quotas: "IAM doesn't count white space when calculating the size of a
policy"). The services raise ``LimitExceeded`` (HTTP 409) with the text from
:func:`size_error`; the strings are the ones AWS returns (seen verbatim in public issue
reports: "Cannot exceed quota for PolicySize: 6144", "Maximum policy size of 2048 bytes
exceeded for user NAME", "Cannot exceed quota for ACLSizePerRole: 2048").
"""

from __future__ import annotations

MANAGED_POLICY_MAX = 6144
INLINE_POLICY_TOTAL_MAX = {"user": 2048, "group": 5120, "role": 10240}
TRUST_POLICY_MAX = 2048
SCP_MAX = 5120
DOCUMENT_MAX_LENGTH = 131072  # the API's own ceiling on policyDocumentType, white space included

_WHITESPACE = (" ", "\t", "\n", "\r")


def policy_size(document: str) -> int:
    """Characters in ``document`` not counting white space."""
    size = len(document)
    for ch in _WHITESPACE:
        size -= document.count(ch)
    return size


def size_error(kind: str, limit: int, entity_name: str = "") -> str:
    """AWS's ``LimitExceeded`` message for a policy that is too large.

    ``kind``: ``"managed"`` (CreatePolicy/CreatePolicyVersion), ``"user"``/``"group"``/``"role"``
    (the aggregate of that entity's inline policies; pass ``entity_name``), or ``"trust"``
    (a role's trust policy).
    """
    if kind == "managed":
        return f"Cannot exceed quota for PolicySize: {limit}"
    if kind == "trust":
        return f"Cannot exceed quota for ACLSizePerRole: {limit}"
    if kind in INLINE_POLICY_TOTAL_MAX:
        return f"Maximum policy size of {limit} bytes exceeded for {kind} {entity_name}".rstrip()
    raise ValueError(f"unknown policy size kind: {kind!r}")

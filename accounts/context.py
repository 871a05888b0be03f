"""Per-request context that services read without threading it through every call.

The middleware (and later the Query API) sets the caller's source IP and whether the
session passed MFA; the audit trail and the policy engine's request context read them.
"""

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class CallContext:
    source_ip: str | None = None
    user_agent: str = ""
    mfa_authenticated_at: float | None = None
    secure_transport: bool = False
    extra: dict = field(default_factory=dict)


_current: ContextVar[CallContext | None] = ContextVar("iam_call_context", default=None)


def current() -> CallContext:
    ctx = _current.get()
    return ctx if ctx is not None else CallContext()


def activate(ctx: CallContext):
    """Make ``ctx`` current; returns a token for ``deactivate``."""
    return _current.set(ctx)


def deactivate(token) -> None:
    _current.reset(token)


def for_request(
    request, *, mfa_authenticated_at: float | None = None, extra: dict | None = None
) -> CallContext:
    """The context of an HTTP request: the caller's address (``network.client_ip``), user agent
    and transport, and when the caller last passed MFA (a console session's or an API
    credential's, as the caller knows it)."""
    from . import network

    return CallContext(
        source_ip=network.client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:256],
        secure_transport=request.is_secure(),
        mfa_authenticated_at=mfa_authenticated_at,
        extra=extra if extra is not None else {},
    )

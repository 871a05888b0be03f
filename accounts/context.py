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

"""The instance state machine, as EC2 documents its lifecycle.

    pending ──► running ──► stopping ──► stopped ──► pending …
       │           │                        │
       └───────────┴──► shutting-down ──► terminated ◄┘

An instance stores the state its last transition *started* (``pending``, ``stopping``,
``shutting-down``) or a settled one, and when it started; the state seen now is derived from
the clock (a transitional state settles after a short delay), so no background worker is
needed and a read never writes. Pure Python.
"""

from __future__ import annotations

from datetime import datetime, timedelta

PENDING = "pending"
RUNNING = "running"
SHUTTING_DOWN = "shutting-down"
TERMINATED = "terminated"
STOPPING = "stopping"
STOPPED = "stopped"

# EC2's state codes (the low byte of InstanceState.Code)
CODES = {PENDING: 0, RUNNING: 16, SHUTTING_DOWN: 32, TERMINATED: 48, STOPPING: 64, STOPPED: 80}
NAMES = tuple(CODES)
SETTLES_TO = {PENDING: RUNNING, STOPPING: STOPPED, SHUTTING_DOWN: TERMINATED}
DEFAULT_DELAYS = {PENDING: 5.0, STOPPING: 5.0, SHUTTING_DOWN: 5.0}
# A terminated instance stays visible for about an hour, as in EC2.
TERMINATED_VISIBLE = timedelta(hours=1)

# Where each request may start from, and what it starts.
CAN_START = frozenset({STOPPED})  # running and pending: no change
CAN_STOP = frozenset({RUNNING})  # stopping and stopped: no change
CAN_TERMINATE = frozenset({PENDING, RUNNING, STOPPING, STOPPED})


def current(stored: str, since: datetime, now: datetime, delays: dict | None = None) -> str:
    """The state an instance is in at ``now``, given the transition ``stored`` started at ``since``."""
    settled = SETTLES_TO.get(stored)
    if settled is None:
        return stored
    delay = (delays or DEFAULT_DELAYS).get(stored, 0.0)
    return settled if (now - since).total_seconds() >= delay else stored


def settled_at(stored: str, since: datetime, delays: dict | None = None) -> datetime:
    """When the transition ``stored`` (started at ``since``) ends (``since`` for a settled state)."""
    if stored not in SETTLES_TO:
        return since
    return since + timedelta(seconds=(delays or DEFAULT_DELAYS).get(stored, 0.0))

"""A hand-off request's life: queued → claimed → closed, or cancelled (by the resident).

A claimed request can go back to queued (its agent logged out or went idle) and from one
agent to another (transfer); closed and cancelled are final.
"""
from __future__ import annotations

from enum import Enum


class HandoffStatus(str, Enum):
    QUEUED = "queued"
    CLAIMED = "claimed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


#: A conversation has at most one request in these (a partial unique index keeps it so).
ACTIVE = (HandoffStatus.QUEUED.value, HandoffStatus.CLAIMED.value)
ENDED = (HandoffStatus.CLOSED.value, HandoffStatus.CANCELLED.value)


class Direction(str, Enum):
    """Who wrote a message of the transcript."""

    RESIDENT = "resident"
    AGENT = "agent"
    #: The assistant's own words to the resident during a hand-off (the hand-back message).
    SYSTEM = "system"

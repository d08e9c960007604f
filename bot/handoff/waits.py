"""The expected wait a resident is told: the median of recent queued→claimed waits.

How: the waits (first claim minus request time) of the last RECENT_CLAIMS requests first
claimed within RECENT_WINDOW; their median, so one resident left waiting for an hour does
not scare everyone after. No claim in the window (a new deployment, a quiet week): the
DEFAULT_WAIT of 3 minutes, the online answering time GB/T 33358-2016 expects of hotlines.
Residents hear it in whole minutes, rounded up, at least 1.

What it does not do: it does not scale with the resident's place in the queue. The
median already reflects the queues of recent hours; a throughput estimate (position ÷
claims per minute) is the next step if staff find it too optimistic at busy times.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from statistics import median

RECENT_CLAIMS = 20
RECENT_WINDOW = timedelta(days=7)
DEFAULT_WAIT = timedelta(minutes=3)


def expected_wait(waits: Sequence[timedelta]) -> timedelta:
    """The median of `waits`, or DEFAULT_WAIT when there are none."""
    seconds = [max(w.total_seconds(), 0.0) for w in waits]
    return timedelta(seconds=median(seconds)) if seconds else DEFAULT_WAIT


def minutes_to_say(wait: timedelta) -> int:
    """Whole minutes for the resident: rounded up, at least 1."""
    return max(1, math.ceil(wait.total_seconds() / 60))

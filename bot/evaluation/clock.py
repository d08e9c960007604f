"""The evaluation's one clock: naive UTC, as the tables store times (tests pass ``now``)."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)

"""Audit log of what staff (and the CLI) changed: who, what, when, from where.

The log is read by people and kept long, so ID numbers, phone numbers and bank cards in
`detail` are masked before anything is written, however deeply they are nested.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.personal.masking import mask_personal_data
from console.tables import AuditEntry, utc_naive

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Actor:
    """Who did something, as the audit log records it: a staff member or the CLI."""

    username: str
    ip: str | None = None
    #: Added to the detail of every entry (the CLI records the operating-system account).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def detail(self, detail: Any) -> Any:
        """`detail` with `extra` merged in (a dict detail, or a new one)."""
        if not self.extra:
            return detail
        return {**(detail if isinstance(detail, dict) else {}), **self.extra}


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime  # naive UTC
    username: str
    action: str
    detail: Any  # str, dict or list as recorded (masked), or None
    ip: str | None


def _masked(value: Any) -> Any:
    """`value` with personal data masked, made JSON-safe on the way."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, (int, float)):
        # A phone or ID number passed as a number is still personal data.
        text = str(value)
        masked = mask_personal_data(text)
        return value if masked == text else masked
    if isinstance(value, dict):
        return {mask_personal_data(str(k)): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_masked(v) for v in value]
    return mask_personal_data(str(value))


def write(session: Session, username: str, action: str, detail: Any = None,
          ip: str | None = None, now: datetime | None = None) -> None:
    """Add one entry to `session`'s transaction, so it commits with the change it records."""
    session.add(AuditEntry(at=utc_naive(now), username=username[:100], action=action[:60],
                           detail=_masked(detail), ip=(ip or None) and ip[:64]))


def record(sessions: sessionmaker, username: str, action: str, detail: Any = None,
           ip: str | None = None, now: datetime | None = None) -> None:
    """Write one entry in a transaction of its own; `detail` (text or JSON-like) is masked first."""
    with sessions.begin() as session:
        write(session, username, action, detail, ip, now)


def recent(sessions: sessionmaker, limit: int = 100) -> list[AuditRecord]:
    """The latest entries, newest first (at most MAX_LIMIT)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    with sessions() as session:
        rows = session.execute(
            select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        ).scalars()
        return [AuditRecord(r.id, r.at, r.username, r.action, r.detail, r.ip) for r in rows]

"""Audit log of what staff (and the CLI) changed: who, what, when, from where.

The log is read by people and kept long, so ID numbers, phone numbers and bank cards in
`detail` are masked before anything is written, however deeply they are nested.
Reading it: :func:`search` (the 操作记录 page: filters, one page at a time) and
:func:`matching` (the CSV export); audit_text.py says each entry in Chinese.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Select

from bot.personal.masking import mask_personal_data
from console.tables import AuditEntry, utc_naive

MAX_LIMIT = 1000
PAGE_SIZE = 50
#: The most entries one CSV export holds (newest first); a wider range is cut to these.
EXPORT_LIMIT = 50_000
#: The audit log's user for a failed login under a name that is no account: not a valid
#: username (USERNAME_RE), so no account can ever be confused with it.
UNKNOWN_USER = "(unknown)"
#: The audit log's user for what the console does by itself (an idle agent's residents
#: returned to the queue, console/handoff/idle.py); not a valid username either.
SYSTEM_USER = "(system)"


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
        rows = session.execute(_newest_first(select(AuditEntry)).limit(limit)).scalars()
        return [_record(r) for r in rows]


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read; None means any. Times are naive UTC, `until` exclusive."""

    username: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, query: Select) -> Select:
        if self.username:
            query = query.where(AuditEntry.username == self.username)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.since is not None:
            query = query.where(AuditEntry.at >= self.since)
        if self.until is not None:
            query = query.where(AuditEntry.at < self.until)
        return query


@dataclass(frozen=True)
class AuditPage:
    records: list[AuditRecord]
    total: int  # entries matching the filter, on every page
    number: int  # 1-based, clamped to the pages there are
    pages: int


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(row.id, row.at, row.username, row.action, row.detail, row.ip)


def _newest_first(query: Select) -> Select:
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def search(sessions: sessionmaker, where: AuditFilter = AuditFilter(), number: int = 1,
           per_page: int = PAGE_SIZE) -> AuditPage:
    """One page of the entries matching `where`, newest first; the database does the paging."""
    per_page = max(1, min(int(per_page), MAX_LIMIT))
    with sessions() as session:
        total = session.execute(where.apply(select(func.count()).select_from(AuditEntry))).scalar_one()
        pages = max(1, -(-total // per_page))
        number = min(max(1, int(number)), pages)
        rows = session.execute(
            _newest_first(where.apply(select(AuditEntry))).offset((number - 1) * per_page).limit(per_page)
        ).scalars()
        return AuditPage([_record(r) for r in rows], total, number, pages)


def matching(sessions: sessionmaker, where: AuditFilter = AuditFilter(),
             limit: int = EXPORT_LIMIT) -> list[AuditRecord]:
    """Every entry matching `where` (at most `limit`), newest first, for the export."""
    with sessions() as session:
        rows = session.execute(_newest_first(where.apply(select(AuditEntry))).limit(max(1, limit))).scalars()
        return [_record(r) for r in rows]


def usernames(sessions: sessionmaker) -> list[str]:
    """Everyone who appears in the log (staff, "cli", UNKNOWN_USER), sorted, for the filter."""
    with sessions() as session:
        return sorted(session.execute(select(AuditEntry.username).distinct()).scalars())


def actions(sessions: sessionmaker) -> list[str]:
    """Every action code that appears in the log, sorted."""
    with sessions() as session:
        return sorted(session.execute(select(AuditEntry.action).distinct()).scalars())

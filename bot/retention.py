"""Retention: conversation events and half-filled flows are not kept longer than needed.

`python -m bot purge` deletes tracker events older than GOV_RETENTION_DAYS (default
180) from Rasa's SQL tracker store (table `events`, its `timestamp` is Unix seconds),
flow drafts untouched for 24 h (bot/flows/drafts.py), ended 转人工 requests with their
messages and messages left for a callback (留言) closed longer than the same
GOV_RETENTION_DAYS ago, with their phone numbers (bot/handoff/; open ones stay until
handled), and prints how many of each it removed, never what. `--every 3600` repeats it
until stopped (what `make run` uses).

On SQLite the deletes run with secure_delete on and the WAL is checkpointed after them,
so the removed text does not stay readable in free pages or in the -wal file.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from bot.config import Settings, ensure_private_sqlite, get_settings, sqlite_path
from bot.db import session_factory
from bot.flows.drafts import purge_expired
from bot.handoff.service import purge_ended
from bot.handoff.tickets import purge_done_tickets


@dataclass(frozen=True)
class PurgeReport:
    tracker_events: int
    drafts: int
    handoffs: int = 0  # ended 转人工 requests with their messages (bot/handoff/)
    tickets: int = 0  # 留言 closed longer than the retention period ago, with their phones

    def summary(self) -> str:
        text = f"已清理：对话记录事件 {self.tracker_events} 条，未完成的填写草稿 {self.drafts} 份"
        text += f"，已结束的人工服务记录 {self.handoffs} 条" if self.handoffs else ""
        return text + (f"，已办结的留言 {self.tickets} 条" if self.tickets else "")


def tracker_url(value: str) -> str:
    """TRACKER_DB as a SQLAlchemy URL: a URL as is, a path as a SQLite file."""
    return value if "://" in value else f"sqlite:///{os.path.abspath(value)}"


def purge_tracker_events(url: str, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete tracker events older than `older_than`; 0 if there is no tracker store yet.

    A SQLite file that does not exist is not created (the assistant may not have run).
    """
    path = sqlite_path(url)
    if path is not None:
        if not Path(path).exists():
            return 0
        ensure_private_sqlite(path)
    cutoff = (now or datetime.now(timezone.utc)) - older_than
    engine = create_engine(url, future=True, poolclass=NullPool, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_purge_pragmas)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            removed = connection.execute(text("DELETE FROM events WHERE timestamp < :cutoff"),
                                         {"cutoff": cutoff.timestamp()}).rowcount or 0
        if engine.dialect.name == "sqlite" and removed:
            checkpoint(engine)
        return removed
    finally:
        engine.dispose()


def _sqlite_purge_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")  # Rasa may be writing a conversation
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def checkpoint(engine: Engine) -> None:
    """Copy the WAL into the database file and empty it (best effort if readers are active)."""
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def purge(settings: Settings | None = None, *, now: datetime | None = None) -> PurgeReport:
    """One retention pass over the tracker store and the drafts."""
    settings = settings or get_settings()
    events = purge_tracker_events(tracker_url(settings.tracker_db),
                                  older_than=timedelta(days=settings.retention_days), now=now)
    sessions = session_factory(settings.database_url)
    drafts = purge_expired(sessions, now=now)
    kept = timedelta(days=settings.retention_days)
    handoffs = purge_ended(sessions, older_than=kept, now=now)
    tickets = purge_done_tickets(sessions, older_than=kept, now=now)
    engine = sessions.kw["bind"]
    if (drafts or handoffs or tickets) and engine.dialect.name == "sqlite":
        checkpoint(engine)
    return PurgeReport(events, drafts, handoffs, tickets)


def purge_every(seconds: float, *, rounds: int | None = None,
                sleep: Callable[[float], None] = time.sleep,
                report: Callable[[PurgeReport], None] = lambda r: print(r.summary(), flush=True)) -> None:
    """Purge now and then every `seconds` (forever, or `rounds` times); settings re-read each time.

    A failed round (the database busy for longer than its timeout, a disk error) is reported
    on stderr and the next round runs as planned: `make run` stops everything when one of
    its processes ends, and a retention hiccup must not take the assistant down.
    """
    done = 0
    while rounds is None or done < rounds:
        if done:
            sleep(seconds)
        try:
            report(purge())
        except Exception as exc:  # any failure waits for the next round
            print(f"清理失败，下一轮再试：{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        done += 1

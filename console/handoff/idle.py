"""An agent who went away gives their unanswered residents back to the queue.

Activity is what the console already records: every request an agent makes moves their
session's ``last_seen_at`` (console/auth/sessions.py), and an open live page does too
(its event stream re-checks the session, console/web/routes/handoff_live.py). So the
rule holds across restarts and for several console processes sharing one database.

Every SWEEP_EVERY_S the console app runs :func:`release_idle`: each agent holding a
request with no live session seen for GOV_AGENT_IDLE_MINUTES (default 10) has the
requests whose resident waits for an answer put back in the queue (they keep their
place), recorded in the audit log under the system's name. A held conversation the agent
has answered stays theirs until the resident writes again.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.handoff import queue, service
from console.auth import audit
from console.auth.audit import SYSTEM_USER
from console.tables import ConsoleSession, StaffUser, utc_naive

logger = logging.getLogger(__name__)

IDLE_ENV = "GOV_AGENT_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 10
SWEEP_EVERY_S = 30.0


def idle_limit() -> timedelta:
    """GOV_AGENT_IDLE_MINUTES as a duration; ValueError for anything but a positive whole number."""
    raw = (os.environ.get(IDLE_ENV) or "").strip() or str(DEFAULT_IDLE_MINUTES)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{IDLE_ENV} must be a whole number of minutes >= 1, not {raw!r}")
    return timedelta(minutes=int(raw))


def last_seen(db: sessionmaker, usernames: Iterable[str], now: datetime | None = None) -> dict[str, datetime]:
    """When each account last made a request in a session still valid at `now` (naive UTC).

    Accounts without such a session (signed out, expired, disabled, no account) are absent.
    """
    names = sorted(set(usernames))
    if not names:
        return {}
    now = utc_naive(now)
    with db() as session:
        rows = session.execute(
            select(StaffUser.username, func.max(ConsoleSession.last_seen_at))
            .join(ConsoleSession, ConsoleSession.user_id == StaffUser.id)
            .where(StaffUser.username.in_(names), StaffUser.active.is_(True), ConsoleSession.expires_at > now)
            .group_by(StaffUser.username)
        ).all()
        return {name: at for name, at in rows if at is not None}


def release_idle(db: sessionmaker, *, idle_for: timedelta, now: datetime | None = None) -> dict[str, list[int]]:
    """Return the unanswered requests of every agent idle for `idle_for` to the queue; {agent: ids}."""
    now = utc_naive(now)
    agents = queue.holders(db)
    seen = last_seen(db, agents, now)
    released: dict[str, list[int]] = {}
    for agent in agents:
        at = seen.get(agent)
        if at is not None and now - at < idle_for:
            continue
        ids = service.release(db, agent=agent, only_unanswered=True)
        if ids:
            audit.record(db, SYSTEM_USER, "handoff_release_idle",
                         {"agent": agent, "requests": ids, "idle_minutes": int(idle_for.total_seconds() // 60)},
                         now=now)
            logger.info("hand-off: %s idle, %d request(s) back in the queue", agent, len(ids))
            released[agent] = ids
    return released


async def sweep_forever(db: sessionmaker, idle_for: timedelta) -> None:
    """:func:`release_idle` every SWEEP_EVERY_S until cancelled; a failed sweep is logged, the next one runs."""
    while True:
        await asyncio.sleep(SWEEP_EVERY_S)
        try:
            await asyncio.to_thread(release_idle, db, idle_for=idle_for)
        except Exception:  # a database hiccup must not end the sweeps
            logger.exception("hand-off idle sweep failed")

"""The hand-off desk's settings and state now: its hours, whether it is open, when it opens next.

Settings (read on each call, so a test or a restart-free deployment change takes effect):

- ``GOV_HANDOFF_HOURS``: the desk's hours in the halls' words ("周一至周五 8:30-17:30（法定节假日除外）",
  "全年无休 0:00-24:00"); unset, the hours of the city centre hall (镜湖区政务服务中心, the
  catalogue's ``jinghu`` / ``government_center``), as the catalogue database has them;
  text that cannot be read falls back to DEFAULT_HOURS with a warning;
- ``GOV_HANDOFF_MAX_WAIT_MINUTES`` (10): after this long in the queue a resident may leave a
  message instead (the queue message says so; channels/handoff_gate.py takes "留言");
- ``GOV_HANDOFF_TICKET_DAYS`` (2): a message (留言) is called back within this many
  official working days.

:func:`now` is the desk's one clock: tests replace it to set the time.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.catalogue.models import Hall
from bot.handoff.hours import DEFAULT_HOURS, DeskHours, UnreadableHours, describe, is_open, next_opening, parse_hours

logger = logging.getLogger(__name__)

HOURS_ENV = "GOV_HANDOFF_HOURS"
MAX_WAIT_ENV = "GOV_HANDOFF_MAX_WAIT_MINUTES"
TICKET_DAYS_ENV = "GOV_HANDOFF_TICKET_DAYS"
#: The hall whose hours the desk keeps: the city centre's government service centre.
CITY_HALL = ("jinghu", "government_center")


def now() -> datetime:
    """The current moment (aware UTC)."""
    return datetime.now(timezone.utc)


def _int_env(name: str, default: int, lowest: int) -> int:
    raw = (os.environ.get(name) or "").strip()
    try:
        return max(lowest, int(raw)) if raw else default
    except ValueError:
        logger.warning("%s=%r is not a whole number; using %d", name, raw, default)
        return default


def max_wait_minutes() -> int:
    return _int_env(MAX_WAIT_ENV, 10, 1)


def ticket_days() -> int:
    return _int_env(TICKET_DAYS_ENV, 2, 1)


def _hall_hours(sessions: sessionmaker) -> str | None:
    district, hall_type = CITY_HALL
    try:
        with sessions() as session:
            return session.scalar(select(Hall.hours).where(Hall.district_id == district, Hall.hall_type == hall_type))
    except SQLAlchemyError:
        logger.warning("the city hall's hours could not be read; the desk keeps the default hours", exc_info=True)
        return None


def _read(source: str, text: str) -> DeskHours | None:
    try:
        return parse_hours(text)
    except UnreadableHours as error:
        logger.warning("hand-off hours from %s unreadable (%s): %r", source, error, text)
        return None


def desk_hours(sessions: sessionmaker) -> DeskHours:
    """GOV_HANDOFF_HOURS, else the city centre hall's hours, else DEFAULT_HOURS."""
    configured = (os.environ.get(HOURS_ENV) or "").strip()
    if configured and (hours := _read(HOURS_ENV, configured)) is not None:
        return hours
    hall = _hall_hours(sessions)
    if hall and (hours := _read("the city hall", hall)) is not None:
        return hours
    return parse_hours(DEFAULT_HOURS)


@dataclass(frozen=True)
class DeskState:
    hours: DeskHours
    open: bool
    #: Local, aware; `at` itself while open; None if it opens on none of the next 30 days.
    next_opening: datetime | None
    at: datetime

    @property
    def hours_text(self) -> str:
        return describe(self.hours)


def desk_state(sessions: sessionmaker, at: datetime | None = None) -> DeskState:
    """Whether the desk is staffed at `at` (default :func:`now`) and when it next opens (blocking)."""
    at = at or now()
    hours = desk_hours(sessions)
    return DeskState(hours, is_open(hours, at), next_opening(hours, at), at)

"""Deadlines in working days, by China's official calendar (holidays and 调休 make-up days).

Shared by the hand-off desk's tickets (bot/handoff/tickets.py) and the follow-ups of poor
ratings (bot/evaluation/followups.py).

A year chinese-calendar does not know yet counts Monday to Friday, so a deadline is never
left unset; the package is updated when the State Council publishes the next year.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.appointments.calendar import LOCAL_TZ, is_working_day


def _working(day: date) -> bool:
    known = is_working_day(day)
    return day.weekday() < 5 if known is None else known


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself never counts)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if _working(day):
            left -= 1
    return day


def local_date(moment: datetime) -> date:
    """The date in Wuhu of `moment` (naive means UTC, as the tables store it)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(LOCAL_TZ).date()


def due_date(created: datetime, days: int) -> date:
    """The local deadline of something created at `created` with `days` working days to answer."""
    return add_working_days(local_date(created), days)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if _working(day):
            count += 1
    return count

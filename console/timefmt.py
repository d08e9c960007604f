"""Times as staff read them: local time, Asia/Shanghai unless GOV_TIMEZONE names another zone.

The tables keep naive UTC (console/tables.py) and so do the rasa trackers (epoch seconds);
only what a person reads is converted, and only here, so every console page, the CSV
export and every CLI line show the same clock. Staff work in UTC+8: a UTC time on a page
reads eight hours wrong and puts late-evening entries on the wrong day.

The zone is read from the environment on each call (cached per name), so a test or a
deployment can change it without reloading modules; a name the system does not know
raises InvalidTimezone, which the web server and the CLI report at start.
"""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIMEZONE_ENV = "GOV_TIMEZONE"
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: How people in China name UTC+8; other zones are shown by their IANA name.
_ZONE_NAMES = {"Asia/Shanghai": "北京时间"}

MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"


class InvalidTimezone(ValueError):
    """GOV_TIMEZONE names no time zone this system knows."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{TIMEZONE_ENV}={name!r} is not a known time zone (e.g. Asia/Shanghai)")


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTimezone(name) from None


def zone_key() -> str:
    return (os.environ.get(TIMEZONE_ENV) or "").strip() or DEFAULT_TIMEZONE


def local_zone() -> ZoneInfo:
    """The zone staff read times in (GOV_TIMEZONE, default Asia/Shanghai)."""
    return _zone(zone_key())


def zone_label() -> str:
    """What to call the local clock on a page: 北京时间, or the zone's IANA name."""
    key = zone_key()
    return _ZONE_NAMES.get(key, key)


def to_local(at: datetime) -> datetime:
    """`at` in local time (aware). Naive datetimes are UTC, as the tables store them."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(local_zone())


def format_time(at: datetime | None, *, seconds: bool = False, empty: str = "—") -> str:
    """`at` as local "YYYY-MM-DD HH:MM" (with ":SS" when `seconds`); `empty` for None."""
    if at is None:
        return empty
    return to_local(at).strftime(SECONDS if seconds else MINUTES)


def format_epoch(timestamp: float | None, *, seconds: bool = False, empty: str = "—") -> str:
    """A Unix timestamp (trackers, file times) as local time."""
    if timestamp is None:
        return empty
    return format_time(datetime.fromtimestamp(timestamp, timezone.utc), seconds=seconds, empty=empty)


def local_now() -> datetime:
    return datetime.now(local_zone())


def local_today(now: datetime | None = None) -> date:
    return to_local(now).date() if now else local_now().date()


def day_start_utc(day: date) -> datetime:
    """The first instant of the local calendar day `day`, as naive UTC (for table queries)."""
    start = datetime.combine(day, time.min, tzinfo=local_zone())
    return start.astimezone(timezone.utc).replace(tzinfo=None)


def day_range_utc(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """Naive-UTC bounds [since, until) covering the local days `first` through `last` inclusive."""
    since = day_start_utc(first) if first else None
    until = day_start_utc(last + timedelta(days=1)) if last else None
    return since, until

"""The dashboard's figures that report.py gives for a whole period only, per period and per dimension.

report.py counts sessions per day, week or month and per dimension; this module adds the
rest of the dashboard with the same filters and definitions: ratings by level per period,
ratings and follow-ups per service, department, district or channel (the response times:
response_times.py). Periods are local (Asia/Shanghai): a rating made at 23:30 in Wuhu counts
on that day. Ratings set aside on appeal are not counted.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import fields
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import String, case, cast, func, select

from bot.analytics.report import (
    DIMENSIONS,
    GRAINS,
    Counts,
    Filters,
)
from bot.appointments.calendar import LOCAL_TZ
from bot.evaluation.followups import OPEN as OPEN_FOLLOWUPS
from bot.evaluation.models import FollowUp, Rating

Levels = dict[int, int]


def period_of(day: date, grain: str) -> date:
    """The first day of `day`'s period: itself, its week's Monday or its month's first (as report.series)."""
    if grain not in GRAINS:
        raise ValueError(grain)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if grain == "month" else day


def periods(filters: Filters, grain: str) -> list[date]:
    """Every period the filters' days touch, oldest first (charts show empty ones too)."""
    found: list[date] = []
    day = filters.start
    while day <= filters.end:
        first = period_of(day, grain)
        if not found or found[-1] != first:
            found.append(first)
        day += timedelta(days=1)
    return found


def roll_up(days: Iterable[tuple[date, Counts]], grain: str) -> list[tuple[date, Counts]]:
    """report.series by day summed into weeks or months: the same counts as report.series(grain)
    (they add up), without the database computing a period for every session, which SQLite's date
    functions make several times slower than grouping by day."""
    totals: dict[date, list[int]] = {}
    for day, counts in days:
        total = totals.setdefault(period_of(day, grain), [0] * len(fields(Counts)))
        for index, field in enumerate(fields(Counts)):
            total[index] += getattr(counts, field.name)
    return [(first, Counts(*values)) for first, values in sorted(totals.items())]


def _local_day(moment: datetime) -> date:
    return moment.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).date()


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _rating_filters(filters: Filters) -> list[Any]:
    clauses = [Rating.set_aside_at.is_(None), Rating.created_at >= _utc(filters.start),
               Rating.created_at < _utc(filters.end + timedelta(days=1))]
    for column, value in ((Rating.service_id, filters.service), (Rating.department, filters.department),
                          (Rating.district, filters.district), (Rating.channel, filters.channel)):
        if value:
            clauses.append(column == value)
    return clauses


def rating_series(sessions: Any, filters: Filters, grain: str = "day") -> list[tuple[date, Levels]]:
    """Ratings by level per period (local days), oldest first; periods without ratings left out."""
    # Grouped by UTC hour in the database, so only a few rows per day cross to Python.
    hour = func.substr(cast(Rating.created_at, String), 1, 13)
    query = select(hour, Rating.level, func.count()).where(*_rating_filters(filters)).group_by(hour, Rating.level)
    out: dict[date, Levels] = defaultdict(dict)
    with sessions() as session:
        for stamp, level, count in session.execute(query):
            moment = datetime.strptime(str(stamp).replace("T", " "), "%Y-%m-%d %H")
            levels = out[period_of(_local_day(moment), grain)]
            levels[int(level)] = levels.get(int(level), 0) + int(count)
    return sorted(out.items())


def _histograms(rows: Iterable[tuple[Any, int, int]]) -> dict[Any, list[tuple[int, int]]]:
    grouped: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    for key, bucket, count in rows:
        grouped[key].append((int(bucket), int(count)))
    return grouped


def _dimension_column(dimension: str, followups: bool = False) -> Any:
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    if dimension == "department" and followups:
        return FollowUp.department  # where the follow-up was assigned
    return {"service": Rating.service_id, "department": Rating.department,
            "district": Rating.district, "channel": Rating.channel}[dimension]


def ratings_by(sessions: Any, filters: Filters, dimension: str) -> dict[str, Levels]:
    """Ratings by level per service, department, district or channel (no value: 未知)."""
    key = func.coalesce(_dimension_column(dimension), "未知")
    query = select(key, Rating.level, func.count()).where(*_rating_filters(filters)).group_by(key, Rating.level)
    out: dict[str, Levels] = defaultdict(dict)
    with sessions() as session:
        for name, level, count in session.execute(query):
            out[str(name)][int(level)] = int(count)
    return dict(out)


def followups_by(sessions: Any, filters: Filters, dimension: str, *, today: date) -> dict[str, tuple[int, int]]:
    """(open, overdue) follow-ups per dimension, now: as report.overview counts them, whatever the period."""
    key = func.coalesce(_dimension_column(dimension, followups=True), "未知")
    overdue = func.sum(case((FollowUp.due_on < today, 1), else_=0))
    query = (select(key, func.count(), overdue).select_from(FollowUp).join(Rating, Rating.id == FollowUp.rating_id)
             .where(FollowUp.status.in_(OPEN_FOLLOWUPS)).group_by(key))
    if filters.department:
        query = query.where(FollowUp.department == filters.department)
    if filters.service:
        query = query.where(Rating.service_id == filters.service)
    with sessions() as session:
        return {str(name): (int(n), int(late or 0)) for name, n, late in session.execute(query)}

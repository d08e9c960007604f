"""服务分析: the dashboard's filters from the URL, and every figure the page and its CSV show.

The filters are local calendar days (console/timefmt.py): the last 7 or 30 days up to today,
or a start and end date; a grain (日/周/月); and a service, department, district or channel.
A value that is not a date or a grain is ignored with a message, never an error page. The
figures come from bot/analytics (report.py, trends.py), which read the fact tables only.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from bot.analytics import labels, report, response_times, trends
from bot.analytics.report import DIMENSIONS, Counts, Filters, Overview
from bot.personal.masking import mask_personal_data
from console import timefmt

MAX_PARAM = 100
RANGES = (7, 30)
#: The longest period one page shows (a day-by-day trend of ten years would be 3,650 rows).
MAX_DAYS = 3 * 366
GRAIN_LABELS = {"day": "日", "week": "周", "month": "月"}
#: Queries run side by side (gather): more than the cores would only take turns.
WORKERS = min(4, os.cpu_count() or 1)
DIMENSION_LABELS = {"service": "服务事项", "department": "部门", "district": "区县", "channel": "渠道"}


def _day(text: str) -> date:
    """A YYYY-MM-DD date; ValueError otherwise."""
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text)


@dataclass(frozen=True)
class DashboardQuery:
    """The filters as the page's form carries them."""

    days: int | None = 30  # last N days up to today; None: start to end
    start: date | None = None
    end: date | None = None
    grain: str = "day"
    service: str = ""
    department: str = ""
    district: str = ""
    channel: str = ""
    by: str = "service"  # the dimension whose table the page shows (the CSV has all four)

    @classmethod
    def parse(cls, get: Callable[[str], str | None], today: date | None = None) -> tuple[DashboardQuery, str | None]:
        """The query from a getter of single URL values, and a message (Chinese) for anything ignored."""
        def arg(name: str) -> str:
            return (get(name) or "")[:MAX_PARAM].strip()

        message = None
        grain = arg("grain") or "day"
        if grain not in GRAIN_LABELS:
            grain, message = "day", "统计粒度只能是日、周或月，已按日显示。"
        by = arg("by") or "service"
        if by not in DIMENSIONS:
            by, message = "service", "没有这个分组方式，已按服务事项显示。"
        found: list[date | None] = []
        for name in ("from", "to"):
            try:
                found.append(_day(arg(name)) if arg(name) else None)
            except ValueError:
                found.append(None)
                message = "日期格式应为 年-月-日（例如 2026-12-01），无效的日期条件已忽略。"
        start, end = found
        days: int | None = int(arg("days")) if arg("days") in ("7", "30") else 30
        if start or end:
            days = None
            if start and end and start > end:
                start, end = end, start
                message = "开始日期晚于结束日期，已按调换后的日期统计。"
            last = end or today or timefmt.local_today()
            if start and (last - start).days >= MAX_DAYS:
                start = last - timedelta(days=MAX_DAYS - 1)
                message = f"一次最多统计 {MAX_DAYS} 天，已从 {start} 开始统计。"
        return cls(days, start, end, grain, arg("service"), arg("department"), arg("district"),
                   arg("channel"), by), message

    def filters(self, today: date) -> Filters:
        if self.days is not None:
            first, last = today - timedelta(days=self.days - 1), today
        else:
            last = self.end or today
            first = self.start or last - timedelta(days=29)
        return Filters(first, last, self.service or None, self.department or None, self.district or None,
                       self.channel or None)

    def params(self) -> dict[str, str]:
        values = {"days": str(self.days) if self.days else "", "from": self.start.isoformat() if self.start else "",
                  "to": self.end.isoformat() if self.end else "", "grain": self.grain, "service": self.service,
                  "department": self.department, "district": self.district, "channel": self.channel,
                  "by": "" if self.by == "service" else self.by}
        return {k: v for k, v in values.items() if v}

    def url(self, path: str, **changes: str) -> str:
        return path + "?" + urlencode({**self.params(), **changes})


@dataclass(frozen=True)
class Row:
    """One line of a dimension's table."""

    key: str
    label: str
    counts: Counts
    levels: dict[int, int]
    followups: tuple[int, int]  # open, overdue
    median_ms: float | None = None


@dataclass(frozen=True)
class Choices:
    services: list[tuple[str, str]]  # (id, name)
    departments: list[str]
    districts: list[str]
    channels: list[tuple[str, str]]


@dataclass(frozen=True)
class Dashboard:
    query: DashboardQuery
    filters: Filters
    today: date
    overview: Overview
    periods: list[date]
    series: dict[date, Counts]
    ratings: dict[date, dict[int, int]]
    medians: dict[date, float | None]
    tables: dict[str, list[Row]]  # the dimensions asked for
    drop_off: list[tuple[str, int | None, int]]
    choices: Choices
    service_names: dict[str, str]


def _label(dimension: str, key: str, names: dict[str, str]) -> str:
    if dimension == "service":
        return names.get(key, key)
    return labels.channel_label(key) if dimension == "channel" else key


def _table(db: Any, filters: Filters, dimension: str, today: date, names: dict[str, str]) -> list[Row]:
    """A dimension's rows without their medians (those come from the response times read once)."""
    counts = report.by_dimension(db, filters, dimension)
    levels = trends.ratings_by(db, filters, dimension)
    followups = trends.followups_by(db, filters, dimension, today=today)
    keys = [k for k, _ in counts] + sorted((set(levels) | set(followups)) - {k for k, _ in counts})
    by_key = dict(counts)
    return [Row(k, _label(dimension, k, names), by_key.get(k, Counts()), levels.get(k, {}),
                followups.get(k, (0, 0))) for k in keys]


def _with_medians(rows: list[Row], medians: dict[str, float | None]) -> list[Row]:
    return [replace(row, median_ms=medians.get(row.key)) for row in rows]


def _choices(db: Any, tables: dict[str, list[Row]], query: DashboardQuery, names: dict[str, str]) -> Choices:
    def merged(known: list[str], dimension: str, chosen: str) -> list[str]:
        # Values seen in the data (when that table was read), except any holding what looks like a personal number.
        seen = [r.key for r in tables.get(dimension, ()) if r.key != labels.UNKNOWN
                and mask_personal_data(r.key) == r.key]
        return list(dict.fromkeys([*known, *sorted(set(seen) - set(known)), *([chosen] if chosen else [])]))

    services = merged(sorted(names, key=lambda s: names[s]), "service", query.service)
    channels = merged(list(labels.CHANNEL_LABELS), "channel", query.channel)
    return Choices([(s, names.get(s, s)) for s in services],
                   merged(labels.departments(db), "department", query.department),
                   merged(labels.district_names(db), "district", query.district),
                   [(c, labels.channel_label(c)) for c in channels])


def gather(db: Any, query: DashboardQuery, today: date | None = None,
           dimensions: tuple[str, ...] | None = None) -> Dashboard:
    """Every figure of the page for `query`, with the tables of `dimensions` (default: the one the
    page shows; the CSV asks for all). Blocking: run it in a thread.

    Each query reads every session of the period (at 100,000 sessions, 50-400 ms each on two
    busy cores: bench/analytics_scale.py), so the page reads one dimension's table, not four,
    and the independent reads run side by side on a few connections.
    """
    today = today or timefmt.local_today()
    filters = query.filters(today)
    names = labels.service_names(db)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        shown = dimensions or (query.by,)
        times = pool.submit(response_times.load, db, filters, shown)
        tables = {dimension: pool.submit(_table, db, filters, dimension, today, names) for dimension in shown}
        overview = pool.submit(report.overview, db, filters, today=today, median=False)
        series = pool.submit(report.series, db, filters, "day")  # rolled up below: see trends.roll_up
        ratings = pool.submit(trends.rating_series, db, filters, query.grain)
        drop_off = pool.submit(report.drop_off, db, filters)
        read = times.result()
        done = {dimension: _with_medians(future.result(), read.by(dimension)) for dimension, future in tables.items()}
        return Dashboard(
            query=query, filters=filters, today=today,
            overview=replace(overview.result(), median_response_ms=read.median()),
            periods=trends.periods(filters, query.grain), series=dict(trends.roll_up(series.result(), query.grain)),
            ratings=dict(ratings.result()), medians=dict(read.by_period(query.grain)), tables=done,
            drop_off=drop_off.result(), choices=_choices(db, done, query, names), service_names=names)

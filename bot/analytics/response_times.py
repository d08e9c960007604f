"""The assistant's response times for a period, read once per page and summarised every way the dashboard shows them.

Two histograms (models.py): per day and channel, small, and per day, channel, service and
district, some 150,000 rows for 60 days at 100,000 conversations. Each page reads the period
summed per day (the small one, unless the filters name a service, department or district) and,
for the tables it shows, per (channel, service, district), from which the median overall, per
day, week or month and per service, department, district or channel all follow. A query per
figure took six scans of the large one (the CSV 1.9 s at 100,000 conversations); reading its
rows into Python to sum them there was slower still (bench/analytics_scale.py).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from bot.analytics.models import AnalyticsServiceResponseTime
from bot.analytics.report import DIMENSIONS, Filters, median_from_histogram, response_time_source
from bot.analytics.trends import period_of
from bot.catalogue.models import Service

UNKNOWN = "未知"
Dims = tuple[str, str, str]  # channel, service ("" none), district ("" unknown)


def _medians(counts: Mapping[tuple[Any, int], int], key: Callable[[Any], Any | None]) -> dict[Any, float | None]:
    """Medians of `counts` ((k, bucket) → replies) grouped by key(k); a key of None leaves the row out."""
    grouped: dict[Any, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (k, bucket), count in counts.items():
        group = key(k)
        if group is not None:
            grouped[group][bucket] += count
    return {group: median_from_histogram(list(histogram.items())) for group, histogram in grouped.items()}


@dataclass(frozen=True)
class ResponseTimes:
    per_day: Mapping[tuple[date, int], int]  # (day, bucket_ms) → replies
    per_dims: Mapping[tuple[Dims, int], int]  # ((channel, service, district), bucket_ms) → replies
    departments: Mapping[str, str]  # service id → department
    dimensions: frozenset[str]  # those per_dims was read for (by() answers only them)

    def median(self) -> float | None:
        """Of every reply in the period and filters; None without replies."""
        return _medians(self.per_day, lambda day: True).get(True)

    def by_period(self, grain: str = "day") -> list[tuple[date, float | None]]:
        """Per day, week (from Monday) or month, oldest first; periods without replies left out."""
        return sorted(_medians(self.per_day, lambda day: period_of(day, grain)).items())

    def by(self, dimension: str) -> dict[str, float | None]:
        """Per service, department, district or channel; replies with none under 未知 (a department
        is that of a service, so replies outside any service have no department row)."""
        if dimension not in DIMENSIONS:
            raise ValueError(dimension)
        if dimension not in self.dimensions:
            raise LookupError(f"response times were not read per {dimension}")
        if dimension == "department":
            return _medians(self.per_dims, lambda dims: self.departments.get(dims[1]))
        at = ("channel", "service", "district").index(dimension)
        return _medians(self.per_dims, lambda dims: dims[at] or UNKNOWN)


def load(sessions: Any, filters: Filters, dimensions: Iterable[str] = ()) -> ResponseTimes:
    """The period's replies under every filter, summed per day, and per (channel, service,
    district) for `dimensions`; and which department owns each service."""
    wanted = frozenset(dimensions)
    if not wanted <= set(DIMENSIONS):
        raise ValueError(sorted(wanted - set(DIMENSIONS)))
    R, clauses = response_time_source(filters)
    replies = func.sum(R.count)
    per_day = select(R.day, R.bucket_ms, replies).where(*clauses).group_by(R.day, R.bucket_ms)
    with sessions() as session:
        days = {(day, int(bucket)): int(count) for day, bucket, count in session.execute(per_day)}
        by_dims: dict[tuple[Dims, int], int] = {}
        if wanted == {"channel"} and R is not AnalyticsServiceResponseTime:  # the small histogram has channels
            query = select(R.channel, R.bucket_ms, replies).where(*clauses).group_by(R.channel, R.bucket_ms)
            by_dims = {((channel, "", ""), int(bucket)): int(count)
                       for channel, bucket, count in session.execute(query)}
        elif wanted:
            D, detailed = response_time_source(filters, detailed=True)
            dims = (D.channel, D.service, D.district, D.bucket_ms)
            query = select(*dims, func.sum(D.count)).where(*detailed).group_by(*dims)
            by_dims = {((channel, service, district), int(bucket)): int(count)
                       for channel, service, district, bucket, count in session.execute(query)}
        departments = dict(session.execute(select(Service.id, Service.department)).all())
    return ResponseTimes(days, by_dims, departments, wanted)

"""The assistant's response times for a period, read once and summarised every way the dashboard shows them.

The histogram (models.AnalyticsResponseTime) is kept per day, channel, service, district and
bucket, so every filter applies to it; at 100,000 conversations a period holds some 150,000 of
its rows. The database sums them in two queries into two small histograms, per day and per
(channel, service, district), from which the median overall, per day, week or month and per
service, department, district or channel all follow. A query per figure took six scans (the
CSV 1.9 s at 100,000 conversations); reading the rows into Python to sum them, one scan, was
no faster (bench/analytics_scale.py).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from bot.analytics.models import AnalyticsResponseTime
from bot.analytics.report import DIMENSIONS, Filters, median_from_histogram, response_time_filters
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

    def median(self) -> float | None:
        """Of every reply in the period and filters; None without replies."""
        return _medians(self.per_day, lambda day: True).get(True)

    def by_period(self, grain: str = "day") -> list[tuple[date, float | None]]:
        """Per day, week (from Monday) or month, oldest first; periods without replies left out."""
        return sorted(_medians(self.per_day, lambda day: period_of(day, grain)).items())

    def by(self, dimension: str) -> dict[str, float | None]:
        """Per service, department, district or channel; replies with none under 未知 (a department
        is that of a service, so replies outside any service have no department row)."""
        if dimension == "department":
            return _medians(self.per_dims, lambda dims: self.departments.get(dims[1]))
        if dimension not in DIMENSIONS:
            raise ValueError(dimension)
        at = ("channel", "service", "district").index(dimension)
        return _medians(self.per_dims, lambda dims: dims[at] or UNKNOWN)


def load(sessions: Any, filters: Filters) -> ResponseTimes:
    """The period's replies under every filter, summed per day and per (channel, service, district),
    and which department owns each service."""
    R = AnalyticsResponseTime
    replies = func.sum(R.count)
    per_day = select(R.day, R.bucket_ms, replies).where(*response_time_filters(filters)).group_by(R.day, R.bucket_ms)
    dims = (R.channel, R.service, R.district, R.bucket_ms)
    per_dims = select(*dims, replies).where(*response_time_filters(filters)).group_by(*dims)
    with sessions() as session:
        days = {(day, int(bucket)): int(count) for day, bucket, count in session.execute(per_day)}
        by_dims = {((channel, service, district), int(bucket)): int(count)
                   for channel, service, district, bucket, count in session.execute(per_dims)}
        departments = dict(session.execute(select(Service.id, Service.department)).all())
    return ResponseTimes(days, by_dims, departments)

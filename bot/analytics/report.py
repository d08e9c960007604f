"""The figures of the dashboard and the public page, read from the fact tables only.

Definitions (shown on the pages; events → facts in facts.py):

- 会话数: conversation sessions that started in the period (Rasa starts a new session
  after two hours of silence), with at least one message from the resident;
- 解决率: sessions *resolved* (a service or FAQ answer was given, the last turn was not a
  fallback, and the session did not end with a hand-off) / 会话数;
- 兜底率: fallback turns / all turns;
- 转人工率: sessions with a hand-off request / 会话数;
- 流程完成率: guided flows submitted / flows started (every flow of a session; not the
  评价原因 questions after a poor rating); drop-off: the step at which a flow that was not
  submitted was left;
- 响应时间中位数: from the resident's message to the assistant's first reply, read from a
  histogram (50 ms steps below 1 s, 250 ms to 5 s), so exact to its bucket; a reply counts
  for the service and district the conversation was on when it was given (kept since
  migration 0011: earlier replies count under no service and no district);
- a service's or department's figures count the sessions that touched the service.
Ratings and follow-ups come from bot/evaluation's tables; a rating set aside on appeal
(申诉) is not counted.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.sql import Select

from bot.analytics.facts import BUCKETS_MS
from bot.analytics.models import (
    AnalyticsFlowRun,
    AnalyticsResponseTime,
    AnalyticsServiceResponseTime,
    AnalyticsSession,
    AnalyticsSessionService,
)
from bot.appointments.calendar import LOCAL_TZ
from bot.catalogue.models import Service
from bot.evaluation.followups import OPEN as OPEN_FOLLOWUPS
from bot.evaluation.models import FollowUp, Rating

S = AnalyticsSession
DIMENSIONS = ("service", "department", "district", "channel")
GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    service: str | None = None
    department: str | None = None
    district: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Counts:
    conversations: int = 0
    resolved: int = 0
    turns: int = 0
    fallback_turns: int = 0
    handoffs: int = 0
    flows_started: int = 0
    flows_submitted: int = 0

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def resolution_rate(self) -> float | None:
        return self.rate(self.resolved, self.conversations)

    @property
    def fallback_rate(self) -> float | None:
        return self.rate(self.fallback_turns, self.turns)

    @property
    def handoff_rate(self) -> float | None:
        return self.rate(self.handoffs, self.conversations)

    @property
    def completion_rate(self) -> float | None:
        return self.rate(self.flows_submitted, self.flows_started)


@dataclass(frozen=True)
class Overview:
    counts: Counts
    ratings: dict[int, int]  # level → count
    followups_open: int
    followups_overdue: int
    median_response_ms: float | None


_RESOLVED = and_(S.answered.is_(True), S.last_turn_fallback.is_(False), S.handoff_open.is_(False))
_COUNT_COLUMNS = (
    func.count(S.id), func.sum(case((_RESOLVED, 1), else_=0)), func.coalesce(func.sum(S.turns), 0),
    func.coalesce(func.sum(S.fallbacks), 0), func.sum(case((S.handoff.is_(True), 1), else_=0)),
    func.coalesce(func.sum(S.flows_started), 0), func.coalesce(func.sum(S.flows_submitted), 0),
)


def _counts(row: Sequence[Any]) -> Counts:
    return Counts(*(int(v or 0) for v in row))


def _services_of(filters: Filters) -> Any | None:
    """A subquery of session ids touching the filtered service or department, or None."""
    if not filters.service and not filters.department:
        return None
    query = select(AnalyticsSessionService.session_id)
    if filters.service:
        query = query.where(AnalyticsSessionService.service_id == filters.service)
    if filters.department:
        query = query.join(Service, Service.id == AnalyticsSessionService.service_id).where(
            Service.department == filters.department)
    return query


def _where(query: Select, filters: Filters) -> Select:
    query = query.where(S.day >= filters.start, S.day <= filters.end, S.turns > 0)
    if filters.district:
        query = query.where(S.district == filters.district)
    if filters.channel:
        query = query.where(S.channel == filters.channel)
    touching = _services_of(filters)
    if touching is not None:
        query = query.where(S.id.in_(touching))
    return query


def _utc_bounds(filters: Filters) -> tuple[datetime, datetime]:
    """Naive UTC instants of local midnight at the start and after the end of the period."""
    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)

    return midnight(filters.start), midnight(filters.end + timedelta(days=1))


def _ratings(session: Any, filters: Filters) -> dict[int, int]:
    start, end = _utc_bounds(filters)
    query = select(Rating.level, func.count()).where(
        Rating.set_aside_at.is_(None), Rating.created_at >= start, Rating.created_at < end)
    for column, value in ((Rating.service_id, filters.service), (Rating.department, filters.department),
                          (Rating.district, filters.district), (Rating.channel, filters.channel)):
        if value:
            query = query.where(column == value)
    return dict(session.execute(query.group_by(Rating.level)).all())


def _bucket_end(bound: int) -> int:
    later = [b for b in BUCKETS_MS if b > bound]
    return later[0] if later else bound + 1000


def median_from_histogram(buckets: Sequence[tuple[int, int]]) -> float | None:
    """The median, interpolated linearly inside its bucket (facts.BUCKETS_MS); None without data."""
    total = sum(count for _, count in buckets)
    if not total:
        return None
    half, seen = total / 2, 0
    for bound, count in sorted(buckets):
        if count and seen + count >= half:
            return bound + (_bucket_end(bound) - bound) * (half - seen) / count
        seen += count
    return None


def names_a_service_or_place(filters: Filters) -> bool:
    """The filters name a service, department or district: response times come from the detailed histogram."""
    return bool(filters.service or filters.department or filters.district)


def response_time_source(filters: Filters, *, detailed: bool = False) -> tuple[Any, list[Any]]:
    """The response-time histogram to read under `filters` (the small per-day one unless the
    filters or `detailed` need services and districts) and its where-clauses."""
    if not detailed and not names_a_service_or_place(filters):
        R: Any = AnalyticsResponseTime
        clauses = [R.day >= filters.start, R.day <= filters.end]
        return R, clauses + ([R.channel == filters.channel] if filters.channel else [])
    R = AnalyticsServiceResponseTime
    clauses = [R.day >= filters.start, R.day <= filters.end]
    for column, value in ((R.channel, filters.channel), (R.service, filters.service), (R.district, filters.district)):
        if value:
            clauses.append(column == value)
    if filters.department:
        clauses.append(R.service.in_(select(Service.id).where(Service.department == filters.department)))
    return R, clauses


def _median(session: Any, filters: Filters) -> float | None:
    R, clauses = response_time_source(filters)
    query = select(R.bucket_ms, func.sum(R.count)).where(*clauses).group_by(R.bucket_ms)
    return median_from_histogram([(int(b), int(c)) for b, c in session.execute(query).all()])


def overview(sessions: sessionmaker, filters: Filters, *, today: date, median: bool = True) -> Overview:
    """The period's figures; `median=False` leaves the response time out (None) for a caller that
    reads the response times once for every figure (response_times.py)."""
    with sessions() as session:
        counts = _counts(session.execute(_where(select(*_COUNT_COLUMNS), filters)).one())
        followups = select(func.count()).select_from(FollowUp).join(Rating, Rating.id == FollowUp.rating_id).where(
            FollowUp.status.in_(OPEN_FOLLOWUPS))
        if filters.department:
            followups = followups.where(FollowUp.department == filters.department)
        if filters.service:
            followups = followups.where(Rating.service_id == filters.service)
        open_ = int(session.scalar(followups) or 0)
        overdue = int(session.scalar(followups.where(FollowUp.due_on < today)) or 0)
        return Overview(counts, _ratings(session, filters), open_, overdue,
                        _median(session, filters) if median else None)


def _period(grain: str, dialect: str) -> Any:
    """The first day of the day's week (Monday) or month, in the database's own date functions."""
    if grain == "day":
        return S.day
    if dialect != "sqlite":
        return func.date(func.date_trunc(grain, S.day))
    if grain == "month":
        return func.strftime("%Y-%m-01", S.day)
    # SQLite: %w is 0 on Sunday; the day before's weekday number is the days since Monday.
    return func.date(S.day, "-" + func.strftime("%w", func.date(S.day, "-1 day")) + " days")


def series(sessions: sessionmaker, filters: Filters, grain: str = "day") -> list[tuple[date, Counts]]:
    """Counts per day, week (from Monday) or month, oldest first."""
    if grain not in GRAINS:
        raise ValueError(grain)
    with sessions() as session:
        period = _period(grain, session.get_bind().dialect.name).label("period")
        rows = session.execute(_where(select(period, *_COUNT_COLUMNS), filters).group_by(period).order_by(period))
        return [(_as_date(row[0]), _counts(row[1:])) for row in rows]


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(value)[:10])


def by_dimension(sessions: sessionmaker, filters: Filters, dimension: str) -> list[tuple[str, Counts]]:
    """Counts per service, department, district or channel, largest first."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    if dimension in ("district", "channel"):
        key: Any = func.coalesce(getattr(S, dimension), literal("未知"))
        query = _where(select(key.label("key"), *_COUNT_COLUMNS), filters)
    else:
        column = AnalyticsSessionService.service_id if dimension == "service" else Service.department
        key = column
        query = _where(select(key.label("key"), *_COUNT_COLUMNS), filters).join(
            AnalyticsSessionService, AnalyticsSessionService.session_id == S.id)
        if dimension == "department":
            query = query.join(Service, Service.id == AnalyticsSessionService.service_id)
    with sessions() as session:
        rows = session.execute(query.group_by(key).order_by(func.count(S.id).desc(), key))
        return [(str(row[0]), _counts(row[1:])) for row in rows]


def drop_off(sessions: sessionmaker, filters: Filters) -> list[tuple[str, int | None, int]]:
    """(flow, step left at (None: before its first question), flows) for flows not submitted."""
    F = AnalyticsFlowRun
    query = _where(select(F.flow, F.step, func.count()).select_from(S).join(F, F.session_id == S.id), filters).where(
        or_(F.outcome.is_(None), F.outcome != "submitted"))
    with sessions() as session:
        rows = session.execute(query.group_by(F.flow, F.step).order_by(F.flow, F.step))
        return [(str(f), int(s) if s is not None else None, int(c)) for f, s, c in rows]

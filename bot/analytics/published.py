"""The 好差评 results the public page publishes: per service and per department, no person in sight.

For a period of local days: ratings by level, the satisfaction rate as 好差评 publishes it
((非常满意 + 满意 + 基本满意) / all ratings), the poor ratings (不满意, 非常不满意) and how
their follow-ups went: *due* are those closed or past their deadline (``due_on`` before
today), *on time* those closed on or before their deadline day. A follow-up still open
before its deadline is neither. Ratings set aside on appeal (申诉) count nowhere. Only
counts leave this module: no conversation, reason or note.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.appointments.calendar import LOCAL_TZ
from bot.evaluation.followups import FollowUpStatus
from bot.evaluation.levels import Level
from bot.evaluation.models import FollowUp, Rating

SATISFIED = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED)


@dataclass
class Result:
    """One service's or department's results in the period."""

    key: str
    levels: dict[int, int] = field(default_factory=dict)
    followups_due: int = 0
    followups_on_time: int = 0

    @property
    def total(self) -> int:
        return sum(self.levels.values())

    @property
    def poor(self) -> int:
        return sum(n for level, n in self.levels.items() if Level(level).is_poor)

    @property
    def satisfaction(self) -> float | None:
        satisfied = sum(self.levels.get(int(level), 0) for level in SATISFIED)
        return satisfied / self.total if self.total else None


@dataclass(frozen=True)
class Published:
    start: date
    end: date
    by_service: list[Result]  # services with ratings, most rated first
    by_department: list[Result]
    overall: Result


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _local_day(moment: datetime) -> date:
    return moment.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).date()


def _on_time(status: str, closed_at: datetime | None, due_on: date) -> bool:
    return status == FollowUpStatus.CLOSED.value and closed_at is not None and _local_day(closed_at) <= due_on


def _ordered(results: Iterable[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (-r.total, r.key))


def published(sessions: sessionmaker, *, start: date, end: date, today: date) -> Published:
    """Results of the ratings made from `start` to `end` (local days, inclusive)."""
    query = (select(Rating.service_id, Rating.department, Rating.level, FollowUp.status, FollowUp.closed_at,
                    FollowUp.due_on)
             .outerjoin(FollowUp, FollowUp.rating_id == Rating.id)
             .where(Rating.set_aside_at.is_(None), Rating.created_at >= _utc(start),
                    Rating.created_at < _utc(end + timedelta(days=1))))
    services: dict[str, Result] = {}
    departments: dict[str, Result] = {}
    overall = Result("全部")
    with sessions() as session:
        rows: list[Any] = list(session.execute(query).all())
    for service_id, department, level, status, closed_at, due_on in rows:
        targets = [overall, departments.setdefault(department or "未知", Result(department or "未知"))]
        if service_id:
            targets.append(services.setdefault(service_id, Result(service_id)))
        due = status is not None and (status == FollowUpStatus.CLOSED.value or due_on < today)
        on_time = status is not None and _on_time(status, closed_at, due_on)
        for result in targets:
            result.levels[int(level)] = result.levels.get(int(level), 0) + 1
            result.followups_due += int(due)
            result.followups_on_time += int(on_time)
    return Published(start, end, _ordered(services.values()), _ordered(departments.values()), overall)

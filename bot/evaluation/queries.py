"""Reading follow-ups and appeals for the staff console: filtered pages, counts, look-ups.

followups.listing serves simple callers; the console's 差评回访 page also filters by
state, pages with a total and counts each state, all in the database, and its 申诉复核
page shows each appeal beside the follow-up of its rating. Read-only, one short session
per call.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.sql import Select

from bot.evaluation.followups import OPEN, FollowUpStatus
from bot.evaluation.models import Appeal, FollowUp, Rating
from bot.evaluation.views import AppealView, FollowUpView, appeal_view, followup_view

#: The key of :func:`status_counts` for open follow-ups past their deadline.
OVERDUE = "overdue"


@dataclass(frozen=True)
class FollowUpFilter:
    """Which follow-ups to read; None means any."""

    department: str | None = None
    status: FollowUpStatus | None = None
    open_only: bool = False
    #: Only those still open after their deadline, as of this local day.
    overdue_on: date | None = None

    def apply(self, query: Select) -> Select:
        if self.department:
            query = query.where(FollowUp.department == self.department)
        if self.status is not None:
            query = query.where(FollowUp.status == self.status.value)
        if self.open_only or self.overdue_on is not None:
            query = query.where(FollowUp.status.in_(OPEN))
        if self.overdue_on is not None:
            query = query.where(FollowUp.due_on < self.overdue_on)
        return query


@dataclass(frozen=True)
class FollowUpPage:
    items: list[FollowUpView]
    total: int  # matching follow-ups on every page


def search(sessions: sessionmaker, *, where: FollowUpFilter, limit: int, offset: int = 0) -> FollowUpPage:
    """One page of matching follow-ups, most urgent first (open before closed, earliest deadline first)."""
    query = where.apply(select(FollowUp, Rating).join(Rating, Rating.id == FollowUp.rating_id))
    query = query.order_by(FollowUp.status == FollowUpStatus.CLOSED.value, FollowUp.due_on, FollowUp.id)
    with sessions() as session:
        total = session.scalar(where.apply(select(func.count()).select_from(FollowUp))) or 0
        rows = session.execute(query.limit(max(1, limit)).offset(max(0, offset))).all()
        return FollowUpPage([followup_view(f, r) for f, r in rows], total)


def status_counts(sessions: sessionmaker, *, department: str | None, today: date) -> dict[str, int]:
    """How many follow-ups are in each state (every status value, 0 when none), and OVERDUE."""
    scope = FollowUpFilter(department=department)
    with sessions() as session:
        rows = session.execute(scope.apply(select(FollowUp.status, func.count()).group_by(FollowUp.status))).all()
        overdue = session.scalar(FollowUpFilter(department=department, overdue_on=today)
                                 .apply(select(func.count()).select_from(FollowUp))) or 0
    counts = {status.value: 0 for status in FollowUpStatus}
    counts.update({status: count for status, count in rows})
    counts[OVERDUE] = overdue
    return counts


def departments(sessions: sessionmaker) -> list[str]:
    """Every department that has follow-ups, sorted."""
    with sessions() as session:
        return sorted(session.execute(select(FollowUp.department).distinct()).scalars())


def followups_of_ratings(sessions: sessionmaker, *, rating_ids: Collection[int]) -> dict[int, FollowUpView]:
    """The follow-up of each rating that has one, by rating id."""
    if not rating_ids:
        return {}
    with sessions() as session:
        rows = session.execute(select(FollowUp, Rating).join(Rating, Rating.id == FollowUp.rating_id)
                               .where(FollowUp.rating_id.in_(list(rating_ids)))).all()
        return {r.id: followup_view(f, r) for f, r in rows}


def appeal(sessions: sessionmaker, *, appeal_id: int) -> AppealView | None:
    with sessions() as session:
        found = session.get(Appeal, appeal_id)
        return appeal_view(found) if found is not None else None

"""The follow-up of a poor rating (差评整改): 待核实 → 整改中 → 已回访 → 办结.

Each poor rating gets one follow-up, assigned to the department that owns the service,
due ``GOV_FOLLOWUP_DAYS`` working days later (default 5; holidays and 调休 days by
chinese-calendar, workdays.py). Every move is a conditional UPDATE from the state the
member of staff saw (two people cannot both move it) and leaves a step with who, when and
the note: the trail the rules ask for.

- 待核实 → 整改中 (a note of what is being put right), or → 已回访 directly when
  verification found nothing to put right (the note says why);
- 整改中 → 已回访: the 回访 itself, required: whether the resident was reached, whether
  they are satisfied, and a note;
- 已回访 → 办结 (a closing note).
An approved appeal (appeals.py) closes the follow-up as 办结 with the decision as its note.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.evaluation.clock import utcnow
from bot.evaluation.errors import InvalidStep, NoteRequired, NotFound
from bot.evaluation.models import FollowUp, FollowUpStep, Rating
from bot.evaluation.views import FollowUpView, StepView, followup_view, step_view
from bot.workdays import due_date, local_date

DEFAULT_DAYS = 5
MAX_NOTE_CHARS = 500
SYSTEM_ACTOR = "系统"


class FollowUpStatus(str, Enum):
    VERIFYING = "verifying"
    RECTIFYING = "rectifying"
    REVISITED = "revisited"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {FollowUpStatus.VERIFYING: "待核实", FollowUpStatus.RECTIFYING: "整改中",
                 FollowUpStatus.REVISITED: "已回访", FollowUpStatus.CLOSED: "办结"}
NEXT: dict[FollowUpStatus, frozenset[FollowUpStatus]] = {
    FollowUpStatus.VERIFYING: frozenset({FollowUpStatus.RECTIFYING, FollowUpStatus.REVISITED}),
    FollowUpStatus.RECTIFYING: frozenset({FollowUpStatus.REVISITED}),
    FollowUpStatus.REVISITED: frozenset({FollowUpStatus.CLOSED}),
    FollowUpStatus.CLOSED: frozenset(),
}
OPEN = tuple(s.value for s in FollowUpStatus if s is not FollowUpStatus.CLOSED)


def default_days() -> int:
    """GOV_FOLLOWUP_DAYS working days (1 to 60), else 5."""
    try:
        days = int(os.environ.get("GOV_FOLLOWUP_DAYS", DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS
    return days if 1 <= days <= 60 else DEFAULT_DAYS


def _note(note: str | None, *, required: bool) -> str | None:
    note = (note or "").strip()
    if required and not note:
        raise NoteRequired("this step needs a note")
    if len(note) > MAX_NOTE_CHARS:
        raise NoteRequired(f"a note is at most {MAX_NOTE_CHARS} characters")
    return note or None


def open_for(session: Session, rating: Rating, *, days: int | None, now: datetime) -> FollowUp:
    """Inside the rating's transaction: its follow-up, 待核实, due in working days."""
    followup = FollowUp(rating_id=rating.id, department=rating.department or "", status=FollowUpStatus.VERIFYING.value,
                        created_at=now, updated_at=now, due_on=due_date(now, days or default_days()))
    session.add(followup)
    session.flush()
    session.add(FollowUpStep(followup_id=followup.id, actor=SYSTEM_ACTOR, from_status=None,
                             to_status=followup.status, note=None, at=now))
    return followup


@dataclass(frozen=True)
class Revisit:
    """回访: required to reach 已回访."""

    reached: bool
    satisfied: bool


def advance(sessions: sessionmaker, *, followup_id: int, actor: str, seen: FollowUpStatus, to: FollowUpStatus,
            note: str | None, revisit: Revisit | None = None, now: datetime | None = None) -> FollowUpView:
    """Move a follow-up from `seen` (what the page showed) to `to`; InvalidStep if not allowed or moved already."""
    now = now or utcnow()
    if to not in NEXT[seen]:
        raise InvalidStep(f"{seen.value} → {to.value}")
    text = _note(note, required=True)
    if to is FollowUpStatus.REVISITED and revisit is None:
        raise NoteRequired("回访 needs whether the resident was reached and satisfied")
    values: dict[str, object] = {"status": to.value, "updated_at": now}
    if to is FollowUpStatus.REVISITED and revisit is not None:
        values.update(revisit_reached=revisit.reached, revisit_satisfied=revisit.satisfied)
    if to is FollowUpStatus.CLOSED:
        values["closed_at"] = now
    with sessions.begin() as session:
        moved = session.execute(update(FollowUp).where(FollowUp.id == followup_id, FollowUp.status == seen.value)
                                .values(**values).execution_options(synchronize_session=False)).rowcount
        if moved != 1:
            if session.get(FollowUp, followup_id) is None:
                raise NotFound(followup_id)
            raise InvalidStep(f"follow-up {followup_id} is no longer {seen.value}")
        session.add(FollowUpStep(followup_id=followup_id, actor=actor, from_status=seen.value,
                                 to_status=to.value, note=text, at=now))
        return _view(session, followup_id)


def close_after_appeal(session: Session, rating_id: int, actor: str, note: str, now: datetime) -> None:
    """Inside an approved appeal's transaction: its follow-up (if still open) ends as 办结."""
    followup = session.execute(select(FollowUp).where(FollowUp.rating_id == rating_id).with_for_update()
                               ).scalar_one_or_none()
    if followup is None or followup.status == FollowUpStatus.CLOSED.value:
        return
    session.add(FollowUpStep(followup_id=followup.id, actor=actor, from_status=followup.status,
                             to_status=FollowUpStatus.CLOSED.value, note=note, at=now))
    followup.status, followup.closed_at, followup.updated_at = FollowUpStatus.CLOSED.value, now, now


def _view(session: Session, followup_id: int) -> FollowUpView:
    row = session.execute(select(FollowUp, Rating).join(Rating, Rating.id == FollowUp.rating_id)
                          .where(FollowUp.id == followup_id).execution_options(populate_existing=True)).first()
    if row is None:
        raise NotFound(followup_id)
    return followup_view(*row)


def get(sessions: sessionmaker, *, followup_id: int) -> tuple[FollowUpView, list[StepView]]:
    with sessions() as session:
        view = _view(session, followup_id)
        steps = session.execute(select(FollowUpStep).where(FollowUpStep.followup_id == followup_id)
                                .order_by(FollowUpStep.id)).scalars()
        return view, [step_view(s) for s in steps]


def is_overdue(view: FollowUpView, today: date) -> bool:
    """Still open after its deadline day (the deadline day itself is on time)."""
    return view.status != FollowUpStatus.CLOSED.value and today > view.due_on


def listing(sessions: sessionmaker, *, department: str | None = None, open_only: bool = False,
            overdue_on: date | None = None, limit: int = 50, offset: int = 0) -> list[FollowUpView]:
    """Follow-ups, most urgent first (open before closed, earliest deadline first)."""
    query = select(FollowUp, Rating).join(Rating, Rating.id == FollowUp.rating_id)
    if department:
        query = query.where(FollowUp.department == department)
    if open_only or overdue_on is not None:
        query = query.where(FollowUp.status.in_(OPEN))
    if overdue_on is not None:
        query = query.where(FollowUp.due_on < overdue_on)
    query = query.order_by((FollowUp.status == FollowUpStatus.CLOSED.value), FollowUp.due_on, FollowUp.id)
    with sessions() as session:
        return [followup_view(f, r) for f, r in session.execute(query.limit(limit).offset(offset)).all()]


def today_local(now: datetime | None = None) -> date:
    return local_date(now or utcnow())

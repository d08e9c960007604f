"""申诉复核: staff ask for a mistaken or malicious rating to be set aside; an admin decides.

One pending appeal per rating at a time. Approval sets the rating aside (it no longer
counts in published results) and closes its follow-up; refusal leaves both as they were
and a later appeal may be filed with new reasons. Who may request and who may decide is
the console's permission table; here every decision records who made it and why.
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from bot.db import begin_immediate
from bot.evaluation import followups
from bot.evaluation.clock import utcnow
from bot.evaluation.errors import AppealPending, InvalidStep, NoteRequired, NotFound
from bot.evaluation.models import Appeal, Rating
from bot.evaluation.views import AppealView, appeal_view

MAX_CHARS = 500


class AppealStatus(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"pending": "待复核", "approved": "已通过", "refused": "未通过"}[self.value]


def _text(text: str | None) -> str:
    text = (text or "").strip()
    if not text or len(text) > MAX_CHARS:
        raise NoteRequired(f"1 to {MAX_CHARS} characters")
    return text


def request_appeal(sessions: sessionmaker, *, rating_id: int, requested_by: str, reason: str,
                   now: datetime | None = None) -> AppealView:
    now, reason = now or utcnow(), _text(reason)
    with sessions.begin() as session:
        begin_immediate(session, f"appeal:{rating_id}")
        rating = session.get(Rating, rating_id)
        if rating is None:
            raise NotFound(rating_id)
        pending = session.scalar(select(Appeal.id).where(Appeal.rating_id == rating_id,
                                                         Appeal.status == AppealStatus.PENDING.value))
        if pending is not None or rating.set_aside_at is not None:
            raise AppealPending(rating_id)
        appeal = Appeal(rating_id=rating_id, requested_by=requested_by, reason=reason,
                        status=AppealStatus.PENDING.value, requested_at=now)
        session.add(appeal)
        session.flush()
        return appeal_view(appeal)


def decide(sessions: sessionmaker, *, appeal_id: int, decided_by: str, approve: bool, note: str,
           now: datetime | None = None) -> AppealView:
    """Approve (set the rating aside, close its follow-up) or refuse; once, with a note.

    The person who filed the appeal cannot decide it.
    """
    now, note = now or utcnow(), _text(note)
    status = AppealStatus.APPROVED if approve else AppealStatus.REFUSED
    with sessions.begin() as session:
        appeal = session.get(Appeal, appeal_id)
        if appeal is None:
            raise NotFound(appeal_id)
        if appeal.requested_by == decided_by:
            raise InvalidStep("an appeal is decided by someone other than who filed it")
        moved = session.execute(
            update(Appeal).where(Appeal.id == appeal_id, Appeal.status == AppealStatus.PENDING.value)
            .values(status=status.value, decided_by=decided_by, decided_at=now, decision_note=note)
            .execution_options(synchronize_session=False)).rowcount
        if moved != 1:
            raise InvalidStep(f"appeal {appeal_id} was decided already")
        if approve:
            session.execute(update(Rating).where(Rating.id == appeal.rating_id).values(set_aside_at=now)
                            .execution_options(synchronize_session=False))
            followups.close_after_appeal(session, appeal.rating_id, decided_by, f"申诉通过：{note}", now)
        session.expire(appeal)
        return appeal_view(session.get(Appeal, appeal_id))


def pending(sessions: sessionmaker, *, limit: int = 50) -> list[AppealView]:
    with sessions() as session:
        rows = session.execute(select(Appeal).where(Appeal.status == AppealStatus.PENDING.value)
                               .order_by(Appeal.requested_at).limit(limit)).scalars()
        return [appeal_view(a) for a in rows]


def of_rating(sessions: sessionmaker, *, rating_id: int) -> list[AppealView]:
    with sessions() as session:
        rows = session.execute(select(Appeal).where(Appeal.rating_id == rating_id).order_by(Appeal.id)).scalars()
        return [appeal_view(a) for a in rows]

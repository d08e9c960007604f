"""Inviting, recording and explaining ratings; each call one transaction.

The assistant's actions call :func:`invite` after a service answer, a submission or a
closed hand-off, then :func:`rate` when the resident answers the open invitation, and
:func:`give_reason` after a poor one. A poor rating (不满意, 非常不满意) opens its
follow-up in the same transaction (followups.py), assigned to the department owning the
service, so no poor rating can exist without one.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.catalogue.models import Service
from bot.db import begin_immediate
from bot.evaluation import followups
from bot.evaluation.clock import utcnow
from bot.evaluation.errors import NotFound, NotInvited
from bot.evaluation.invitations import Invited, is_open, may_invite
from bot.evaluation.levels import Level, PoorReason
from bot.evaluation.models import Rating, RatingInvitation
from bot.evaluation.views import RatingView, rating_view

#: Follow-ups of ratings with no service (a hand-off about nothing in the catalogue).
GENERAL_DEPARTMENT = "市政务服务管理局"
MAX_REASON_CHARS = 500


def _history(session: Session, conversation_id: str) -> Invited:
    rows = session.execute(select(RatingInvitation.subject, RatingInvitation.declined_at).where(
        RatingInvitation.conversation_id == conversation_id)).all()
    return Invited(frozenset(subject for subject, _ in rows), any(declined for _, declined in rows))


def invite(sessions: sessionmaker, *, conversation_id: str, subject: str, channel: str,
           in_flow: bool = False, service_id: str | None = None, reference: str | None = None,
           district: str | None = None, now: datetime | None = None) -> bool:
    """Record an invitation if the rules allow one now (invitations.py); True when the assistant should ask."""
    now = now or utcnow()
    try:
        with sessions.begin() as session:
            begin_immediate(session, f"rating:{conversation_id}")
            if not may_invite(_history(session, conversation_id), subject, in_flow=in_flow):
                return False
            session.add(RatingInvitation(conversation_id=conversation_id, subject=subject, channel=channel,
                                         service_id=service_id, reference=reference, district=district,
                                         invited_at=now))
        return True
    except IntegrityError:
        return False  # the same subject invited a moment ago by a concurrent turn


def forget_invitation(sessions: sessionmaker, *, conversation_id: str, subject: str) -> None:
    """Undo an invitation never shown (what it was for failed); a rated or declined one stays."""
    with sessions.begin() as session:
        session.execute(delete(RatingInvitation).where(
            RatingInvitation.conversation_id == conversation_id, RatingInvitation.subject == subject,
            RatingInvitation.rated_at.is_(None), RatingInvitation.declined_at.is_(None)))


def _open_invitation(session: Session, conversation_id: str, now: datetime) -> RatingInvitation | None:
    latest = session.execute(
        select(RatingInvitation).where(RatingInvitation.conversation_id == conversation_id)
        .order_by(RatingInvitation.invited_at.desc(), RatingInvitation.id.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is None or not is_open(latest.invited_at, now, rated=latest.rated_at is not None,
                                     declined=latest.declined_at is not None):
        return None
    return latest


def has_open_invitation(sessions: sessionmaker, *, conversation_id: str, now: datetime | None = None) -> bool:
    with sessions() as session:
        return _open_invitation(session, conversation_id, now or utcnow()) is not None


def decline(sessions: sessionmaker, *, conversation_id: str, now: datetime | None = None) -> bool:
    """The resident turned the open invitation down; no more invitations in this conversation."""
    now = now or utcnow()
    with sessions.begin() as session:
        begin_immediate(session, f"rating:{conversation_id}")
        invitation = _open_invitation(session, conversation_id, now)
        if invitation is None:
            return False
        invitation.declined_at = now
        return True


def _department(session: Session, service_id: str | None) -> str:
    if not service_id:
        return GENERAL_DEPARTMENT
    return session.scalar(select(Service.department).where(Service.id == service_id)) or GENERAL_DEPARTMENT


def rate(sessions: sessionmaker, *, conversation_id: str, level: Level, followup_days: int | None = None,
         now: datetime | None = None) -> RatingView:
    """Answer the conversation's open invitation with `level`; NotInvited when there is none."""
    now = now or utcnow()
    with sessions.begin() as session:
        begin_immediate(session, f"rating:{conversation_id}")
        invitation = _open_invitation(session, conversation_id, now)
        if invitation is None:
            raise NotInvited(conversation_id)
        moved = session.execute(
            update(RatingInvitation).where(RatingInvitation.id == invitation.id, RatingInvitation.rated_at.is_(None))
            .values(rated_at=now).execution_options(synchronize_session=False)).rowcount
        if moved != 1:
            raise NotInvited(conversation_id)
        rating = Rating(invitation_id=invitation.id, conversation_id=conversation_id, subject=invitation.subject,
                        service_id=invitation.service_id, department=_department(session, invitation.service_id),
                        reference=invitation.reference, channel=invitation.channel, district=invitation.district,
                        level=int(level), created_at=now)
        session.add(rating)
        session.flush()
        if level.is_poor:
            followups.open_for(session, rating, days=followup_days, now=now)
        return rating_view(rating)


def give_reason(sessions: sessionmaker, *, rating_id: int, conversation_id: str, reason: PoorReason,
                text: str | None = None) -> RatingView:
    """The reason of a poor rating, once; only the conversation that rated may give it."""
    with sessions.begin() as session:
        rating = session.execute(select(Rating).where(Rating.id == rating_id, Rating.conversation_id == conversation_id)
                                 .with_for_update()).scalar_one_or_none()
        if rating is None or not Level(rating.level).is_poor:
            raise NotFound(rating_id)
        if rating.reason is None:
            rating.reason = reason.value
            rating.reason_text = (text or "").strip()[:MAX_REASON_CHARS] or None if reason is PoorReason.OTHER else None
        return rating_view(rating)


def latest_rating(sessions: sessionmaker, *, conversation_id: str) -> RatingView | None:
    with sessions() as session:
        rating = session.execute(select(Rating).where(Rating.conversation_id == conversation_id)
                                 .order_by(Rating.id.desc()).limit(1)).scalar_one_or_none()
        return rating_view(rating) if rating is not None else None

"""Tables of 好差评: invitations, ratings, follow-ups of poor ratings with their history, appeals.

A rating belongs to one invitation (一事一评: one per service, hand-off or receipt in a
conversation) and records the service, channel and district as they were, so results can
be counted without the tracker store. Free text (the resident's reason, staff notes) may
hold personal data: encrypted at rest (bot/security/columns.py), masked when shown.
Times are naive UTC; deadlines (``due_on``) are local working days.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint

from bot.db import Base
from bot.security.columns import EncryptedText


class RatingInvitation(Base):
    """The assistant asked for a rating of `subject` in a conversation; at most once each."""

    __tablename__ = "rating_invitations"
    __table_args__ = (UniqueConstraint("conversation_id", "subject", name="uq_rating_invitations_subject"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    #: "service:<id>", "application:<receipt>", "booking:<receipt>" or "handoff:<request id>".
    subject = Column(String(100), nullable=False)
    service_id = Column(String(64))
    reference = Column(String(64))  # receipt or hand-off number, when there is one
    channel = Column(String(16), nullable=False)
    district = Column(String(32))
    invited_at = Column(DateTime, nullable=False)
    #: The resident said they would rather not rate (不评了): no more invitations in this conversation.
    declined_at = Column(DateTime)
    rated_at = Column(DateTime)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_created", "created_at"),
                      Index("ix_ratings_service_created", "service_id", "created_at"))

    id = Column(Integer, primary_key=True)
    invitation_id = Column(Integer, ForeignKey("rating_invitations.id", ondelete="CASCADE"),
                           nullable=False, unique=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    subject = Column(String(100), nullable=False)
    service_id = Column(String(64))
    department = Column(String(100))  # the service's, when rated: follow-ups go there
    reference = Column(String(64))
    channel = Column(String(16), nullable=False)
    district = Column(String(32))
    level = Column(Integer, nullable=False)  # levels.Level: 5 非常满意 … 1 非常不满意
    reason = Column(String(20))  # levels.PoorReason, for poor ratings
    reason_text = Column(EncryptedText)  # 其他: the resident's words
    created_at = Column(DateTime, nullable=False)
    #: An approved appeal (申诉) takes the rating out of the published results.
    set_aside_at = Column(DateTime)


class FollowUp(Base):
    """The follow-up of one poor rating: 待核实 → 整改中 → 已回访 → 办结, by a working-day deadline."""

    __tablename__ = "rating_followups"
    __table_args__ = (Index("ix_rating_followups_status_due", "status", "due_on"),)

    id = Column(Integer, primary_key=True)
    rating_id = Column(Integer, ForeignKey("ratings.id", ondelete="CASCADE"), nullable=False, unique=True)
    department = Column(String(100), nullable=False)
    status = Column(String(12), nullable=False)  # followups.FollowUpStatus
    created_at = Column(DateTime, nullable=False)
    due_on = Column(Date, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime)
    #: 回访: whether the resident was reached and satisfied, and what they said.
    revisit_reached = Column(Boolean)
    revisit_satisfied = Column(Boolean)


class FollowUpStep(Base):
    """One change of a follow-up (who, when, from → to, the note): its audit trail."""

    __tablename__ = "rating_followup_steps"

    id = Column(Integer, primary_key=True)
    followup_id = Column(Integer, ForeignKey("rating_followups.id", ondelete="CASCADE"),
                         nullable=False, index=True)
    actor = Column(String(100), nullable=False)
    from_status = Column(String(12))
    to_status = Column(String(12), nullable=False)
    note = Column(EncryptedText)
    at = Column(DateTime, nullable=False)


class Appeal(Base):
    """申诉: staff ask for a rating to be set aside; an admin approves or refuses."""

    __tablename__ = "rating_appeals"
    __table_args__ = (Index("ix_rating_appeals_status", "status"),)

    id = Column(Integer, primary_key=True)
    rating_id = Column(Integer, ForeignKey("ratings.id", ondelete="CASCADE"), nullable=False, index=True)
    requested_by = Column(String(100), nullable=False)
    reason = Column(EncryptedText, nullable=False)
    status = Column(String(10), nullable=False)  # pending, approved, refused
    requested_at = Column(DateTime, nullable=False)
    decided_by = Column(String(100))
    decided_at = Column(DateTime)
    decision_note = Column(EncryptedText)

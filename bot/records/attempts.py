"""Failed proofs of a receipt number, counted in the database so the limit survives restarts.

Four digits are guessable, so failures are limited: MAX_FAILURES per conversation and
per receipt number within WINDOW (an hour), whichever is reached first. A try is written
down as a failure *before* the digits are compared and taken back when they match
(:func:`reserve`, :func:`release`), so tries racing each other cannot slip under the
limit together. Rows older than the window are deleted as new tries come in.
Times are naive UTC, like the other tables.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, Integer, String, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import Base, begin_immediate

MAX_FAILURES = 5
WINDOW = timedelta(hours=1)


class ProofAttempt(Base):
    """One failed (or still being checked) proof: who tried which number, and when."""

    __tablename__ = "record_proof_attempts"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(200), nullable=False, index=True)
    receipt_no = Column(String(10), nullable=False, index=True)
    at = Column(DateTime, nullable=False, index=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _locked(session: Session, *, sender_id: str, receipt_no: str | None, now: datetime) -> bool:
    since = now - WINDOW
    by_sender = session.scalar(select(func.count()).select_from(ProofAttempt).where(
        ProofAttempt.sender_id == sender_id, ProofAttempt.at > since))
    if by_sender >= MAX_FAILURES:
        return True
    if receipt_no is None:
        return False
    by_receipt = session.scalar(select(func.count()).select_from(ProofAttempt).where(
        ProofAttempt.receipt_no == receipt_no, ProofAttempt.at > since))
    return by_receipt >= MAX_FAILURES


def is_locked(sessions: sessionmaker, *, sender_id: str, receipt_no: str | None = None,
              now: datetime | None = None) -> bool:
    """Whether this conversation (or this receipt number, when given) has used up its tries."""
    with sessions() as session:
        return _locked(session, sender_id=sender_id, receipt_no=receipt_no, now=now or utcnow())


def reserve(sessions: sessionmaker, *, sender_id: str, receipt_no: str,
            now: datetime | None = None) -> int | None:
    """Write this try down as a failure and return its id; None if the limit was already reached."""
    now = now or utcnow()
    with sessions.begin() as session:
        # Counting and writing the try is one step (on PostgreSQL: per conversation and number).
        begin_immediate(session, f"proof-sender:{sender_id}", f"proof-receipt:{receipt_no}")
        session.execute(delete(ProofAttempt).where(ProofAttempt.at <= now - WINDOW))
        if _locked(session, sender_id=sender_id, receipt_no=receipt_no, now=now):
            return None
        attempt = ProofAttempt(sender_id=sender_id, receipt_no=receipt_no, at=now)
        session.add(attempt)
        session.flush()
        return attempt.id


def release(sessions: sessionmaker, attempt_id: int) -> None:
    """The digits matched: that try was no failure."""
    with sessions.begin() as session:
        session.execute(delete(ProofAttempt).where(ProofAttempt.id == attempt_id))

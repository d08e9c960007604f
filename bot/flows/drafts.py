"""Half-filled flows live here, not in the conversation tracker.

The tracker store keeps every slot value forever; a flow's answers (ID numbers,
phones) must not. The `flow_state` slot holds only a draft id; the answers sit in this
table until the flow is submitted or cancelled. A cancelled draft is deleted; a submitted
one keeps only the reply, so a retried call repeats it (actions/guided_form.py); drafts
untouched for DRAFT_TTL are purged.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, String, delete
from sqlalchemy.orm import sessionmaker

from bot.db import Base

#: Drafts untouched this long are removed (an abandoned conversation keeps nothing).
DRAFT_TTL = timedelta(days=1)


class FlowDraft(Base):
    __tablename__ = "flow_drafts"

    id = Column(String(32), primary_key=True)
    sender_id = Column(String(200), nullable=False, index=True)
    state = Column(JSON, nullable=False)
    updated_at = Column(DateTime, nullable=False)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def save_draft(sessions: sessionmaker, *, sender_id: str, state: dict[str, Any],
               draft_id: str | None = None) -> str:
    """Create or replace a draft; returns its id."""
    draft_id = draft_id or uuid.uuid4().hex
    with sessions.begin() as session:
        draft = session.get(FlowDraft, draft_id)
        if draft is None:
            session.add(FlowDraft(id=draft_id, sender_id=sender_id, state=state, updated_at=_now()))
        elif draft.sender_id == sender_id:
            draft.state, draft.updated_at = state, _now()
        else:
            raise PermissionError("draft belongs to another conversation")
    return draft_id


def load_draft(sessions: sessionmaker, *, sender_id: str, draft_id: str) -> dict[str, Any] | None:
    """The draft's state, if it exists, belongs to this sender and has not expired."""
    with sessions() as session:
        draft = session.get(FlowDraft, draft_id)
        if draft is None or draft.sender_id != sender_id or _now() - draft.updated_at > DRAFT_TTL:
            return None
        return dict(draft.state)


def delete_draft(sessions: sessionmaker, *, sender_id: str, draft_id: str) -> None:
    with sessions.begin() as session:
        session.execute(delete(FlowDraft).where(FlowDraft.id == draft_id, FlowDraft.sender_id == sender_id))


def purge_expired(sessions: sessionmaker, *, now: datetime | None = None) -> int:
    """Delete drafts untouched for DRAFT_TTL; returns how many (`python -m bot purge` calls it).

    `now` is aware or naive UTC (tests pass one); rows store naive UTC.
    """
    if now is not None and now.tzinfo is not None:
        now = now.astimezone(timezone.utc).replace(tzinfo=None)
    with sessions.begin() as session:
        result = session.execute(delete(FlowDraft).where(FlowDraft.updated_at < (now or _now()) - DRAFT_TTL))
        return result.rowcount or 0

"""What staff decided about inbox groups, so a decided phrasing leaves the inbox.

One row per normalized text (unique, table inbox_decisions in console/tables.py):
assigning it to an intent, teaching it as out_of_scope, dismissing it, or making it an
example question of a catalogue service (``service``: the row's ``intent`` column then
holds the service id; console/catalogue/actions.py).

A decision can be taken back (console/teaching/revert.py): its row is deleted, so the
phrasing returns to the inbox; the audit log keeps what happened. Right after deciding,
the one who decided may undo within :data:`UNDO_WINDOW`; later, from the 已处理 list.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.text import normalize
from console.tables import InboxDecision, utc_naive

#: The decisions /inbox/decide takes (console/teaching/service.py).
ACTIONS = ("assign", "out_of_scope", "dismiss")
#: The message became an example question of a service (no retraining).
SERVICE = "service"
#: Whatever a row may record; ``intent`` is kept for these.
_WITH_TARGET = ("assign", SERVICE)
#: How long after deciding the confirmation's 撤销 button works.
UNDO_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Decision:
    text_normalized: str
    action: str
    intent: str | None  # the intent (assign) or the service id (service)
    username: str
    at: datetime  # naive UTC
    id: int = 0

    def undoable(self, username: str, now: datetime | None = None) -> bool:
        """Whether ``username`` may still undo it from the confirmation: their own, in the window."""
        return self.username == username and utc_naive(now) - self.at <= UNDO_WINDOW


class AlreadyDecided(Exception):
    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(f"“{text}”已经处理过了。")


def key_of(text: str) -> str:
    return normalize(text)


def _decision(row: InboxDecision) -> Decision:
    return Decision(row.text_normalized, row.action, row.intent, row.username, row.at, row.id)


def find_decision(session: Session, text: str) -> Decision | None:
    """The decision about `text` (normalized first), inside an open session."""
    row = session.execute(select(InboxDecision).where(
        InboxDecision.text_normalized == key_of(text))).scalar_one_or_none()
    return _decision(row) if row else None


def get_decision(sessions: sessionmaker, text: str) -> Decision | None:
    with sessions() as session:
        return find_decision(session, text)


def decided_texts(sessions: sessionmaker) -> set[str]:
    with sessions() as session:
        return set(session.execute(select(InboxDecision.text_normalized)).scalars())


def add_decision(session: Session, text: str, action: str, intent: str | None,
                 username: str, now: datetime | None = None) -> Decision:
    """Add the decision to `session`'s transaction; AlreadyDecided if the text was decided
    before (the transaction is then unusable: let the exception end it)."""
    if action not in (*ACTIONS, SERVICE):
        raise ValueError(f"unknown action {action!r}")
    row = InboxDecision(text_normalized=key_of(text), action=action,
                        intent=intent if action in _WITH_TARGET else None,
                        username=username[:100], at=utc_naive(now))
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise AlreadyDecided(row.text_normalized) from None
    return _decision(row)


def decisions_by_id(sessions: sessionmaker, ids: Iterable[int]) -> list[Decision]:
    """The decisions with these ids that still exist, in the order asked for."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    with sessions() as session:
        rows = {r.id: r for r in session.execute(
            select(InboxDecision).where(InboxDecision.id.in_(wanted))).scalars()}
    return [_decision(rows[i]) for i in wanted if i in rows]


def recent_decisions(sessions: sessionmaker, offset: int = 0, limit: int = 50) -> tuple[list[Decision], int]:
    """(one page of decisions, newest first; how many there are in all)."""
    with sessions() as session:
        total = session.scalar(select(func.count()).select_from(InboxDecision)) or 0
        rows = session.execute(select(InboxDecision)
                               .order_by(InboxDecision.at.desc(), InboxDecision.id.desc())
                               .offset(max(0, offset)).limit(max(1, limit))).scalars()
        return [_decision(r) for r in rows], int(total)


def delete_decision(session: Session, decision_id: int) -> bool:
    """Remove the decision inside `session`'s transaction (its phrasing returns to the inbox);
    False when it was already gone."""
    result = session.execute(delete(InboxDecision).where(InboxDecision.id == decision_id))
    return bool(result.rowcount)

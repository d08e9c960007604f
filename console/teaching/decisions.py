"""What staff decided about inbox groups, so a decided phrasing leaves the inbox.

One row per normalized text (unique, table inbox_decisions in console/tables.py):
assigning it to an intent, teaching it as out_of_scope, dismissing it, or making it an
example question of a catalogue service (``service``: the row's ``intent`` column then
holds the service id; console/catalogue/actions.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
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


@dataclass(frozen=True)
class Decision:
    text_normalized: str
    action: str
    intent: str | None  # the intent (assign) or the service id (service)
    username: str
    at: datetime


class AlreadyDecided(Exception):
    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(f"“{text}”已经处理过了。")


def key_of(text: str) -> str:
    return normalize(text)


def _decision(row: InboxDecision) -> Decision:
    return Decision(row.text_normalized, row.action, row.intent, row.username, row.at)


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

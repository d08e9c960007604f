"""Rasa tracker events as Rasa writes them, built tersely for tests that read trackers back."""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

#: A fixed moment (June 2025) the conversations of a test are timed from.
T0 = 1_750_000_000.0


def ranking(*pairs: tuple[str, float]) -> list[dict]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def user(text: str, intent: str, confidence: float, ts: float,
         rank: list[dict] | None = None) -> UserUttered:
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence},
             "intent_ranking": rank if rank is not None else ranking((intent, confidence)),
             "entities": []}
    return UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=ts)


def fallback(text: str, ts: float, *pairs: tuple[str, float]) -> UserUttered:
    """As the FallbackClassifier leaves it: nlu_fallback at the threshold, on top."""
    return user(text, "nlu_fallback", 0.3, ts, ranking(("nlu_fallback", 0.3), *pairs))


def act(name: str, ts: float) -> ActionExecuted:
    return ActionExecuted(name, timestamp=ts)


def bot(text: str, ts: float) -> BotUttered:
    return BotUttered(text, timestamp=ts)


def slot(name: str, value: Any, ts: float) -> SlotSet:
    return SlotSet(name, value, timestamp=ts)


def start(ts: float) -> list[Event]:
    return [act("action_session_start", ts), SessionStarted(timestamp=ts), act("action_listen", ts)]


def store_directly(db_path: Path, conversations: Mapping[str, Sequence[Event]]) -> str:
    """Write ``conversations`` (sender id → events) into a SQLite tracker store at ``db_path``
    with one INSERT, rows exactly as ``SQLTrackerStore.save`` writes them; returns its URL.

    Saving 2,000 trackers one by one through Rasa takes about 45 s on the development
    machine; this takes about a second, so a test can fill an inbox with 2,000 groups.
    """
    from rasa.core.tracker_store import SQLTrackerStore  # heavy; the unit tests here need only events

    store = SQLTrackerStore(None, dialect="sqlite", db=str(db_path))  # creates the events table
    rows = []
    for sender_id, events in conversations.items():
        for event in events:
            data = event.as_dict()
            rows.append({"sender_id": sender_id, "type_name": event.type_name,
                         "timestamp": data.get("timestamp"),
                         "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
                         "action_name": data.get("name"), "data": json.dumps(data)})
    try:
        with store.engine.begin() as connection:
            connection.execute(SQLTrackerStore.SQLEvent.__table__.insert(), rows)
    finally:
        store.engine.dispose()
    return f"sqlite:///{db_path}"

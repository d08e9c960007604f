"""Rasa tracker events as Rasa writes them, built tersely for tests that read trackers back."""
from __future__ import annotations

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

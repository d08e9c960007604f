"""The guided form's actions fed trackers the way Rasa does (tests/actions): a conversation at a time."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.guided_form import ActionAskFlowDone, ActionStartFlow, ValidateGuidedForm
from bot.db import session_factory
from bot.flows.drafts import load_draft

UNSURE = {"intent": "nlu_fallback", "confidence": 0.3}  # names, digits: what DIET makes of them


def latest(text: str, intent: str | None, confidence: float, **extra: Any) -> dict[str, Any]:
    return {"text": text, "intent": {"name": intent, "confidence": confidence, **extra.pop("intent_extra", {})},
            "intent_ranking": extra.pop("ranking", [{"name": intent, "confidence": confidence}]),
            "entities": [], **extra}


def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


class Chat:
    """One conversation: starts a flow, then feeds the form one message at a time."""

    def __init__(self, db_url: str, **slots: Any) -> None:
        self.db_url = db_url
        self.sender = f"test-{uuid.uuid4().hex[:10]}"
        self.slots: dict[str, Any] = {"district": None, "current_service": None, "pending_choice": None,
                                      "offered_flow": None, "flow_state": None, **slots}

    def tracker(self, message: dict[str, Any]) -> Tracker:
        events = [{"event": "user", "text": message["text"], "parse_data": message}]
        return Tracker(self.sender, dict(self.slots), message, events, False, None,
                       {"name": "guided_form"} if self.slots.get("flow_state") else {}, "action_listen")

    def start(self, text: str, intent: str) -> list[dict[str, Any]]:
        messages, events = run(ActionStartFlow(), self.tracker(latest(text, intent, 1.0)))
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return messages + self.ask()

    def ask(self) -> list[dict[str, Any]]:
        messages, _ = run(ActionAskFlowDone(), self.tracker(latest("", None, 0.0)))
        return messages

    def say(self, text: str, intent: str = UNSURE["intent"], confidence: float = UNSURE["confidence"],
            **extra: Any) -> str:
        dispatcher = CollectingDispatcher()
        result = asyncio.run(ValidateGuidedForm().validate_flow_done(
            text, dispatcher, self.tracker(latest(text, intent, confidence, **extra)), {}))
        self.slots.update({k: v for k, v in result.items() if k != "flow_done"})
        messages = dispatcher.messages + (self.ask() if result.get("flow_done") is None else [])
        self.last = messages
        return "\n".join(m.get("text") or "" for m in messages)

    def values(self) -> dict[str, Any]:
        state = load_draft(session_factory(self.db_url), sender_id=self.sender,
                           draft_id=self.slots["flow_state"]["draft"])
        return state["values"]

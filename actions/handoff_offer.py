"""A person is offered when the assistant failed twice in a row (issue 16, item 1).

A turn failed when the assistant could only ask to rephrase: "请换个说法" after none of the
offered choices fitted (utter_ask_rephrase, now said by action_ask_rephrase), Rasa's
default fallback, or action_clarify's NOT_UNDERSTOOD (nothing to offer). When the turn
before this one failed as well, the reply gets one more message: 转人工 as a numbered
choice (a button on the web chat; on WeChat "1" picks its payload), or 留言 when the desk
is closed. The "1" typed on the web chat is a pending choice (actions/choices.py).

Read from the tracker's events (what the previous turn said and did), so there is no slot
to keep in step; the console's inbox counts the same replies as "not understood"
(console/teaching/inbox.py).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.handoff import LEAVE_CHOICE, app_sessions
from actions.rating import answer_rating
from actions.runtime import GuardedAction, run_blocking
from bot import replies
from bot.handoff import desk, texts

logger = logging.getLogger(__name__)

#: Actions whose turn asked the resident to say it again.
REPHRASE_ACTIONS = frozenset({"utter_ask_rephrase", "utter_default", "action_default_fallback",
                              "action_ask_rephrase"})
REPHRASE_TEXTS = frozenset({replies.NOT_UNDERSTOOD})
PERSON_CHOICE = {"kind": "handoff", "options": ["handoff"], "labels": ["转人工"]}


def _turns(events: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The events after each user message, one list per message, oldest first."""
    turns: list[list[Mapping[str, Any]]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append([])
        elif turns:
            turns[-1].append(event)
    return turns


def turn_failed(turn: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the assistant only asked to rephrase in this turn."""
    for event in turn:
        if event.get("event") == "action" and event.get("name") in REPHRASE_ACTIONS:
            return True
        if event.get("event") == "bot" and event.get("text") in REPHRASE_TEXTS:
            return True
    return False


def previous_turn_failed(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the turn before the current one (the latest user message) failed."""
    turns = _turns(events)
    return len(turns) >= 2 and turn_failed(turns[-2])


async def offer_after_failure(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """This turn failed: if the previous one did too, offer a person (or 留言 when closed)."""
    if not previous_turn_failed(tracker.events):
        return []
    try:
        state = await run_blocking(desk.desk_state, app_sessions())
    except (asyncio.TimeoutError, SQLAlchemyError):
        logger.exception("the hand-off desk could not be reached; no person offered")
        return []
    if state.open:
        dispatcher.utter_message(text=texts.OFFER_PERSON, buttons=[texts.PERSON_BUTTON])
        return [SlotSet("pending_choice", PERSON_CHOICE)]
    dispatcher.utter_message(text=texts.OFFER_MESSAGE, buttons=[texts.LEAVE_BUTTON])
    return [SlotSet("pending_choice", LEAVE_CHOICE)]


class ActionAskRephrase(GuardedAction):
    """None of the offered choices (deny): ask to rephrase; the second failure in a row offers a person."""

    def name(self) -> str:
        return "action_ask_rephrase"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        declined = await answer_rating(dispatcher, tracker)  # "不用了" to a rating invitation
        if declined is not None:
            return declined
        dispatcher.utter_message(response="utter_ask_rephrase")
        return await offer_after_failure(dispatcher, tracker) or [SlotSet("pending_choice", None)]

"""Greeting menu and replies to input that carries no request."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import offer_services
from actions.runtime import GuardedAction
from bot import replies
from bot.text import InputProblem, classify_input


class ActionGreet(GuardedAction):
    """Welcome and a numbered menu of common services."""

    def name(self) -> str:
        return "action_greet"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        return await offer_services(dispatcher, list(replies.MENU_SERVICE_IDS), replies.WELCOME)


class ActionUnusableInput(GuardedAction):
    """Empty, emoji-only, non-Chinese or overlong messages: say what to do instead."""

    def name(self) -> str:
        return "action_unusable_input"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        # The guard names the problem; the text in the tracker is already normalised.
        reported = tracker.latest_message.get("input_problem")
        problem = InputProblem(reported) if reported in {p.value for p in InputProblem} \
            else classify_input(tracker.latest_message.get("text"))
        dispatcher.utter_message(text=replies.input_problem_reply(problem))
        return []

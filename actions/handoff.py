"""转人工: queue the conversation for a staff member and let the assistant fall silent.

One short message tells the resident their place in the queue, the expected wait
(bot/handoff/waits.py) and how to go back (不等了 / 回到机器人); then the action returns
Rasa's ``ConversationPaused``. While paused, Rasa logs every message of the conversation
and runs no action (``MessageProcessor._should_handle_message`` in rasa/core/processor.py
is False for a paused tracker), and the channels' gate (channels/handoff_gate.py) stores
those messages for the agent. The conversation resumes when the resident leaves the queue
or an agent closes the request (bot/handoff/handback.py).

Asking again while queued or with an agent gets the same request (the service is
idempotent). When the queue cannot be reached (database error, timeout), the resident
gets the phone numbers as before (utter_human_handoff) and the conversation is not paused;
a request the slow call may still have written is withdrawn, so the gate does not take the
conversation away from the assistant behind the resident's back.
"""
from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from actions.runtime import run_blocking
from bot.config import get_settings
from bot.db import session_factory
from bot.handoff.service import cancel_queued, request_handoff
from bot.handoff.texts import queued_text

logger = logging.getLogger(__name__)

#: Conversation id prefixes the channels give (channels/*/): the channel a request came from.
CHANNELS = {"web:": "webchat", "wechat:": "wechat", "rest:": "rest"}


def channel_of(conversation_id: str) -> str:
    return next((name for prefix, name in CHANNELS.items() if conversation_id.startswith(prefix)), "other")


def _sessions() -> sessionmaker:
    return session_factory(get_settings().database_url)


async def _withdraw(sessions: sessionmaker, conversation_id: str) -> None:
    """Best effort: cancel a request a timed-out call may have queued (never paused, so nothing to resume)."""
    try:
        await run_blocking(partial(cancel_queued, sessions, conversation_id=conversation_id, resumed=True))
    except (asyncio.TimeoutError, SQLAlchemyError):
        logger.warning("a hand-off request could not be withdrawn after a failure", exc_info=True)


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        conversation = tracker.sender_id
        try:
            sessions = _sessions()
        except SQLAlchemyError:
            return self._phone_numbers(dispatcher)
        try:
            ticket = await run_blocking(partial(
                request_handoff, sessions, conversation_id=conversation, channel=channel_of(conversation),
                district=tracker.get_slot("district"), service_id=tracker.get_slot("current_service")))
        except (asyncio.TimeoutError, SQLAlchemyError):
            await _withdraw(sessions, conversation)
            return self._phone_numbers(dispatcher)
        dispatcher.utter_message(text=queued_text(ticket))
        return [ConversationPaused()]

    @staticmethod
    def _phone_numbers(dispatcher: CollectingDispatcher) -> list[EventType]:
        logger.exception("the hand-off queue could not be reached; phone numbers instead")
        dispatcher.utter_message(response="utter_human_handoff")
        return []

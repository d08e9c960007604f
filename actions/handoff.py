"""转人工: queue the conversation for a staff member and let the assistant fall silent.

Out of the desk's hours (bot/handoff/desk.py: the city hall's hours and China's official
calendar) nothing is queued: the resident hears the hours, when the desk opens next, and
that they can leave a message (回复“留言”, a numbered choice: the 留言 flow,
bot/flows/leave_message.py) or call 12345.

In hours, one short message tells the resident their place in the queue, the expected
wait (bot/handoff/waits.py), that after GOV_HANDOFF_MAX_WAIT_MINUTES they may reply
“留言” instead, and how to go back (不等了 / 回到机器人); then the action returns Rasa's
``ConversationPaused``. While paused, Rasa logs every message of the conversation and runs
no action (``MessageProcessor._should_handle_message`` in rasa/core/processor.py is False
for a paused tracker), and the channels' gate (channels/handoff_gate.py) stores those
messages for the agent. The conversation resumes when the resident leaves the queue or an
agent closes the request (bot/handoff/handback.py).

:func:`hand_off` is shared with the guided form (actions/guided_form.py): 转人工 in the
middle of a flow queues the same way, with the step the resident was at for the agent
("高龄津贴申请 · 第3步（共8步）"); the flow's draft is kept for when they come back.

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
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from actions.runtime import run_blocking
from bot.config import get_settings
from bot.db import session_factory
from bot.handoff import desk, texts
from bot.handoff.origin import channel_of
from bot.handoff.service import cancel_queued, request_handoff

logger = logging.getLogger(__name__)

__all__ = ["ActionHumanHandoff", "LEAVE_CHOICE", "app_sessions", "channel_of", "hand_off", "is_paused"]

#: The pending numbered choice of a 留言 offer: "1" starts the 留言 flow (actions/choices.py).
LEAVE_CHOICE = {"kind": "leave_message", "options": ["leave_message"], "labels": ["留言"]}


def app_sessions() -> sessionmaker:
    """The application database: hand-off requests and tickets, the catalogue's halls."""
    return session_factory(get_settings().database_url)


async def _withdraw(sessions: sessionmaker, conversation_id: str) -> None:
    """Best effort: cancel a request a timed-out call may have queued (never paused, so nothing to resume)."""
    try:
        await run_blocking(partial(cancel_queued, sessions, conversation_id=conversation_id, resumed=True))
    except (asyncio.TimeoutError, SQLAlchemyError):
        logger.warning("a hand-off request could not be withdrawn after a failure", exc_info=True)


def is_paused(events: list[EventType]) -> bool:
    return any(event.get("event") == "pause" for event in events)


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, *,
                   flow_step: str | None = None) -> list[EventType] | None:
    """Queue the conversation (events end with ConversationPaused), or say the desk is closed.

    `flow_step`: the resident is in a guided flow at that step; out of hours they are told
    their answers are kept (the caller asks the question again) instead of being offered
    留言. None when the queue cannot be reached: nothing was said, the caller says how to
    reach a person.
    """
    conversation = tracker.sender_id
    try:
        sessions = app_sessions()
        state = await run_blocking(desk.desk_state, sessions)
    except (asyncio.TimeoutError, SQLAlchemyError):
        logger.exception("the hand-off desk could not be reached")
        return None
    days = desk.ticket_days()
    if not state.open:
        in_flow = flow_step is not None
        dispatcher.utter_message(text=texts.closed_text(state, days=days, in_flow=in_flow),
                                 buttons=[] if in_flow else [texts.LEAVE_BUTTON])
        return [] if in_flow else [SlotSet("pending_choice", LEAVE_CHOICE)]
    try:
        ticket = await run_blocking(partial(
            request_handoff, sessions, conversation_id=conversation, channel=channel_of(conversation),
            district=tracker.get_slot("district"), service_id=tracker.get_slot("current_service"),
            flow_step=flow_step))
    except (asyncio.TimeoutError, SQLAlchemyError):
        logger.exception("the hand-off queue could not be reached")
        await _withdraw(sessions, conversation)
        return None
    text = texts.queued_text(ticket, max_wait=desk.max_wait_minutes(), days=days)
    if flow_step is not None:
        text += "\n" + texts.FLOW_KEPT.format(step=flow_step)
    dispatcher.utter_message(text=text)
    return [SlotSet("pending_choice", None), ConversationPaused()]


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        events = await hand_off(dispatcher, tracker)
        if events is None:
            logger.warning("phone numbers instead of the hand-off queue")
            dispatcher.utter_message(response="utter_human_handoff")
            return []
        return events

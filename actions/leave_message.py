"""留言 and 查留言 as the actions see them: start the 留言 flow, tell this conversation's tickets.

Both arrive without intents of their own: "留言" comes as start_application and "查留言" as
check_progress (exact words, bot/nlu/commands.py), and action_start_flow
(actions/guided_form.py) tells them apart by the words. "1" after a 留言 offer comes
through the numbered choices (actions/choices.py), which start the flow here and ask
Rasa to run the form next.

查留言 answers from this conversation's tickets only: a resident cannot see another's
by naming a number (bot/handoff/tickets.py has no lookup by number for residents).
"""
from __future__ import annotations

from functools import partial
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.flow_start import begin_flow
from actions.runtime import run_blocking
from bot.config import get_settings
from bot.db import session_factory
from bot.flows import leave_message
from bot.handoff import desk, texts
from bot.handoff.hours import local
from bot.handoff.tickets import tickets_of_conversation

LEAVE_FLOW = leave_message.FLOW_NAME


def leave_message_context(tracker: Tracker) -> dict[str, Any]:
    """What the conversation knew (district, service), carried in the flow state to the ticket."""
    return {leave_message.CONTEXT: {"district": tracker.get_slot("district"),
                                    "service_id": tracker.get_slot("current_service")}}


async def start_leave_message(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The 留言 flow from an action the rules do not follow with the form."""
    return await begin_flow(dispatcher, tracker, LEAVE_FLOW, extra=leave_message_context(tracker), run_form=True)


def _status_text(conversation_id: str) -> str:
    sessions = session_factory(get_settings().database_url)
    tickets = tickets_of_conversation(sessions, conversation_id=conversation_id)
    return texts.tickets_status_text(tickets, local(desk.now()).date())


async def ticket_status(tracker: Tracker) -> str:
    """查留言: where this conversation's messages stand."""
    return await run_blocking(partial(_status_text, tracker.sender_id))

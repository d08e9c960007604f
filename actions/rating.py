"""好差评 in the conversation: inviting one rating, reading the answer, asking why when poor.

Invitations (bot/evaluation/invitations.py decides; ratings.invite records it):
- after a service answer the resident reacted to: thanks or goodbye with ``current_service``
  set (:class:`ActionThank`, :class:`ActionGoodbye`, replacing utter_thank/utter_goodbye);
- after an application or booking was submitted (actions/guided_form.py);
- after a hand-off closed (bot/handoff/handback.py: the hand-back message carries it).
The answer arrives as choose_number (a tapped button sends "1"…"5"; the levels' words and
不评了 are exact commands, bot/nlu/commands.py) or as a short reply NLU could not place;
:func:`answer_rating` reads it against the pending choice the invitation set. 不满意 and
非常不满意 start the 评价原因 flow (bot/flows/rating_reason.py), which offers a person at the end.
Ignoring the invitation costs nothing: any other message is understood as usual.
"""
from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.flow_start import begin_flow
from actions.handoff import app_sessions
from actions.runtime import GuardedAction, catalogue, run_blocking
from bot.evaluation import ratings
from bot.evaluation.errors import NotInvited
from bot.evaluation.invitations import DECLINE_WORDS, Context, subject_of
from bot.evaluation.levels import Level, parse_level
from bot.evaluation.texts import DECLINED, NOT_INVITED, RATING_KIND, THANKS, invitation, what_was_rated
from bot.flows.rating_reason import FLOW_NAME as REASON_FLOW
from bot.flows.rating_reason import RATING
from bot.handoff.origin import channel_of
from bot.text import normalize

logger = logging.getLogger(__name__)


def in_flow(tracker: Tracker) -> bool:
    return bool(tracker.active_loop.get("name")) or bool(tracker.get_slot("flow_state"))


async def _service_name(service_id: str) -> str | None:
    names = await run_blocking(partial(catalogue().service_names, [service_id]))
    return names.get(service_id)


async def invite_rating(dispatcher: CollectingDispatcher, tracker: Tracker, context: Context, key: str, *,
                        service_id: str | None = None, reference: str | None = None,
                        title: str | None = None, flow_finished: bool = False) -> list[EventType]:
    """Ask for one rating if the rules allow it now; the pending choice to read the answer against.

    ``flow_finished``: called from the form that just submitted, which is still the active loop.
    """
    try:
        allowed = await run_blocking(partial(
            ratings.invite, app_sessions(), conversation_id=tracker.sender_id, subject=subject_of(context, key),
            channel=channel_of(tracker.sender_id), in_flow=in_flow(tracker) and not flow_finished,
            service_id=service_id, reference=reference, district=tracker.get_slot("district")))
    except (asyncio.TimeoutError, SQLAlchemyError):
        logger.warning("a rating invitation could not be recorded; not asked", exc_info=True)
        return []
    if not allowed:
        return []
    if title is None and service_id:
        title = await _service_name(service_id)
    text, buttons, pending = invitation(what_was_rated(title, context.value))
    dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet("pending_choice", pending)]


def rating_reply(tracker: Tracker) -> Level | str | None:
    """The level the latest message gives the pending invitation, "decline", or None (not an answer)."""
    pending = tracker.get_slot("pending_choice") or {}
    if pending.get("kind") != RATING_KIND:
        return None
    text = tracker.latest_message.get("text") or ""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "deny" or normalize(text).strip(" ,.?") in DECLINE_WORDS:  # "不用了" to the invitation
        return "decline"
    return parse_level(text)


async def answer_rating(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Record the answer to a pending invitation; None when the message is not one."""
    reply = rating_reply(tracker)
    if reply is None:
        return None
    sessions, conversation = app_sessions(), tracker.sender_id
    if reply == "decline":
        await run_blocking(partial(ratings.decline, sessions, conversation_id=conversation))
        dispatcher.utter_message(text=DECLINED)
        return [SlotSet("pending_choice", None)]
    assert isinstance(reply, Level)
    try:
        rating = await run_blocking(partial(ratings.rate, sessions, conversation_id=conversation, level=reply))
    except NotInvited:  # expired (half an hour) or answered already
        dispatcher.utter_message(text=NOT_INVITED)
        return [SlotSet("pending_choice", None)]
    if not reply.is_poor:
        dispatcher.utter_message(text=THANKS)
        return [SlotSet("pending_choice", None)]
    return await begin_flow(dispatcher, tracker, REASON_FLOW, extra={RATING: rating.id}, run_form=True)


async def _acknowledge(dispatcher: CollectingDispatcher, tracker: Tracker, response: str) -> list[EventType]:
    answered = await answer_rating(dispatcher, tracker)  # "满意" may reach us as thanks
    if answered is not None:
        return answered
    dispatcher.utter_message(response=response)
    service_id = tracker.get_slot("current_service")
    if not service_id:
        return []
    return await invite_rating(dispatcher, tracker, Context.ANSWER, service_id, service_id=service_id)


class ActionThank(GuardedAction):
    """谢谢: thanks back, then (once per service, never in a flow) an invitation to rate the answer."""

    def name(self) -> str:
        return "action_thank"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        return await _acknowledge(dispatcher, tracker, "utter_thank")


class ActionGoodbye(GuardedAction):
    """再见: goodbye, then the same invitation."""

    def name(self) -> str:
        return "action_goodbye"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        return await _acknowledge(dispatcher, tracker, "utter_goodbye")

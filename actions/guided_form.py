"""Guided applications and appointments: the Rasa form `guided_form` around bot/flows.

The form has one slot, `flow_done`, that takes every answer as text; this module's
validation action hands it to the flow engine with the control command the intent
names (上一步, 重新填, 不办了, 再说一遍, 帮助, 确认), answers service questions asked in
the middle (then "我们继续：…"), and submits on confirmation. The ask action asks the
engine's current question, one per message, with numbered buttons.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from functools import partial
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import GuardedAction, run_blocking, service_id_from_intent
from actions.service_answer import answer_service
from bot import replies
from bot.flows import engine
from bot.flows.catalogue import APPLICATION_FLOWS, APPOINTMENT_FLOW, FlowContext, flow_context
from bot.flows.drafts import delete_draft, load_draft, purge_expired, save_draft
from bot.flows.submission import submit

logger = logging.getLogger(__name__)

COMMANDS = {
    "form_back": engine.Command.BACK,
    "form_restart": engine.Command.RESTART,
    "form_cancel": engine.Command.CANCEL,
    "form_repeat": engine.Command.REPEAT,
    "form_help": engine.Command.HELP,
    "affirm": engine.Command.AFFIRM,
    "deny": engine.Command.DENY,
}
#: A service question in the middle of a flow is answered when NLU is this sure of it
#: and the text is not a valid answer to the current question.
DIGRESSION_CONFIDENCE = 0.7


def raw_text(tracker: Tracker) -> str:
    """The resident's own words (the parse data holds the normalised text)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""


def send(dispatcher: CollectingDispatcher, message: engine.Message) -> None:
    dispatcher.utter_message(text=message.text,
                             buttons=[{"title": t, "payload": p} for t, p in message.buttons])


async def context() -> FlowContext:
    return await run_blocking(flow_context)


async def load_state(ctx: FlowContext, tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The running flow's state; the slot holds only the draft id (see bot/flows/drafts.py)."""
    pointer = tracker.get_slot("flow_state") or {}
    if not pointer.get("draft"):
        return None
    return await run_blocking(partial(load_draft, ctx.sessions, sender_id=tracker.sender_id,
                                      draft_id=pointer["draft"]))


async def store_state(ctx: FlowContext, tracker: Tracker, state: Dict[str, Any]) -> Dict[str, Any]:
    """Save the state as the draft and return the slot value that points to it."""
    pointer = tracker.get_slot("flow_state") or {}
    draft_id = await run_blocking(partial(save_draft, ctx.sessions, sender_id=tracker.sender_id,
                                          state=state, draft_id=pointer.get("draft")))
    return {"draft": draft_id}


async def drop_state(ctx: FlowContext, tracker: Tracker) -> None:
    pointer = tracker.get_slot("flow_state") or {}
    if pointer.get("draft"):
        await run_blocking(partial(delete_draft, ctx.sessions, sender_id=tracker.sender_id,
                                   draft_id=pointer["draft"]))


class ActionStartFlow(GuardedAction):
    """Start the flow for the current service, or an appointment.

    The rules run `guided_form` next; when nothing could start, `flow_state` stays empty
    and the form ends at once (see ValidateGuidedForm.required_slots).
    """

    def name(self) -> Text:
        return "action_start_flow"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[str, Any]) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        current = tracker.get_slot("current_service")
        prefill: Dict[str, Any] = {}
        if intent == "book_appointment":
            flow_name = APPOINTMENT_FLOW
            if current:
                prefill["service"] = current
        elif current in APPLICATION_FLOWS and (intent != "affirm" or tracker.get_slot("offered_flow") == current):
            flow_name = current
        else:
            dispatcher.utter_message(text=replies.FLOWS_AVAILABLE if intent != "affirm" else replies.ANYTHING_ELSE)
            return []
        ctx = await context()
        await run_blocking(purge_expired, ctx.sessions)  # abandoned drafts keep nothing for long
        outcome = engine.start(ctx.build(flow_name), prefill)
        for message in outcome.messages:
            send(dispatcher, message)
        state = {**outcome.state, "instance": uuid.uuid4().hex}
        draft_id = await run_blocking(partial(save_draft, ctx.sessions, sender_id=tracker.sender_id, state=state))
        return [SlotSet("flow_state", {"draft": draft_id}), SlotSet("pending_choice", None),
                SlotSet("offered_flow", None)]


class ActionAskFlowDone(GuardedAction):
    """Ask the flow's current question (the form calls it whenever `flow_done` is empty)."""

    def name(self) -> Text:
        return "action_ask_flow_done"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[str, Any]) -> List[EventType]:
        ctx = await context()
        state = await load_state(ctx, tracker)
        if not state:
            return []
        send(dispatcher, await run_blocking(engine.question, ctx.build(state["flow"]), state))
        if state.get("prefix"):
            await store_state(ctx, tracker, {**state, "prefix": ""})
        return []


class ValidateGuidedForm(FormValidationAction):
    """Feeds each answer to the flow engine; fills `flow_done` when the flow ends."""

    def name(self) -> Text:
        return "validate_guided_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        """No running flow (none started, submitted or cancelled): the form ends at once."""
        return domain_slots if tracker.get_slot("flow_state") else []

    async def validate_flow_done(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        try:
            ctx = await context()
            state = await load_state(ctx, tracker)
            if not state:  # expired or lost: end the form politely
                dispatcher.utter_message(text=replies.FLOW_EXPIRED)
                return {"flow_done": "ended", "flow_state": None}
            return await self._step(ctx, state, dispatcher, tracker)
        except (asyncio.TimeoutError, SQLAlchemyError, LookupError):
            logger.exception("guided flow step failed")
            dispatcher.utter_message(text=replies.SERVICE_UNAVAILABLE_IN_FLOW)
            return {"flow_done": None}

    async def _step(self, ctx: FlowContext, state: Dict[str, Any], dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> Dict[Text, Any]:
        if state.get("done_text"):  # this step was already submitted (a retried call)
            send(dispatcher, engine.Message(state["done_text"]))
            return {"flow_done": "submitted", "flow_state": None}
        intent = tracker.latest_message.get("intent") or {}
        flow = ctx.build(state["flow"])
        text = raw_text(tracker)
        digression = service_id_from_intent(intent.get("name"))
        if (digression and (intent.get("confidence") or 0) >= DIGRESSION_CONFIDENCE
                and not await run_blocking(engine.accepts, flow, state, text)):
            await answer_service(dispatcher, tracker, digression, in_flow=True)
            await store_state(ctx, tracker, {**state, "prefix": "我们继续：\n"})
            return {"flow_done": None}
        outcome = await run_blocking(engine.handle, flow, state, text, COMMANDS.get(intent.get("name")))
        for message in outcome.messages:
            send(dispatcher, message)
        if outcome.cancelled:
            await drop_state(ctx, tracker)
            return {"flow_done": "cancelled", "flow_state": None}
        if not outcome.finished:
            await store_state(ctx, tracker, outcome.state)
            return {"flow_done": None}
        result = await run_blocking(submit, ctx, outcome.state, tracker.sender_id)
        send(dispatcher, engine.Message(result.text))
        if result.reopened is not None:  # e.g. the slot filled up meanwhile: choose again
            await store_state(ctx, tracker, result.reopened)
            return {"flow_done": None}
        # Keep only the reply (no answers), so a retried call repeats it instead of failing.
        await store_state(ctx, tracker, {"flow": state["flow"], "instance": state["instance"],
                                         "done_text": result.text})
        return {"flow_done": "submitted", "flow_state": None}


class ActionFlowEnd(GuardedAction):
    """After the form: clear the flow so the next one starts clean."""

    def name(self) -> Text:
        return "action_flow_end"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[str, Any]) -> List[EventType]:
        return [SlotSet("flow_done", None), SlotSet("flow_state", None)]


class ActionNoActiveFlow(GuardedAction):
    """上一步 / 不办了 … when nothing is being filled in."""

    def name(self) -> Text:
        return "action_no_active_flow"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=replies.NO_ACTIVE_FLOW)
        return []

"""Guided applications and appointments: the Rasa form `guided_form` around bot/flows.

The form has one slot, `flow_done`, that takes every answer as text; this module's
validation action hands it to the flow engine with the command the intent names (上一步,
重新填, 不办了, 再说一遍, 帮助, 确认, 转人工, 菜单/你好/another request) and whether NLU is
confident the message means something else. The engine decides whether it is an answer
(bot/flows/engine.py, one rule for every step); a message that is not (an *aside*) is
answered here (a service, a FAQ, the likely services) and the question comes again
after "我们继续：". Confirmation submits. The ask action asks the engine's current
question, one per message, with numbered buttons.

转人工 in a flow queues the conversation for staff (actions/handoff.py) with the step the
resident was at; the draft stays, the ask action returns ConversationPaused instead of a
question, and after the hand-back "再说一遍" asks that question again (the form is still
active). 留言 and 查留言 start here too (actions/leave_message.py).
"""
from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.choices import offered_services
from actions.flow_start import begin_flow, context, send
from actions.handoff import hand_off, is_paused
from actions.leave_message import LEAVE_FLOW, leave_message_context, ticket_status
from actions.progress import RECORD_INTENTS, plan_records
from actions.rating import invite_rating
from actions.runtime import GuardedAction, catalogue, run_blocking, service_id_from_intent
from actions.service_answer import answer_service, resolve_district
from bot import replies
from bot.evaluation.invitations import Context
from bot.families import family_for_intent
from bot.flows import appointment, engine
from bot.flows.context import FlowContext
from bot.flows.definition import SubmitResult, UnknownFlow
from bot.flows.drafts import delete_draft, load_draft, save_draft
from bot.flows.registry import FLOWS
from bot.flows.submission import submit
from bot.handoff.commands import asks_ticket_status, asks_to_leave_message
from bot.nlu.service_decision import ASK_SERVICE, service_of

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
#: Requests that are commands inside a flow when NLU is DIGRESSION_CONFIDENCE sure (exact
#: command words such as 转人工 and 菜单 come with 1.0 from bot/nlu/commands.py).
GLOBAL_COMMANDS = {
    "human_handoff": engine.Command.HANDOFF,
    **dict.fromkeys(("greet", "goodbye", "book_appointment", "start_application", "check_progress",
                     "cancel_appointment"), engine.Command.MENU),
}
#: From this confidence a message NLU reads as a service question, a FAQ or chit-chat
#: "means something else": free text that only might be an answer (a name) is not taken.
DIGRESSION_CONFIDENCE = 0.7
#: A question that is not an answer is answered with the service NLU names from this
#: confidence on; below it the likely services are named.
ANSWER_CONFIDENCE = 0.5
_NOT_ANSWERS = ("faq", "out_of_scope", "thank")
#: Set in the draft when 转人工 queued the conversation mid-flow: the ask action pauses
#: instead of asking (a validation action can return only slots to the form).
HANDED_OFF = "handed_off"


def read_intent(intent: dict[str, Any]) -> tuple[engine.Command | None, bool]:
    """(the command the intent names, whether NLU is sure the message means something else)."""
    name, confidence = intent.get("name") or "", intent.get("confidence") or 0.0
    sure = confidence >= DIGRESSION_CONFIDENCE
    command = COMMANDS.get(name) or (GLOBAL_COMMANDS.get(name) if sure else None)
    elsewhere = sure and (name in _NOT_ANSWERS or name == ASK_SERVICE or service_id_from_intent(name) is not None
                          or family_for_intent(name) is not None)
    return command, elsewhere


async def answer_aside(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer a question asked in the middle of a flow; False when there is nothing to say."""
    intent = tracker.latest_message.get("intent") or {}
    name, confidence = intent.get("name"), intent.get("confidence") or 0.0
    service_id = service_of(tracker.latest_message)
    if service_id and confidence >= ANSWER_CONFIDENCE:
        await answer_service(dispatcher, tracker, service_id, in_flow=True)
        return True
    if name == "faq":
        return _answer_faq(dispatcher, tracker, intent)
    if name in ("out_of_scope", "thank") and confidence >= ANSWER_CONFIDENCE:
        dispatcher.utter_message(response=f"utter_{name}")
        return True
    family = family_for_intent(name)
    likely = list(family.services) if family else offered_services(tracker.latest_message)
    if not likely:
        return False
    names = await run_blocking(catalogue().service_names, likely)
    listed = "、".join(names[s] for s in likely if s in names)
    if not listed:
        return False
    dispatcher.utter_message(text=f"您问的可能是：{listed}。可以说得具体一点，比如“{names[likely[0]]}怎么办”，"
                                  "我会一次告诉您。")
    return True


def _answer_faq(dispatcher: CollectingDispatcher, tracker: Tracker, intent: dict[str, Any]) -> bool:
    selected = ((tracker.latest_message.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    texts = [r.get("text") for r in selected.get("responses") or [] if r.get("text")]
    if texts:
        dispatcher.utter_message(text=texts[0])
        return True
    key = intent.get("full_retrieval_intent_name") or selected.get("intent_response_key")
    if not key:
        return False
    dispatcher.utter_message(response=f"utter_{key}")
    return True


def raw_text(tracker: Tracker) -> str:
    """The resident's own words (the parse data holds the normalised text)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""


async def load_state(ctx: FlowContext, tracker: Tracker) -> dict[str, Any] | None:
    """The running flow's state; the slot holds only the draft id (see bot/flows/drafts.py)."""
    pointer = tracker.get_slot("flow_state") or {}
    if not pointer.get("draft"):
        return None
    return await run_blocking(partial(load_draft, ctx.sessions, sender_id=tracker.sender_id,
                                      draft_id=pointer["draft"]))


async def store_state(ctx: FlowContext, tracker: Tracker, state: dict[str, Any]) -> dict[str, Any]:
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

    def name(self) -> str:
        return "action_start_flow"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        current = tracker.get_slot("current_service")
        prefill: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        if intent == "start_application" and asks_to_leave_message(raw_text(tracker)):
            flow_name, extra = LEAVE_FLOW, leave_message_context(tracker)  # 留言 (bot/nlu/commands.py)
        elif intent == "check_progress" and asks_ticket_status(raw_text(tracker)):
            dispatcher.utter_message(text=await ticket_status(tracker))  # 查留言: this conversation's only
            return []
        elif intent == "book_appointment":
            flow_name = appointment.FLOW_NAME
            # What the conversation already said is taken over, named, and 上一步 reaches it.
            if current:
                prefill["service"] = current
            district = await resolve_district(tracker)
            if district is not None:
                prefill["district"] = district.id
        elif intent in RECORD_INTENTS:  # 查进度 / 取消预约: actions/progress.py decides
            plan = await run_blocking(partial(plan_records, await context(), intent=intent,
                                              sender_id=tracker.sender_id, text=raw_text(tracker)))
            for note in plan.notes:
                dispatcher.utter_message(text=note)
            if plan.flow is None:
                return []
            flow_name, prefill = plan.flow, plan.prefill
        elif FLOWS.is_application(current) and (intent != "affirm" or tracker.get_slot("offered_flow") == current):
            flow_name = current
        else:
            dispatcher.utter_message(text=replies.FLOWS_AVAILABLE if intent != "affirm" else replies.ANYTHING_ELSE)
            return []
        return await begin_flow(dispatcher, tracker, flow_name, prefill, extra)


class ActionAskFlowDone(GuardedAction):
    """Ask the flow's current question (the form calls it whenever `flow_done` is empty)."""

    def name(self) -> str:
        return "action_ask_flow_done"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        ctx = await context()
        state = await load_state(ctx, tracker)
        if not state:
            return []
        if state.get(HANDED_OFF):  # 转人工 queued this turn: no question; the conversation pauses
            await store_state(ctx, tracker, {k: v for k, v in state.items() if k != HANDED_OFF})
            return [ConversationPaused()]
        send(dispatcher, await run_blocking(engine.question, ctx.build(state["flow"], sender_id=tracker.sender_id),
                                            state))
        if state.get("prefix"):
            await store_state(ctx, tracker, {**state, "prefix": ""})
        return []


class ValidateGuidedForm(FormValidationAction):
    """Feeds each answer to the flow engine; fills `flow_done` when the flow ends."""

    def name(self) -> str:
        return "validate_guided_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        """No running flow (none started, submitted or cancelled): the form ends at once."""
        return domain_slots if tracker.get_slot("flow_state") else []

    async def validate_flow_done(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        try:
            ctx = await context()
            state = await load_state(ctx, tracker)
            if not state:  # expired or lost: end the form politely
                dispatcher.utter_message(text=replies.FLOW_EXPIRED)
                return {"flow_done": "ended", "flow_state": None}
            try:
                return await self._step(ctx, state, dispatcher, tracker)
            except UnknownFlow as err:  # saved by a release that had this flow: end it politely
                logger.warning("draft of unregistered flow %r dropped", err.name)
                await drop_state(ctx, tracker)
                dispatcher.utter_message(text=replies.FLOW_UNKNOWN)
                return {"flow_done": "ended", "flow_state": None}
        except (asyncio.TimeoutError, SQLAlchemyError, LookupError):
            logger.exception("guided flow step failed")
            dispatcher.utter_message(text=replies.SERVICE_UNAVAILABLE_IN_FLOW)
            return {"flow_done": None}

    async def _step(self, ctx: FlowContext, state: dict[str, Any], dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> dict[str, Any]:
        if state.get("done_text"):  # this step was already submitted (a retried call)
            send(dispatcher, engine.Message(state["done_text"]))
            return {"flow_done": "submitted", "flow_state": None}
        intent = tracker.latest_message.get("intent") or {}
        flow = ctx.build(state["flow"], sender_id=tracker.sender_id)
        text = raw_text(tracker)
        command, elsewhere = read_intent(intent)
        outcome = await run_blocking(partial(engine.handle, flow, state, text, command, elsewhere=elsewhere))
        if outcome.handoff:
            return await self._hand_off(ctx, flow, state, outcome, dispatcher, tracker)
        if outcome.aside:  # a question, not an answer: nothing stored, answered, asked again
            if not await answer_aside(dispatcher, tracker):
                for message in outcome.messages:
                    send(dispatcher, message)
            await store_state(ctx, tracker, outcome.state)
            return {"flow_done": None}
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
        return {"flow_done": "submitted", "flow_state": None, **await self._invite(dispatcher, tracker, result)}

    @staticmethod
    async def _invite(dispatcher: CollectingDispatcher, tracker: Tracker, result: SubmitResult) -> dict[str, Any]:
        """一事一评: an application or booking just submitted is offered for rating (actions/rating.py)."""
        rateable = result.rateable
        if rateable is None:
            return {}
        events = await invite_rating(dispatcher, tracker, Context(rateable.kind), rateable.reference,
                                     service_id=rateable.service_id, reference=rateable.reference,
                                     flow_finished=True)
        return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


    @staticmethod
    async def _hand_off(ctx: FlowContext, flow: engine.Flow, state: dict[str, Any], outcome: engine.Outcome,
                        dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """转人工 mid-flow: queue with the step for the agent and keep the draft; the ask action pauses.

        Out of hours the desk's hours are said and the question comes again; without the
        queue, the engine's own words (how to reach a person) are.
        """
        events = await hand_off(dispatcher, tracker, flow_step=engine.step_text(flow, state))
        if events is None:
            for message in outcome.messages:
                send(dispatcher, message)
        if events is not None and is_paused(events):
            await store_state(ctx, tracker, {**outcome.state, "prefix": "", HANDED_OFF: True})
        else:
            await store_state(ctx, tracker, outcome.state)
        return {"flow_done": None}


class ActionFlowEnd(GuardedAction):
    """After the form: clear the flow so the next one starts clean."""

    def name(self) -> str:
        return "action_flow_end"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        return [SlotSet("flow_done", None), SlotSet("flow_state", None)]


class ActionNoActiveFlow(GuardedAction):
    """上一步 / 不办了 … when nothing is being filled in."""

    def name(self) -> str:
        return "action_no_active_flow"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=replies.NO_ACTIVE_FLOW)
        return []

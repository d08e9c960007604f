"""Starting a guided flow: its first messages, its draft, the slot that points to it.

Shared by `action_start_flow` (the rules run the form `guided_form` right after it) and by
actions that start a flow from a numbered choice (actions/choices.py: "1" after a 留言
offer), which ask Rasa to run the form next with ``FollowupAction("guided_form")``.
"""
from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import run_blocking
from bot.flows import engine
from bot.flows.context import FlowContext, flow_context
from bot.flows.drafts import purge_expired, save_draft

FORM = "guided_form"


def send(dispatcher: CollectingDispatcher, message: engine.Message) -> None:
    dispatcher.utter_message(text=message.text,
                             buttons=[{"title": t, "payload": p} for t, p in message.buttons])


async def context() -> FlowContext:
    return await run_blocking(flow_context)


async def begin_flow(dispatcher: CollectingDispatcher, tracker: Tracker, flow_name: str,
                     prefill: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
                     run_form: bool = False) -> list[EventType]:
    """Say the flow's intro, save its first state as a draft, point `flow_state` at it.

    `extra` joins the state (what the flow's submission needs from the conversation);
    `run_form`: the caller's rule does not run the form next, so ask Rasa to.
    """
    ctx = await context()
    await run_blocking(purge_expired, ctx.sessions)  # abandoned drafts keep nothing for long
    outcome = engine.start(ctx.build(flow_name, sender_id=tracker.sender_id), prefill)
    for message in outcome.messages:
        send(dispatcher, message)
    state = {**outcome.state, **(extra or {}), "instance": uuid.uuid4().hex}
    draft_id = await run_blocking(partial(save_draft, ctx.sessions, sender_id=tracker.sender_id, state=state))
    # The flow's name rides along for the analytics (bot/analytics/facts.py); the answers stay in the draft.
    events: list[EventType] = [SlotSet("flow_state", {"draft": draft_id, "flow": flow_name}),
                               SlotSet("pending_choice", None), SlotSet("offered_flow", None)]
    return events + ([FollowupAction(FORM)] if run_form else [])

"""查进度 / 取消预约 before any flow: own records at once, a flow to choose or to prove, or a refusal."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.guided_form import ActionStartFlow
from actions.progress import NOT_FOUND_NAMED, RecordPlan, plan_records
from bot.flows import cancel_booking, progress_lookup
from bot.flows.drafts import load_draft
from bot.records import attempts
from bot.records.proof import LOCKED_TEXT
from tests.support.ids import id_number
from tests.support.records import FRI, THU, apply_allowance, book_visit, flow_ctx


@pytest.fixture()
def ctx(db_url, monkeypatch):
    return flow_ctx(db_url, monkeypatch)


def plan(ctx, intent, sender="A", text=""):
    return plan_records(ctx, intent=intent, sender_id=sender, text=text)


def lock_out(ctx, sender):
    for _ in range(attempts.MAX_FAILURES):
        attempts.reserve(ctx.sessions, sender_id=sender, receipt_no="2234567893")


def test_progress_in_the_submitting_conversation_lists_its_records(ctx):
    app = apply_allowance(ctx.sessions, sender="A", elder_id=id_number("19400315"))
    booking = book_visit(ctx.sessions, sender="A")
    result = plan(ctx, "check_progress")
    assert result.flow is None
    assert app.display in result.notes[0] and booking.display in result.notes[0]


def test_progress_elsewhere_asks_for_the_number(ctx):
    apply_allowance(ctx.sessions, sender="A", elder_id=id_number("19400315"))
    assert plan(ctx, "check_progress", sender="B") == RecordPlan(flow=progress_lookup.FLOW_NAME)


def test_a_locked_out_conversation_is_refused_before_any_question(ctx):
    lock_out(ctx, "B")
    assert plan(ctx, "check_progress", sender="B") == RecordPlan(notes=(LOCKED_TEXT,))
    assert plan(ctx, "cancel_appointment", sender="B") == RecordPlan(notes=(LOCKED_TEXT,))


def test_cancel_with_two_bookings_asks_which(ctx):
    book_visit(ctx.sessions, sender="A", day=THU)
    book_visit(ctx.sessions, sender="A", service="medins-remote", day=FRI)
    assert plan(ctx, "cancel_appointment", text="取消预约") == RecordPlan(flow=cancel_booking.FLOW_NAME)


def test_cancel_with_one_booking_names_it(ctx):
    booking = book_visit(ctx.sessions, sender="A")
    assert plan(ctx, "cancel_appointment", text="取消预约").prefill == {"booking": booking.receipt_no}


@pytest.mark.parametrize("text", ["取消异地就医备案的预约", "12月4日的预约不去了", "周五的预约取消吧"])
def test_cancel_naming_one_booking_picks_it(ctx, text):
    book_visit(ctx.sessions, sender="A", day=THU)
    remote = book_visit(ctx.sessions, sender="A", service="medins-remote", day=FRI)
    assert plan(ctx, "cancel_appointment", text=text) == RecordPlan(
        flow=cancel_booking.FLOW_NAME, prefill={"booking": remote.receipt_no})


def test_cancel_naming_a_booking_there_is_not_says_so_and_lists(ctx):
    book_visit(ctx.sessions, sender="A")
    assert plan(ctx, "cancel_appointment", text="取消护照的预约") == RecordPlan(
        notes=(NOT_FOUND_NAMED,), flow=cancel_booking.FLOW_NAME)


def test_cancel_without_own_bookings_goes_by_number(ctx):
    book_visit(ctx.sessions, sender="A")
    assert plan(ctx, "cancel_appointment", sender="B") == RecordPlan(flow=cancel_booking.BY_NUMBER)


def tracker(intent: str, text: str, sender: str) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "intent_ranking": [], "entities": []}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender, {"current_service": None, "flow_state": None, "offered_flow": None}, latest, events,
                   False, None, {}, "action_listen")


def start(intent, text, sender):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartFlow().run(dispatcher, tracker(intent, text, sender), {}))
    flow_state = [e["value"] for e in events if e.get("name") == "flow_state"]
    return [m["text"] for m in dispatcher.messages], flow_state


def test_the_intents_start_the_flows_through_action_start_flow(ctx, monkeypatch):
    import actions.flow_start

    monkeypatch.setattr(actions.flow_start, "flow_context", lambda: ctx)  # today fixed
    book_visit(ctx.sessions, sender="A", day=THU)
    remote = book_visit(ctx.sessions, sender="A", service="medins-remote", day=FRI)
    texts, flow_state = start("cancel_appointment", "取消异地就医备案的预约", "A")
    assert "取消预约" in texts[0]
    state = load_draft(ctx.sessions, sender_id="A", draft_id=flow_state[0]["draft"])
    assert state["flow"] == cancel_booking.FLOW_NAME and state["stage"] == "confirming"  # only to confirm
    assert state["values"] == {"booking": remote.receipt_no}
    texts, flow_state = start("check_progress", "查进度", "A")
    assert remote.display in texts[0] and flow_state == []
    texts, flow_state = start("check_progress", "查进度", "B")
    assert "凭编号查" in texts[0] and flow_state[0]["draft"]

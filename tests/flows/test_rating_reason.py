"""The 评价原因 questions after a poor rating: a follow-up question or two, not a numbered form."""
from __future__ import annotations

from datetime import date

from bot.evaluation.texts import DETAIL_QUESTION, REASON_QUESTION
from bot.flows import engine, leave_message, rating_reason
from bot.flows.context import FlowContext
from tests.support.flows import drive

CTX = FlowContext(today=date(2026, 12, 4), sessions=None, districts=(), services=(), hall_types={})


def test_the_questions_carry_no_step_count_even_when_other_adds_one():
    flow = rating_reason.build(CTX)
    first = engine.question(flow, engine.start(flow).state).text
    assert first.startswith(REASON_QUESTION) and "第" not in first.split("\n")[0]
    _, transcript = drive(flow, ["5"])  # 其他: asks for the resident's own words
    assert transcript[-1] == DETAIL_QUESTION


def test_a_form_still_counts_its_steps():
    flow = leave_message.build(CTX)
    assert engine.question(flow, engine.start(flow).state).text.startswith("（第1步，共2步）")

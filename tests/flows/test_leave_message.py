"""The 留言 flow through the engine: a callback number and a message, then a ticket with a deadline."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.flows import engine, leave_message
from bot.flows.context import FlowContext
from bot.flows.submission import submit
from bot.handoff import desk
from bot.handoff.tickets import list_tickets
from tests.support.flows import drive

#: Friday 2026-12-04, 19:00 in Wuhu: out of hours; two working days later is Tuesday the 8th.
FRIDAY_EVENING = datetime(2026, 12, 4, 11, 0, tzinfo=timezone.utc)


@pytest.fixture()
def ctx(sessions, keys, monkeypatch) -> FlowContext:
    monkeypatch.setattr(desk, "now", lambda: FRIDAY_EVENING)
    monkeypatch.delenv(desk.HOURS_ENV, raising=False)
    monkeypatch.delenv(desk.TICKET_DAYS_ENV, raising=False)
    return FlowContext(today=date(2026, 12, 4), sessions=sessions, districts=(), services=(), hall_types={})


def test_intro_names_the_deadline_and_the_controls(ctx):
    outcome = engine.start(leave_message.build(ctx))
    intro = outcome.messages[0].text
    assert "2个工作日内（12月8日（周二）前）给您回电" in intro and "不办了" in intro
    assert engine.question(leave_message.build(ctx), outcome.state).text.startswith("（第1步，共2步）请留一个")


def test_a_message_is_left_and_the_resident_gets_the_number_and_deadline(ctx):
    flow = leave_message.build(ctx)
    outcome, transcript = drive(flow, ["139 1234 5678", "社保卡补办了一个月还没寄到，怎么回事？"])
    summary = transcript[-1]
    assert "· 回电号码：139****5678" in summary and "13912345678" not in summary
    assert "· 留言内容：社保卡补办了一个月还没寄到，怎么回事？" in summary  # a question is a message here
    assert "确认后，工作人员会在12月8日（周二）前给您回电。" in summary
    final, _ = drive(flow, ["1"], {**outcome.state, "instance": "i1",
                                   leave_message.CONTEXT: {"district": "镜湖区", "service_id": "sbk-replace"}})
    assert final.finished
    result = submit(ctx, final.state, "wechat:oABC")
    [ticket] = list_tickets(ctx.sessions)
    assert (ticket.conversation_id, ticket.channel, ticket.reason) == ("wechat:oABC", "wechat", "closed")
    assert (ticket.district, ticket.service_id, ticket.due_on) == ("镜湖区", "sbk-replace", date(2026, 12, 8))
    assert f"留言编号：{ticket.display}" in result.text and "LY 2026 1204 0001" in result.text
    assert "12月8日（周二）前打 139****5678 给您回电" in result.text and "查留言" in result.text


@pytest.mark.parametrize("said, explained", [("12345", "您输入了5位"), ("1391234567", "11位"),
                                             ("3112233", "区号"), ("不知道", "没有看到电话号码")])
def test_a_phone_staff_cannot_call_gets_a_polite_reason_and_the_question_again(ctx, said, explained):
    outcome, transcript = drive(leave_message.build(ctx), [said])
    assert explained in transcript[-2] and transcript[-1].startswith("（第1步，共2步）")
    assert "phone" not in outcome.state["values"]


def test_an_empty_or_overlong_message_is_refused_kindly(ctx):
    flow = leave_message.build(ctx)
    _, transcript = drive(flow, ["13912345678", "长" * 301])
    assert "留言有301个字，最多300个字" in transcript[-2] and transcript[-1].startswith("（第2步，共2步）")


def test_only_exact_command_words_act_at_the_message_step(ctx):
    flow = leave_message.build(ctx)
    outcome, transcript = drive(flow, ["13912345678", "上一步"])
    assert "您之前填的是：139****5678" in transcript[-1]
    outcome, _ = drive(flow, ["13912345678", "我想取消预约的那个号码不对"], None)
    assert outcome.state["stage"] == "confirming"  # taken as the message, not as 取消
    asked = engine.handle(flow, {**outcome.state, "stage": "asking", "current": "message"}, "转人工")
    assert not asked.handoff and "12345" in asked.messages[0].text  # no queue from inside 留言


def test_cancelling_mid_flow_stores_nothing(ctx):
    flow = leave_message.build(ctx)
    outcome, transcript = drive(flow, ["13912345678", "不办了", "1"])
    assert outcome.cancelled and "不留言了，没有保存任何信息" in transcript[-1]
    assert list_tickets(ctx.sessions) == []


def test_in_hours_the_ticket_says_nobody_took_the_chat(ctx, monkeypatch):
    monkeypatch.setattr(desk, "now", lambda: datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc))  # Wed 10:00
    flow = leave_message.build(ctx)
    outcome, _ = drive(flow, ["0553-3112233", "请回电", "1"])
    submit(ctx, {**outcome.state, "instance": "i2"}, "web:x")
    [ticket] = list_tickets(ctx.sessions)
    assert (ticket.reason, ticket.due_on, ticket.phone) == ("no_agent", date(2026, 12, 4), "0553-***2233")


def test_the_step_text_staff_see():
    flow = engine.Flow("f", "测试申请", (engine.Step("a", "甲", "甲？", ""), engine.Step("b", "乙", "乙？", "")))
    state = engine.start(flow).state
    assert engine.step_text(flow, state) == "测试申请 · 第1步（共2步）"
    assert engine.step_text(flow, {**state, "stage": "confirming", "current": None}) == "测试申请 · 核对信息"

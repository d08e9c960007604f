"""留言 and 查留言 through the actions, as Rasa calls them: out of hours, a ticket with a working-day deadline.

"留言" and "查留言" reach the actions as start_application and check_progress (exact command
words, bot/nlu/commands.py); the desk's clock is set per test.
"""
from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, datetime, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import ActionResolveChoice
from actions.guided_form import ActionStartFlow
from actions.handoff import ActionHumanHandoff
from bot.db import session_factory
from bot.handoff import desk
from bot.handoff.tickets import tickets_of_conversation
from bot.nlu.commands import command_intent
from tests.support.form_chat import Chat, latest, run

pytestmark = pytest.mark.usefixtures("keys")

#: Wednesday 2026-09-30 at 20:00 in Wuhu: closed, and 国庆节 (10月1日-7日) comes next.
BEFORE_NATIONAL_DAY = datetime(2026, 9, 30, 12, 0, tzinfo=timezone.utc)


@pytest.fixture()
def evening(monkeypatch):
    monkeypatch.setattr(desk, "now", lambda: BEFORE_NATIONAL_DAY)
    monkeypatch.delenv(desk.HOURS_ENV, raising=False)
    monkeypatch.delenv(desk.TICKET_DAYS_ENV, raising=False)


def test_the_words_reach_the_actions_as_exact_commands():
    assert command_intent("留言") == command_intent("我要留言") == "start_application"
    assert command_intent("查留言") == command_intent("留言进度") == "check_progress"


def test_out_of_hours_request_then_a_message_becomes_a_ticket_due_after_the_holiday(use_catalogue_db, evening):
    chat = Chat(use_catalogue_db, district="弋江区", current_service="sbk-replace")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHumanHandoff().run(dispatcher, chat.tracker(latest("转人工", "human_handoff", 1.0)), {}))
    assert "下次上班：10月8日（周四）8:30" in dispatcher.messages[0]["text"]

    opening = "\n".join(m["text"] for m in chat.start("留言", "start_application"))
    assert "2个工作日内（10月9日（周五）前）给您回电" in opening and opening.endswith("（比如 0553-1234567）。")
    retry = chat.say("5678")
    assert retry.startswith("这不像是电话号码：手机号是1开头的11位数字")
    assert retry.endswith("（比如 0553-1234567）。")  # the same question again
    assert "phone" not in chat.values()
    assert "（第2步，共2步）" in chat.say("13912345678")
    summary = chat.say("我的社保卡补办了一个月还没寄到，怎么回事？", "svc_sbk_replace", 0.93)
    assert "· 回电号码：139****5678" in summary and "怎么回事？" in summary
    done = chat.say("1", "choose_number", 1.0)
    [ticket] = tickets_of_conversation(session_factory(use_catalogue_db), conversation_id=chat.sender)
    assert (ticket.due_on, ticket.reason, ticket.district, ticket.service_id) == \
        (date(2026, 10, 9), "closed", "弋江区", "sbk-replace")
    assert re.search(r"留言编号：LY 2026 0930 \d{4}。", done) and "10月9日（周五）前打 139****5678" in done


def test_cancelling_the_message_midway_writes_nothing(use_catalogue_db, evening):
    chat = Chat(use_catalogue_db)
    chat.start("留言", "start_application")
    chat.say("13912345678")
    chat.say("不办了", "form_cancel", 1.0)
    assert "没有保存任何信息" in chat.say("1", "choose_number", 1.0)
    assert chat.slots["flow_state"] is None
    assert tickets_of_conversation(session_factory(use_catalogue_db), conversation_id=chat.sender) == []


def test_one_after_the_offer_starts_the_message_flow_and_runs_the_form(use_catalogue_db, evening):
    chat = Chat(use_catalogue_db)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHumanHandoff().run(dispatcher, chat.tracker(latest("转人工", "human_handoff", 1.0)), {}))
    chat.slots["pending_choice"] = events[0]["value"]
    messages, events = run(ActionResolveChoice(), chat.tracker(latest("1", "choose_number", 1.0)))
    assert "我们来留言" in messages[0]["text"]
    assert {"event": "followup", "timestamp": None, "name": "guided_form"} in events
    assert any(e.get("name") == "flow_state" and e["value"]["draft"] for e in events)


def status(sender: str) -> str:
    latest_message = latest("查留言", "check_progress", 1.0)
    tracker = Tracker(sender, {"current_service": None, "flow_state": None, "offered_flow": None}, latest_message,
                      [{"event": "user", "text": "查留言", "parse_data": latest_message}], False, None, {},
                      "action_listen")
    messages, events = run(ActionStartFlow(), tracker)
    assert not any(e.get("name") == "flow_state" and e.get("value") for e in events)  # no flow starts
    return "\n".join(m["text"] for m in messages)


def test_a_status_query_sees_only_this_conversations_messages(use_catalogue_db, evening):
    chat = Chat(use_catalogue_db)
    chat.start("留言", "start_application")
    chat.say("13912345678")
    chat.say("请回电")
    chat.say("1", "choose_number", 1.0)
    [ticket] = tickets_of_conversation(session_factory(use_catalogue_db), conversation_id=chat.sender)
    mine = status(chat.sender)
    assert f"留言编号 {ticket.display}（9月30日留言）：处理中" in mine and "10月9日（周五）前" in mine
    other = status(f"wechat:o{uuid.uuid4().hex[:20]}")
    assert ticket.display not in other and "没有查到您的留言" in other

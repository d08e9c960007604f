"""actions/handoff.py against the real test database: queued and paused, closed with 留言, or phone numbers.

The desk's clock (bot/handoff/desk.py) is set per test; its hours are the city hall's in
the catalogue: 周一至周五 8:30-12:00，14:00-17:30（法定节假日除外）.
"""
from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import LEAVE_CHOICE, ActionHumanHandoff, channel_of
from bot.db import session_factory
from bot.handoff import desk
from bot.handoff.service import claim, pending_handoff

PAUSE = {"event": "pause", "timestamp": None}
CLEAR_CHOICE = {"event": "slot", "timestamp": None, "name": "pending_choice", "value": None}
WEDNESDAY_10 = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Wuhu
WEDNESDAY_2030 = datetime(2026, 12, 2, 12, 30, tzinfo=timezone.utc)  # 20:30 in Wuhu
NATIONAL_DAY_10 = datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc)  # a Thursday, public holiday
MAKE_UP_SATURDAY_10 = datetime(2026, 10, 10, 2, 0, tzinfo=timezone.utc)  # 调休上班


@pytest.fixture()
def clock(monkeypatch):
    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(desk, "now", lambda: moment)

    monkeypatch.delenv(desk.HOURS_ENV, raising=False)
    set_to(WEDNESDAY_10)
    return set_to


def tracker(sender: str, **slots) -> Tracker:
    latest = {"text": "转人工", "intent": {"name": "human_handoff", "confidence": 1.0}, "entities": []}
    return Tracker(sender, {"district": None, "current_service": None, **slots}, latest, [], False, None, {},
                   "action_listen")


def run(sender: str, **slots):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHumanHandoff().run(dispatcher, tracker(sender, **slots), {}))
    return dispatcher.messages, events


def test_the_resident_is_queued_told_place_wait_and_way_back_and_the_conversation_pauses(use_catalogue_db, clock):
    sender = f"web:{uuid.uuid4().hex}"
    messages, events = run(sender, district="镜湖区", current_service="sbk-apply")
    assert events == [CLEAR_CHOICE, PAUSE]
    assert len(messages) == 1
    text = messages[0]["text"]
    assert re.search(r"排在第\d+位，预计等待约\d+分钟", text)
    assert "等了10分钟还没人接，可以回复“留言”" in text and "2个工作日内给您回电" in text
    assert text.endswith("回复“不等了”或“回到机器人”。") and len(text) <= 130
    request = pending_handoff(session_factory(use_catalogue_db), conversation_id=sender)
    assert (request.status, request.channel, request.district, request.service_id) == \
        ("queued", "webchat", "镜湖区", "sbk-apply")


def test_the_wait_before_a_message_is_offered_is_configurable(use_catalogue_db, clock, monkeypatch):
    monkeypatch.setenv(desk.MAX_WAIT_ENV, "5")
    monkeypatch.setenv(desk.TICKET_DAYS_ENV, "3")
    messages, _ = run(f"web:{uuid.uuid4().hex}")
    assert "等了5分钟还没人接" in messages[0]["text"] and "3个工作日内" in messages[0]["text"]


def test_asking_again_keeps_the_same_request_and_says_when_an_agent_has_it(use_catalogue_db, clock):
    sender = f"wechat:o{uuid.uuid4().hex[:27]}"
    run(sender)
    sessions = session_factory(use_catalogue_db)
    first = pending_handoff(sessions, conversation_id=sender)
    claim(sessions, request_id=first.id, agent="zhang")
    messages, events = run(sender)
    assert pending_handoff(sessions, conversation_id=sender).id == first.id
    assert messages[0]["text"] == "工作人员已经在为您服务，请直接在这里说您的问题。"
    assert events == [CLEAR_CHOICE, PAUSE]


def test_out_of_hours_nothing_is_queued_the_hours_and_next_opening_are_told_and_a_message_offered(
        use_catalogue_db, clock):
    clock(WEDNESDAY_2030)
    sender = f"web:{uuid.uuid4().hex}"
    messages, events = run(sender)
    assert pending_handoff(session_factory(use_catalogue_db), conversation_id=sender) is None
    assert events == [{"event": "slot", "timestamp": None, "name": "pending_choice", "value": LEAVE_CHOICE}]
    [message] = messages
    assert "人工服务时间：周一至周五 8:30-12:00、14:00-17:30（法定节假日除外）" in message["text"]
    assert "下次上班：明天（12月3日，周四）8:30" in message["text"]
    assert "回复“留言”" in message["text"] and "12345" in message["text"]
    assert message["buttons"] == [{"title": "1. 留言", "payload": "留言"}]


def test_a_public_holiday_is_closed_and_the_next_opening_skips_the_whole_holiday(use_catalogue_db, clock):
    clock(NATIONAL_DAY_10)
    messages, events = run(f"web:{uuid.uuid4().hex}")
    assert PAUSE not in events
    assert "下次上班：10月8日（周四）8:30" in messages[0]["text"]


def test_a_make_up_working_saturday_is_open(use_catalogue_db, clock):
    clock(MAKE_UP_SATURDAY_10)
    messages, events = run(f"web:{uuid.uuid4().hex}")
    assert events[-1] == PAUSE and "已为您转人工" in messages[0]["text"]


def test_the_desk_hours_can_be_set_for_the_deployment(use_catalogue_db, clock, monkeypatch):
    clock(WEDNESDAY_2030)
    monkeypatch.setenv(desk.HOURS_ENV, "每天 8:00-22:00（法定节假日除外）")
    _, events = run(f"web:{uuid.uuid4().hex}")
    assert events[-1] == PAUSE


def test_without_the_queue_the_resident_gets_the_phone_numbers_and_no_pause(monkeypatch, clock):
    monkeypatch.setenv("GOV_DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/unreachable")
    messages, events = run("rest:offline")
    assert [(m["response"], m["text"]) for m in messages] == [("utter_human_handoff", None)]
    assert events == []


def test_the_channel_comes_from_the_conversation_id():
    assert [channel_of(c) for c in ("web:ab12", "wechat:oXYZ", "rest:me", "cli")] == \
        ["webchat", "wechat", "rest", "other"]

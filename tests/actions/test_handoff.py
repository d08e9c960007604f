"""actions/handoff.py against the real test database: queued and paused, or phone numbers."""
from __future__ import annotations

import asyncio
import re
import uuid

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHumanHandoff, channel_of
from bot.db import session_factory
from bot.handoff.service import claim, pending_handoff


def tracker(sender: str, **slots) -> Tracker:
    latest = {"text": "转人工", "intent": {"name": "human_handoff", "confidence": 1.0}, "entities": []}
    return Tracker(sender, {"district": None, "current_service": None, **slots}, latest, [], False, None, {},
                   "action_listen")


def run(sender: str, **slots):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHumanHandoff().run(dispatcher, tracker(sender, **slots), {}))
    return dispatcher.messages, events


def test_the_resident_is_queued_told_place_wait_and_way_back_and_the_conversation_pauses(use_catalogue_db):
    sender = f"web:{uuid.uuid4().hex}"
    messages, events = run(sender, district="镜湖区", current_service="sbk-apply")
    assert events == [{"event": "pause", "timestamp": None}]
    assert len(messages) == 1
    text = messages[0]["text"]
    assert re.search(r"排在第\d+位，预计等待约\d+分钟", text)
    assert "不等了" in text and "回到机器人" in text and len(text) <= 90
    request = pending_handoff(session_factory(use_catalogue_db), conversation_id=sender)
    assert (request.status, request.channel, request.district, request.service_id) == \
        ("queued", "webchat", "镜湖区", "sbk-apply")


def test_asking_again_keeps_the_same_request_and_says_when_an_agent_has_it(use_catalogue_db):
    sender = f"wechat:o{uuid.uuid4().hex[:27]}"
    run(sender)
    sessions = session_factory(use_catalogue_db)
    first = pending_handoff(sessions, conversation_id=sender)
    claim(sessions, request_id=first.id, agent="zhang")
    messages, events = run(sender)
    assert pending_handoff(sessions, conversation_id=sender).id == first.id
    assert messages[0]["text"] == "工作人员已经在为您服务，请直接在这里说您的问题。"
    assert events == [{"event": "pause", "timestamp": None}]


def test_without_the_queue_the_resident_gets_the_phone_numbers_and_no_pause(monkeypatch):
    monkeypatch.setenv("GOV_DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/unreachable")
    messages, events = run("rest:offline")
    assert [(m["response"], m["text"]) for m in messages] == [("utter_human_handoff", None)]
    assert events == []


def test_the_channel_comes_from_the_conversation_id():
    assert [channel_of(c) for c in ("web:ab12", "wechat:oXYZ", "rest:me", "cli")] == \
        ["webchat", "wechat", "rest", "other"]

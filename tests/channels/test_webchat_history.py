"""Tracker events → web chat messages: stable ids, filtering, the service card."""
from __future__ import annotations

from channels.webchat.history import chat_messages, has_message, messages_from

EVENTS = [
    {"event": "action", "name": "action_listen", "timestamp": 1.0},
    {"event": "user", "text": "2", "timestamp": 2.0, "message_id": "c1",
     "metadata": {"display": "2. 弋江区"}},
    {"event": "bot", "text": "【社会保障卡申领】…", "timestamp": 3.0,
     "data": {"buttons": None, "custom": None}, "metadata": {"service_card": {"name": "社会保障卡申领"}}},
    {"event": "bot", "text": "请问您在哪个区县？", "timestamp": 3.5,
     "data": {"buttons": [{"title": "1. 镜湖区", "payload": "1"}]}},
    {"event": "slot", "name": "district", "value": "弋江区", "timestamp": 3.6},
    {"event": "bot", "text": "", "timestamp": 3.7, "data": {}},
    {"event": "user", "text": "谢谢", "timestamp": 4.0, "message_id": "c2"},
]


def test_only_messages_in_order_with_their_parts():
    messages = chat_messages(EVENTS)
    assert [m["role"] for m in messages] == ["user", "bot", "bot", "user"]
    assert messages[0]["id"] == "u-c1" and messages[0]["display"] == "2. 弋江区"
    assert messages[1]["custom"] == {"type": "service_card", "service": {"name": "社会保障卡申领"}}
    assert messages[2]["buttons"] == [{"title": "1. 镜湖区", "payload": "1"}]


def test_ids_are_stable_across_reads():
    assert [m["id"] for m in chat_messages(EVENTS)] == [m["id"] for m in chat_messages(list(EVENTS))]
    assert len({m["id"] for m in chat_messages(EVENTS)}) == 4


def test_since_returns_only_newer_messages():
    assert [m["ts"] for m in chat_messages(EVENTS, since=3.0)] == [3.5, 4.0]
    assert chat_messages(EVENTS, since=10.0) == []


def test_a_message_and_its_replies():
    assert [m["ts"] for m in messages_from(EVENTS, "c1")] == [2.0, 3.0, 3.5, 4.0]
    assert messages_from(EVENTS, "unknown") == []
    assert has_message(EVENTS, "c2") and not has_message(EVENTS, "c3")

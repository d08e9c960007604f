"""The desk's event stream over real HTTP: it says which part of an open page changed, counts as
activity, and ends when the agent signs out. Each stream is read with a socket timeout, so a
missing event fails the test instead of hanging it.
"""
from __future__ import annotations

import requests

from bot.handoff import service
from console.tables import ConsoleSession, StaffUser
from console.web.routes import handoff_live
from tests.support.console_web import get, post
from tests.support.handoff_desk import EventStream, agent, queued, wait_until


def test_a_resident_joining_the_queue_reaches_an_open_queue_page(desk):
    base, db = desk.base, desk.db
    seat = agent(base, db, "live.a")
    stream = EventStream(seat.http, base + "/handoff/events")
    try:
        assert stream.until("ready") == ["ready"]
        rid = queued(db, "wechat:live-new", channel="wechat", says=["我要办社保卡"])
        assert "queue" in stream.until("queue")
    finally:
        stream.close()
    part = get(seat.http, base + "/handoff/queue").text
    assert f'name="request" value="{rid}"' in part and "我要办社保卡" in part


def test_the_open_transcript_and_my_conversations_are_told_of_a_new_message(desk):
    base, db = desk.base, desk.db
    seat = agent(base, db, "live.b")
    rid = queued(db, "web:live-open")
    assert post(seat.http, base + "/handoff/claim", {"request": str(rid), "csrf": seat.csrf}).status_code == 303
    stream = EventStream(seat.http, f"{base}/handoff/events?open={rid}")
    try:
        stream.until("ready")
        service.record_resident_message(db, request_id=rid, text="请问什么时候能办好")
        told = stream.until("transcript")
        assert told == ["mine", "transcript"]  # a held resident's words leave the queue as it is
    finally:
        stream.close()
    assert "请问什么时候能办好" in get(seat.http, f"{base}/handoff/{rid}/messages").text


def last_seen(db, username: str):
    with db() as session:
        return session.query(ConsoleSession.last_seen_at).join(StaffUser).filter(
            StaffUser.username == username).scalar()


def test_an_open_stream_is_activity_and_ends_when_the_agent_signs_out(desk, monkeypatch):
    monkeypatch.setattr(handoff_live, "HEARTBEAT_S", 0.2)
    base, db = desk.base, desk.db
    seat = agent(base, db, "live.c")
    stream = EventStream(seat.http, base + "/handoff/events")
    try:
        stream.until("ready")
        before = last_seen(db, "live.c")
        wait_until(lambda: last_seen(db, "live.c") > before, what="the stream to touch the session")
        elsewhere = requests.Session()  # the same browser's other tab
        elsewhere.cookies.update(seat.http.cookies)
        assert post(elsewhere, base + "/logout", {"csrf": seat.csrf}).status_code == 303
        assert stream.next_event() is None  # the server ended the stream
    finally:
        stream.close()

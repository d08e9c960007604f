"""The delivery loop (channels/handoff_delivery.py): REST through the tracker, retries, failures,
exactly once with two nodes, one loop per server.

Rasa's agent is tests/support/rasa_double.py (Rasa's own tracker, store and lock classes,
no model); the database is real (SQLite, and PostgreSQL for the two-node race when it is
there). The web chat and WeChat deliverers have tests of their own.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import uuid

import pytest
from sanic import Blueprint, Sanic
from sanic.response import text

from bot.handoff import outbox, queue, service
from channels.handoff_delivery import DeliveryLoop, DeliverySettings, TrackerOnly, TryLater, Undeliverable, install
from channels.staff_replies import append_staff_reply
from tests.support.rasa_double import RasaAgent, conversations_of
from tests.support.server_thread import ServerThread, free_port

PHONE = "13812345678"


def desk(sessions, conversation: str, channel: str = "rest") -> int:
    rid = service.request_handoff(sessions, conversation_id=conversation, channel=channel).request.id
    service.claim(sessions, request_id=rid, agent="zhang")
    return rid


def loop_for(sessions, **deliverers) -> DeliveryLoop:
    loop = DeliveryLoop(lambda: sessions, DeliverySettings(poll_s=0.01))
    for channel, deliverer in deliverers.items():
        loop.add(channel, deliverer)
    return loop


async def deliver_all(loop: DeliveryLoop) -> None:
    """Poll and wait until nothing is due or under way (what the running loop does in turn)."""
    while await loop.poll():
        await loop.drain()


def message(sessions, rid: int, message_id: int):
    return next(m for m in queue.transcript(sessions, request_id=rid) if m.id == message_id)


def test_rest_staff_replies_are_in_the_tracker_once_and_masked(handoff_sessions, caplog):
    caplog.set_level(logging.DEBUG)
    agent = RasaAgent()
    rid = desk(handoff_sessions, "rest:me")
    first = service.reply(handoff_sessions, request_id=rid, agent="zhang", text=f"您登记的电话是{PHONE}吗？").id
    second = service.reply(handoff_sessions, request_id=rid, agent="zhang", text="请稍等").id
    loop = loop_for(handoff_sessions, rest=TrackerOnly(conversations_of(agent)))
    asyncio.run(agent.said("rest:me", "转人工"))
    asyncio.run(deliver_all(loop))

    staff = [e for e in asyncio.run(agent.events("rest:me")) if e["event"] == "bot"]
    assert [(e["text"], e["metadata"]) for e in staff] == [
        ("您登记的电话是138****5678吗？", {"handoff": {"message_id": first, "agent": "工作人员"}}),
        ("请稍等", {"handoff": {"message_id": second, "agent": "工作人员"}})]
    assert all(message(handoff_sessions, rid, m).delivered_at is not None for m in (first, second))
    # A delivery tried again (its node died after writing) adds nothing.
    asyncio.run(append_staff_reply(agent, "rest:me", first, "您登记的电话是138****5678吗？"))
    assert len([e for e in asyncio.run(agent.events("rest:me")) if e["event"] == "bot"]) == 2
    assert PHONE not in caplog.text and "您登记的电话" not in caplog.text


class Flaky:
    """Fails ``failures`` times with TryLater, then delivers."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    async def deliver(self, _message) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise TryLater("webchat:error")


def test_a_failed_attempt_is_retried_after_its_backoff_then_delivered(handoff_sessions, monkeypatch):
    monkeypatch.setattr(outbox, "BACKOFF_S", (0.0,))
    rid = desk(handoff_sessions, "web:flaky", "webchat")
    mid = service.reply(handoff_sessions, request_id=rid, agent="zhang", text="您好").id
    flaky = Flaky(failures=1)
    loop = loop_for(handoff_sessions, webchat=flaky)
    asyncio.run(deliver_all(loop))
    shown = message(handoff_sessions, rid, mid)
    assert flaky.calls == 2 and shown.delivered_at is not None and shown.delivery_error is None


def test_retries_stop_at_the_cap_with_the_last_reason(handoff_sessions, monkeypatch):
    monkeypatch.setattr(outbox, "BACKOFF_S", (0.0,))
    rid = desk(handoff_sessions, "web:down", "webchat")
    mid = service.reply(handoff_sessions, request_id=rid, agent="zhang", text="您好").id
    flaky = Flaky(failures=99)
    loop = loop_for(handoff_sessions, webchat=flaky)
    loop.settings = DeliverySettings(poll_s=0.01, max_attempts=3)
    asyncio.run(deliver_all(loop))
    assert flaky.calls == 3 and message(handoff_sessions, rid, mid).delivery_error == "webchat:error"


class Refusing:
    async def deliver(self, _message) -> None:
        raise Undeliverable("wechat:43004")


def test_a_message_the_channel_refuses_is_failed_with_the_reason_and_the_next_goes_on(handoff_sessions):
    rid = desk(handoff_sessions, "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", "wechat")
    first = service.reply(handoff_sessions, request_id=rid, agent="zhang", text="一").id
    asyncio.run(deliver_all(loop_for(handoff_sessions, wechat=Refusing())))
    assert message(handoff_sessions, rid, first).delivery_error == "wechat:43004"
    second = service.reply(handoff_sessions, request_id=rid, agent="zhang", text="二").id
    asyncio.run(deliver_all(loop_for(handoff_sessions, wechat=TrackerOnly(conversations_of(RasaAgent())))))
    assert message(handoff_sessions, rid, second).delivery_error is None


def test_a_reply_to_a_conversation_the_resident_erased_is_not_written_back(handoff_sessions):
    agent = RasaAgent()
    rid = desk(handoff_sessions, "web:erased", "webchat")
    mid = service.reply(handoff_sessions, request_id=rid, agent="zhang", text="您好").id
    service.withdraw(handoff_sessions, conversation_id="web:erased")  # 清除记录
    asyncio.run(deliver_all(loop_for(handoff_sessions, webchat=TrackerOnly(conversations_of(agent)))))
    assert message(handoff_sessions, rid, mid).delivery_error == "withdrawn"
    assert asyncio.run(agent.events("web:erased")) == []


class Recorder:
    """Records (node, message id) of every delivery; yields to let the other node interleave."""

    def __init__(self, node: str, record: list[tuple[str, int, int]], lock: threading.Lock) -> None:
        self.node, self.record, self.lock = node, record, lock

    async def deliver(self, claimed) -> None:
        await asyncio.sleep(0.005)
        with self.lock:
            self.record.append((self.node, claimed.request_id, claimed.message_id))


def test_two_nodes_polling_at_once_deliver_every_message_exactly_once_in_order(any_backend):
    conversations = [f"web:node{i}" for i in range(6)]
    written: dict[int, list[int]] = {}
    for conversation in conversations:
        rid = desk(any_backend, conversation, "webchat")
        written[rid] = [service.reply(any_backend, request_id=rid, agent="zhang", text=f"第{n}条").id
                        for n in range(5)]
    record: list[tuple[str, int, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def node(name: str) -> None:
        loop = loop_for(any_backend, webchat=Recorder(name, record, lock))
        barrier.wait()
        try:
            for _ in range(2000):  # an upper bound for a failing test, not a timing assumption
                asyncio.run(deliver_all(loop))
                if outbox.due(any_backend, channels=["webchat"]) == [] and len(record) >= 30:
                    return
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=node, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    delivered = [mid for _, _, mid in record]
    assert sorted(delivered) == sorted(mid for mids in written.values() for mid in mids)  # each exactly once
    for rid, mids in written.items():
        assert [mid for _, r, mid in record if r == rid] == mids  # in the order written
    for rid, mids in written.items():
        assert all(message(any_backend, rid, mid).delivered_at is not None for mid in mids)


def test_every_channel_adds_its_deliverer_to_one_loop_that_stops_with_the_server(handoff_sessions):
    loops: list[DeliveryLoop] = []

    def factory() -> DeliveryLoop:
        loops.append(loop_for(handoff_sessions))
        return loops[-1]

    app = Sanic(f"delivery_{uuid.uuid4().hex[:8]}")
    rest, web = Blueprint("rest_bp", url_prefix="/r"), Blueprint("web_bp", url_prefix="/w")
    install(rest, "rest", lambda: TrackerOnly(conversations_of(RasaAgent())), loop_factory=factory)
    install(web, "webchat", lambda: Flaky(0), loop_factory=factory)

    @rest.route("/")
    async def health(_request):  # Sanic serves no app without a route
        return text("ok")

    app.blueprint(rest)
    app.blueprint(web)
    server = ServerThread(app, free_port())
    server.start()
    try:
        assert len(loops) == 1 and sorted(loops[0].deliverers) == ["rest", "webchat"]
        assert loops[0]._runner is not None and not loops[0]._runner.done()
    finally:
        server.stop()
    assert loops[0]._runner is None  # stopped by before_server_stop


@pytest.fixture(params=["sqlite", "postgresql"])
def any_backend(request, tmp_path, keys):
    """A fresh application database: a SQLite file, then PostgreSQL (skipped, saying why, if absent)."""
    from bot.db import session_factory

    if request.param == "sqlite":
        yield session_factory(f"sqlite:///{tmp_path / 'delivery.db'}")
        return
    from tests.support.backing_services import fresh_database

    with fresh_database() as url:
        yield session_factory(url)


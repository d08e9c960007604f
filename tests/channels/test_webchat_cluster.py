"""The web chat channel on two nodes sharing Redis: a message resent to the other node is processed once.

Two Sanic servers, each with its own WebChatInput (channels/webchat/channel.py) and its own
Redis connections, stand for two Rasa processes behind the load balancer; the tracker
store they share is a dict, and "the assistant" writes the message and its reply into it.
Two pages (python-socketio) speak the real protocol: page A sends a message to node A, and
while node A processes it the same message (same client id, after a reconnect through the
load balancer) reaches node B. Node A is held with an event until node B has found the
message claimed, so the order does not depend on timing.
"""
from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sanic import Sanic

from channels.shared_state import SharedState
from channels.webchat.channel import WebChatInput
from tests.support.server_thread import ServerThread, free_port
from tests.support.webchat_client import Page

CLIENT_ID = "cluster-resend-0001"
WAIT_S = 30.0  # an upper bound for a failing test, not a timing assumption


class SharedTracker:
    """The tracker store both nodes read; written by the assistant double, from either thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, list[dict[str, Any]]] = {}
        self.processed: list[tuple[str, str]] = []  # (conversation, client id)
        self.started = threading.Event()
        self.release = threading.Event()

    async def events(self, conversation: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events.get(conversation, []))

    def attach(self, app: Any) -> None:
        """As channels.conversations.Conversations: this store needs no app."""

    def agent(self) -> None:
        """No Rasa agent here: the hand-off gate (channels/handoff_gate.py) passes every message on."""
        return None

    async def assistant(self, message: Any) -> None:
        """Rasa's on_new_message: waits for ``release``, then stores the message and a reply."""
        with self._lock:
            self.processed.append((message.sender_id, message.message_id))
        self.started.set()
        await asyncio.to_thread(self.release.wait, WAIT_S)
        now = time.time()
        with self._lock:
            self._events.setdefault(message.sender_id, []).extend([
                {"event": "user", "text": message.text, "message_id": message.message_id, "timestamp": now},
                {"event": "bot", "text": f"收到：{message.text}", "timestamp": now + 0.001}])


def refused_claim(channel: WebChatInput) -> threading.Event:
    """Set once the node found a message claimed by another node."""
    refused = threading.Event()
    claims = channel.claims
    assert claims is not None, "the channel did not take its claims from Redis"
    original = claims.claim

    async def claim(conversation: str, client_id: str) -> bool:
        taken = await original(conversation, client_id)
        if not taken:
            refused.set()
        return taken

    claims.claim = claim  # type: ignore[method-assign]
    return refused


@contextmanager
def node(tracker: SharedTracker, url: str, prefix: str, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[tuple[WebChatInput, str]]:
    """One Rasa process's web chat: (its channel, its URL)."""
    monkeypatch.setattr("channels.webchat.channel.shared_state", lambda: SharedState.connect(url, prefix=prefix))
    channel = WebChatInput()
    channel.conversations = tracker  # type: ignore[assignment]
    app = Sanic(f"webchat_node_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(tracker.assistant), url_prefix=channel.url_prefix())
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield channel, f"http://127.0.0.1:{server.port}"
    finally:
        asyncio.run_coroutine_threadsafe(quiet(channel), server.loop).result(WAIT_S)
        server.stop()


async def quiet(channel: WebChatInput) -> None:
    """Stop socket.io's background tasks (engine.io's pings of sockets the pages dropped, its
    service task, the Redis listener), which would hold the server's stop for its 5-second
    grace period: what a server's own shutdown would end."""
    assert channel.sio is not None
    await channel.sio.shutdown()
    for task in asyncio.all_tasks():
        frame = getattr(task.get_coro(), "cr_frame", None)
        module = frame.f_globals.get("__name__", "") if frame is not None else ""
        if task is not asyncio.current_task() and module.startswith(("socketio.", "engineio.")):
            task.cancel()


def test_a_message_resent_to_another_node_while_the_first_processes_it_is_processed_once(
        redis_url, redis_prefix, monkeypatch):
    monkeypatch.setenv("WEBCHAT_SECRET", "cluster-test-secret-" + "x" * 20)
    tracker = SharedTracker()
    with node(tracker, redis_url, redis_prefix, monkeypatch) as (_, url_a), \
            node(tracker, redis_url, redis_prefix, monkeypatch) as (channel_b, url_b):
        refused = refused_claim(channel_b)

        async def scenario() -> tuple[Any, Any, Page, Page]:
            page_a, page_b = Page(url_a), Page(url_b)
            await page_a.open()
            await page_b.open(token=page_a.token)  # the same conversation, through the other node
            try:
                first = asyncio.ensure_future(page_a.say("你好", client_id=CLIENT_ID))
                assert await asyncio.to_thread(tracker.started.wait, WAIT_S)
                resend = asyncio.ensure_future(page_b.say("你好", client_id=CLIENT_ID))
                assert await asyncio.to_thread(refused.wait, WAIT_S)  # node B waits for node A
                tracker.release.set()
                acks = await first, await resend
                for page in (page_a, page_b):
                    await page.wait(lambda p=page: any(m["role"] == "bot" for m in p.merged()), WAIT_S)
                return *acks, page_a, page_b
            finally:
                await page_a.close()
                await page_b.close()

        ack_a, ack_b, page_a, page_b = asyncio.run(scenario())
    assert ack_a == ack_b == {"ok": True}
    assert tracker.processed == [(page_a.conversation, CLIENT_ID)]
    for page in (page_a, page_b):
        assert [(m["role"], m["text"]) for m in page.merged()] == [("user", "你好"), ("bot", "收到：你好")]

"""A web chat message resent to two nodes is processed once (channels/webchat/resends.py).

Each "node" has its own Redis connection and claims; the tracker store, which every node
of a cluster shares, is a dict here. Where the order matters (the resend reaching node B
while node A still processes the message), node A's processing waits for an event the
test sets once B has found the message claimed, instead of sleeping.
"""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from channels.webchat import redis_claims
from channels.webchat.history import messages_from
from channels.webchat.redis_claims import RedisMessageClaims
from channels.webchat.resends import BUSY, Handled, handle_once
from tests.support.redis_server import async_clients, keys_under

CONVERSATION = "web:resend-test-conversation"
CLIENT_ID = "client-resend-0001"
WAIT_S = 30.0  # an upper bound for a failing test, not a timing assumption


class Tracker:
    """The shared tracker store: events by conversation."""

    def __init__(self) -> None:
        self.events: dict[str, list[dict[str, Any]]] = {}
        self._clock = itertools.count(1)

    async def read(self, conversation: str) -> list[dict[str, Any]]:
        return list(self.events.get(conversation, []))

    def answer(self, conversation: str, client_id: str, text: str) -> None:
        self.events.setdefault(conversation, []).extend([
            {"event": "user", "message_id": client_id, "text": text, "timestamp": next(self._clock)},
            {"event": "bot", "text": f"收到：{text}", "timestamp": next(self._clock)}])


class Assistant:
    """Processes messages into the tracker; counts them; can be held until ``release``."""

    def __init__(self, tracker: Tracker, held: bool = False) -> None:
        self.tracker = tracker
        self.calls: list[str] = []
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        if not held:
            self.release.set()

    def process(self, client_id: str, text: str, ack: dict[str, Any] | None = None):
        async def run(events: list[dict[str, Any]]) -> dict[str, Any] | None:
            self.calls.append(client_id)
            self.started.set()
            await self.release.wait()
            if ack is None:
                self.tracker.answer(CONVERSATION, client_id, text)
            return ack
        return run


@asynccontextmanager
async def nodes(url: str, prefix: str, n: int = 2) -> AsyncIterator[list[RedisMessageClaims]]:
    async with async_clients(url, n) as clients:
        yield [RedisMessageClaims(client, prefix=prefix) for client in clients]


def refused_claim(claims: RedisMessageClaims) -> asyncio.Event:
    """An event set once ``claims`` found a message claimed by another node."""
    refused = asyncio.Event()
    original = claims.claim

    async def claim(conversation: str, client_id: str) -> bool:
        taken = await original(conversation, client_id)
        if not taken:
            refused.set()
        return taken

    claims.claim = claim  # type: ignore[method-assign]
    return refused


def replies(handled: Handled) -> list[str]:
    return [m["text"] for m in messages_from(handled.events, CLIENT_ID)]


# -- one process: the lock and the tracker, as always ---------------------------------------
def test_in_one_process_a_message_is_processed_and_its_resend_answered_from_the_tracker():
    tracker = Tracker()
    assistant = Assistant(tracker)

    async def scenario():
        process = assistant.process(CLIENT_ID, "你好")
        return (await handle_once(CONVERSATION, CLIENT_ID, tracker.read, process),
                await handle_once(CONVERSATION, CLIENT_ID, tracker.read, process))

    first, resend = asyncio.run(scenario())
    assert assistant.calls == [CLIENT_ID]
    assert first.ack is None and resend.ack is None and replies(first) == replies(resend) == ["你好", "收到：你好"]


# -- two nodes -------------------------------------------------------------------------------
def test_a_resend_reaching_another_node_while_the_first_processes_it_is_processed_once(redis_url, redis_prefix):
    tracker = Tracker()
    assistant = Assistant(tracker, held=True)

    async def scenario():
        async with nodes(redis_url, redis_prefix) as (a, b):
            process = assistant.process(CLIENT_ID, "你好")
            first = asyncio.ensure_future(handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, a))
            await assistant.started.wait()
            waiting = refused_claim(b)
            resend = asyncio.ensure_future(handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, b))
            await asyncio.wait_for(waiting.wait(), WAIT_S)  # b found the message claimed by a
            assistant.release.set()
            return await first, await resend

    first, resend = asyncio.run(scenario())
    assert assistant.calls == [CLIENT_ID]
    assert first.ack is None and resend.ack is None
    assert replies(first) == replies(resend) == ["你好", "收到：你好"]


def test_a_resend_after_the_first_node_answered_is_answered_from_the_tracker(redis_url, redis_prefix):
    tracker = Tracker()
    assistant = Assistant(tracker)

    async def scenario():
        async with nodes(redis_url, redis_prefix) as (a, b):
            process = assistant.process(CLIENT_ID, "你好")
            first = await handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, a)
            return first, await handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, b)

    first, resend = asyncio.run(scenario())
    assert assistant.calls == [CLIENT_ID] and replies(first) == replies(resend)


def test_at_once_on_two_nodes_one_processes_and_both_answer(redis_url, redis_prefix):
    tracker = Tracker()
    assistant = Assistant(tracker)

    async def scenario():
        async with nodes(redis_url, redis_prefix) as (a, b):
            process = assistant.process(CLIENT_ID, "你好")
            return await asyncio.gather(*(handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, node)
                                          for node in (a, b)))

    handled = asyncio.run(scenario())
    assert assistant.calls == [CLIENT_ID]
    assert [h.ack for h in handled] == [None, None] and replies(handled[0]) == replies(handled[1])


def test_when_the_first_node_fails_the_waiting_node_processes_the_message(redis_url, redis_prefix):
    tracker = Tracker()
    failing, working = Assistant(tracker, held=True), Assistant(tracker)

    async def scenario():
        async with nodes(redis_url, redis_prefix) as (a, b):
            error = {"ok": False, "error": "server_error"}
            first = asyncio.ensure_future(handle_once(CONVERSATION, CLIENT_ID, tracker.read,
                                                      failing.process(CLIENT_ID, "你好", ack=error), a))
            await failing.started.wait()
            waiting = refused_claim(b)
            resend = asyncio.ensure_future(handle_once(CONVERSATION, CLIENT_ID, tracker.read,
                                                       working.process(CLIENT_ID, "你好"), b))
            await asyncio.wait_for(waiting.wait(), WAIT_S)
            failing.release.set()  # a gives the message up: its claim is released
            return await first, await resend

    first, resend = asyncio.run(scenario())
    assert first.ack == {"ok": False, "error": "server_error"}
    assert working.calls == [CLIENT_ID] and resend.ack is None and replies(resend) == ["你好", "收到：你好"]


def test_a_node_still_waiting_at_its_deadline_answers_busy_not_a_second_processing(redis_url, redis_prefix):
    tracker = Tracker()
    assistant = Assistant(tracker, held=True)

    async def scenario():
        async with nodes(redis_url, redis_prefix) as (a, b):
            process = assistant.process(CLIENT_ID, "你好")
            first = asyncio.ensure_future(handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, a))
            await assistant.started.wait()
            resend = await asyncio.wait_for(
                handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, b, wait_s=0.2), WAIT_S)
            assistant.release.set()
            return await first, resend

    first, resend = asyncio.run(scenario())
    assert assistant.calls == [CLIENT_ID] and first.ack is None and resend.ack == BUSY


def test_a_message_that_left_nothing_in_the_tracker_is_released_for_its_resend(redis_url, redis_prefix):
    """清除记录's dialog is shown, not stored: its resend is handled again, as in one process."""
    tracker = Tracker()
    assistant = Assistant(tracker)

    async def scenario():
        async with nodes(redis_url, redis_prefix) as (a, b):
            notice = assistant.process(CLIENT_ID, "清除记录", ack={"ok": True})
            first = await handle_once(CONVERSATION, CLIENT_ID, tracker.read, notice, a)
            return first, await handle_once(CONVERSATION, CLIENT_ID, tracker.read, notice, b)

    first, resend = asyncio.run(scenario())
    assert first.ack == resend.ack == {"ok": True} and assistant.calls == [CLIENT_ID, CLIENT_ID]
    assert not keys_under(redis_url, redis_prefix)


def test_claims_expire_and_name_neither_the_conversation_nor_the_message(redis_url, redis_prefix):
    tracker = Tracker()

    async def scenario():
        async with nodes(redis_url, redis_prefix, 1) as (a,):
            await handle_once(CONVERSATION, CLIENT_ID, tracker.read, Assistant(tracker).process(CLIENT_ID, "你好"), a)

    asyncio.run(scenario())
    stored = keys_under(redis_url, redis_prefix)
    assert len(stored) == 1
    [(key, ttl)] = stored.items()
    assert ":webchat:message:" in key and CONVERSATION not in key and CLIENT_ID not in key
    assert 0 < ttl <= redis_claims.TTL_S


def test_when_redis_fails_the_message_is_processed_as_in_one_process(caplog):
    tracker = Tracker()
    assistant = Assistant(tracker)

    async def scenario():
        async with async_clients("redis://127.0.0.1:1/0", socket_connect_timeout=1) as [client]:
            claims = RedisMessageClaims(client)
            process = assistant.process(CLIENT_ID, "你好")
            return (await handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, claims),
                    await handle_once(CONVERSATION, CLIENT_ID, tracker.read, process, claims))

    first, resend = asyncio.run(scenario())
    assert assistant.calls == [CLIENT_ID] and first.ack is None and replies(resend) == ["你好", "收到：你好"]
    assert "Redis failed" in caplog.text

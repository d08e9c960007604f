"""Staff messages on the web chat page: live, labelled, and after a reconnect neither lost nor doubled.

A real web chat channel (channels/webchat/channel.py) on a Sanic server with its delivery
loop (channels/handoff_delivery.py), Rasa's agent from tests/support/rasa_double.py, the
application database of the test, and pages speaking the socket.io protocol
(tests/support/webchat_client.py). The agent's side is the hand-off service, as the
console calls it.
"""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rasa.shared.core.events import BotUttered, ConversationPaused, UserUttered
from sanic import Sanic

from bot.handoff import queue, service
from bot.handoff.texts import HANDED_BACK
from channels import paused_tracker
from channels.webchat.channel import WebChatInput
from channels.webchat.history import chat_messages
from tests.support.rasa_double import RasaAgent
from tests.support.server_thread import ServerThread, free_port
from tests.support.webchat_client import Page

WAIT_S = 30.0  # an upper bound for a failing test, not a timing assumption


@pytest.fixture()
def web_env(monkeypatch, db_url, keys):
    monkeypatch.setenv("WEBCHAT_SECRET", "handoff-test-secret-" + "x" * 20)
    monkeypatch.setenv("GOV_DATABASE_URL", db_url)
    monkeypatch.setenv("GOV_HANDOFF_POLL_S", "0.05")
    monkeypatch.delenv("GOV_REDIS_URL", raising=False)


@contextmanager
def web_node() -> Iterator[tuple[str, RasaAgent, ServerThread]]:
    """A Rasa server's web chat whose "assistant" stores each message and a reply."""
    agent = RasaAgent()

    async def assistant(message: Any) -> None:
        await agent.add(message.sender_id, UserUttered(message.text, message_id=message.message_id),
                        BotUttered(f"收到：{message.text}"))

    channel = WebChatInput()
    app = Sanic(f"handoff_web_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = agent
    app.blueprint(channel.blueprint(assistant), url_prefix=channel.url_prefix())
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", agent, server
    finally:
        asyncio.run_coroutine_threadsafe(quiet(channel), server.loop).result(WAIT_S)
        server.stop()


async def quiet(channel: WebChatInput) -> None:
    """End socket.io's background tasks, which would hold the server's stop for seconds."""
    assert channel.sio is not None
    await channel.sio.shutdown()
    for task in asyncio.all_tasks():
        frame = getattr(task.get_coro(), "cr_frame", None)
        module = frame.f_globals.get("__name__", "") if frame is not None else ""
        if task is not asyncio.current_task() and module.startswith(("socketio.", "engineio.")):
            task.cancel()


def on_server(server: ServerThread, coroutine: Any) -> Any:
    """Run a coroutine on the server's loop (Rasa's agent lives there)."""
    return asyncio.run_coroutine_threadsafe(coroutine, server.loop).result(WAIT_S)


def staff(page: Page) -> list[dict[str, Any]]:
    return [m for m in page.merged() if m.get("author")]


async def all_delivered(sessions, rid: int) -> None:
    for _ in range(int(WAIT_S * 20)):
        shown = await asyncio.to_thread(queue.transcript, sessions, request_id=rid)
        if all(m.delivered_at for m in shown if m.direction != "resident"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not delivered")


def test_staff_messages_arrive_live_and_a_reconnecting_page_gets_the_missed_ones_once(web_env, handoff_sessions):
    with web_node() as (url, agent, server):
        async def scenario() -> tuple[Page, Page, Page, list[dict[str, Any]]]:
            page = Page(url)
            await page.open()
            rid = service.request_handoff(handoff_sessions, conversation_id=page.conversation,
                                          channel="webchat").request.id
            service.claim(handoff_sessions, request_id=rid, agent="zhang")
            await asyncio.to_thread(service.reply, handoff_sessions, request_id=rid, agent="zhang",
                                    text="您好，您登记的电话13812345678对吗？")
            await page.wait(lambda: staff(page), WAIT_S)
            await page.close()  # the phone loses its signal
            for text in ("请带身份证原件", "<b>窗口</b>在二楼"):
                await asyncio.to_thread(service.reply, handoff_sessions, request_id=rid, agent="zhang", text=text)
            await all_delivered(handoff_sessions, rid)
            back = Page(url)  # the same page, reconnected
            await back.open(token=page.token, last_seen=max(m["ts"] for m in page.merged()))
            reload = Page(url)  # a full reload: the whole history
            await reload.open(token=page.token)
            history = chat_messages(await asyncio.to_thread(
                lambda: on_server(server, agent.events(page.conversation))))
            await back.close()
            await reload.close()
            return page, back, reload, history

        page, back, reload, history = asyncio.run(scenario())
    live = staff(page)
    assert [(m["text"], m["author"], m["role"]) for m in live] == [
        ("您好，您登记的电话138****5678对吗？", "工作人员", "bot")]
    assert [m["text"] for m in back.batches[0]] == ["请带身份证原件", "<b>窗口</b>在二楼"]  # the missed, nothing else
    merged = {m["id"]: m for p in (page, back) for batch in p.batches for m in batch}
    assert sorted(merged) == sorted(m["id"] for m in history)  # same ids live and in the history: no doubles
    assert [m["id"] for m in reload.merged()] == [m["id"] for m in history]


def test_the_hand_back_reaches_the_page_with_the_historys_id(web_env, handoff_sessions):
    with web_node() as (url, agent, server):
        async def scenario() -> tuple[Page, list[dict[str, Any]]]:
            page = Page(url)
            await page.open()
            conversation = page.conversation
            rid = service.request_handoff(handoff_sessions, conversation_id=conversation, channel="webchat").request.id
            await asyncio.to_thread(on_server, server, agent.add(conversation, ConversationPaused()))
            service.claim(handoff_sessions, request_id=rid, agent="zhang")
            service.close(handoff_sessions, request_id=rid, agent="zhang", note="已解答")
            # As Rasa's HTTP API does for the console (bot/handoff/handback.py), then marked resumed.
            assert await asyncio.to_thread(on_server, server, paused_tracker.hand_back(agent, conversation,
                                                                                       HANDED_BACK))
            service.mark_resumed(handoff_sessions, request_id=rid)
            await page.wait(lambda: any(m["text"] == HANDED_BACK for m in page.merged()), WAIT_S)
            await all_delivered(handoff_sessions, rid)
            history = chat_messages(await asyncio.to_thread(lambda: on_server(server, agent.events(conversation))))
            await page.close()
            return page, history

        page, history = asyncio.run(scenario())
    handed_back = [m for batch in page.batches for m in batch if m["text"] == HANDED_BACK]
    assert [(m["id"], m["author"]) for m in handed_back] == [(history[0]["id"], None)]


def test_a_hand_back_the_gate_says_at_the_next_message_reaches_the_page_once(web_env, handoff_sessions):
    with web_node() as (url, agent, server):
        async def scenario() -> tuple[Page, Any]:
            page = Page(url)
            await page.open()
            conversation = page.conversation
            rid = service.request_handoff(handoff_sessions, conversation_id=conversation, channel="webchat").request.id
            await asyncio.to_thread(on_server, server, agent.add(conversation, ConversationPaused()))
            service.claim(handoff_sessions, request_id=rid, agent="zhang")
            service.close(handoff_sessions, request_id=rid, agent="zhang", note="已解答")  # Rasa was not reached
            assert await page.say("社保卡怎么办") == {"ok": True}
            await page.wait(lambda: any(m["text"] == HANDED_BACK for m in page.merged()), WAIT_S)
            await all_delivered(handoff_sessions, rid)
            await asyncio.sleep(0.3)  # several more polls: nothing may come again
            await page.close()
            return page, queue.transcript(handoff_sessions, request_id=rid)

        page, transcript = asyncio.run(scenario())
    shown = [(m["role"], m["text"]) for m in page.merged()]
    assert shown == [("bot", HANDED_BACK), ("user", "社保卡怎么办"), ("bot", "收到：社保卡怎么办")]
    assert len([m for batch in page.batches for m in batch if m["text"] == HANDED_BACK]) == 1
    assert [m.direction for m in transcript] == ["system"] and transcript[0].delivered_at is not None

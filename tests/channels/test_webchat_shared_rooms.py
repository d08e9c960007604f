"""socket.io rooms across nodes (SharedState.socketio_manager, used by channels/webchat/channel.py).

Two socket.io servers with the Redis client manager, each on its own port, stand for two
Rasa processes; a page connects to one, and the other emits to the page's conversation
room, as a node that processed a message does. This pins python-socketio 5.18's
AsyncRedisManager on the installed redis 4.6 asyncio client. The servers run on aiohttp
here (the channel runs on Sanic): the client manager is the same either way.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import socketio
from aiohttp import web

from channels.shared_state import SharedState
from tests.support.redis_server import async_clients

ROOM = "web:conversation-1"
WAIT_S = 10.0  # an upper bound for a failing test, not a timing assumption


@asynccontextmanager
async def node(state: SharedState) -> AsyncIterator[tuple[socketio.AsyncServer, str]]:
    """A socket.io server whose pages join ROOM on connecting; (server, its URL)."""
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=state.socketio_manager())

    @sio.on("connect")
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await sio.enter_room(sid, ROOM)

    app = web.Application()
    sio.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield sio, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def listening(client: Any, channel: str) -> None:
    """Wait until a server subscribed to the socket.io channel (it does on its first page)."""
    while (await client.pubsub_numsub(channel))[0][1] < 1:
        await asyncio.sleep(0.02)


def test_a_reply_emitted_on_one_node_reaches_the_page_connected_to_another(redis_url, redis_prefix):
    async def scenario():
        async with async_clients(redis_url, 3) as (redis_a, redis_b, probe):
            state_a = SharedState(redis_a, redis_url, prefix=redis_prefix)
            state_b = SharedState(redis_b, redis_url, prefix=redis_prefix)
            async with node(state_a) as (_, url_a), node(state_b) as (sio_b, _):
                page = socketio.AsyncClient(reconnection=False)
                received: list[dict[str, Any]] = []
                marker = asyncio.Event()

                @page.on("messages")
                async def messages(data: dict[str, Any]) -> None:
                    received.append(data)
                    if data.get("marker"):
                        marker.set()

                await page.connect(url_a, transports=["polling"])  # websocket needs a newer aiohttp
                await asyncio.wait_for(listening(probe, f"{redis_prefix}webchat:socketio"), WAIT_S)
                await sio_b.emit("messages", {"text": "回复"}, room=ROOM)
                await sio_b.emit("messages", {"text": "别的会话"}, room="web:conversation-2")
                await sio_b.close_room(ROOM)  # as after 清除记录: the page leaves on every node
                await sio_b.emit("messages", {"text": "清除之后"}, room=ROOM)
                await sio_b.emit("messages", {"marker": True}, room=page.get_sid())
                await asyncio.wait_for(marker.wait(), WAIT_S)  # one channel, in order: all before it arrived
                await page.eio.disconnect(abort=True)  # not waiting for the pending long poll
                return received

    assert asyncio.run(scenario()) == [{"text": "回复"}, {"marker": True}]

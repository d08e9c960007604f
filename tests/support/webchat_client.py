"""A page for the web chat's socket.io protocol, played by python-socketio (tests only)."""
from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any

import socketio


def conversation_of(token: str) -> str:
    """The conversation id inside a token (readable; only the server can sign one)."""
    claims = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["c"]


class Page:
    """A minimal page: one socket, the messages it received, merged by id."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.sio = socketio.AsyncClient(reconnection=False)
        self.token: str | None = None
        self.fresh: bool | None = None
        self.cleared = False
        self.batches: list[list[dict[str, Any]]] = []
        self.sio.on("session_confirm", self._confirm)
        self.sio.on("messages", self._messages)
        self.sio.on("cleared", self._cleared)

    @property
    def conversation(self) -> str:
        if self.token is None:
            raise RuntimeError("no session yet: open() the page first")
        return conversation_of(self.token)

    async def _confirm(self, data: dict[str, Any]) -> None:
        self.token, self.fresh = data["token"], data["fresh"]

    async def _messages(self, data: dict[str, Any]) -> None:
        self.batches.append(data["messages"])

    async def _cleared(self, _: Any) -> None:
        self.cleared = True

    async def connect(self) -> None:
        # Polling only: engineio's websocket client needs a newer aiohttp than Rasa pins.
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["polling"],
                               headers=self.headers)

    async def open(self, token: str | None = None, last_seen: float | None = None, **extra: Any) -> None:
        await self.connect()
        await self.sio.emit("session_request", {"token": token, "last_seen": last_seen, **extra})
        await self.wait(lambda: self.token and self.batches)

    async def say(self, text: str, client_id: str | None = None, **extra: Any) -> dict[str, Any]:
        payload = {"token": self.token, "message": text, "client_id": client_id or uuid.uuid4().hex, **extra}
        return await self.sio.call("user_uttered", payload, timeout=60)

    async def wait(self, condition, timeout: float = 30) -> None:
        for _ in range(int(timeout * 20)):
            if condition():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("timed out")

    def merged(self) -> list[dict[str, Any]]:
        by_id = {m["id"]: m for batch in self.batches for m in batch}
        return sorted(by_id.values(), key=lambda m: m["ts"])

    async def close(self) -> None:
        """Drop the connection at once, as a phone losing signal does.

        (A polite disconnect over polling waits for the pending long-poll: up to 25 s.)
        """
        await self.sio.eio.disconnect(abort=True)


def run(coroutine):
    return asyncio.run(coroutine)

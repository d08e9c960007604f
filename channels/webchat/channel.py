"""The web chat channel: Rasa's socket.io transport, made reload- and reconnect-safe.

Differences from Rasa's built-in ``socketio`` channel, and why:
- the page sends a client id with every message; a message resent after a reconnect is
  recognised in the tracker (Rasa stores it as the event's ``message_id``) and not
  processed twice;
- replies are read back from the tracker store and sent with stable ids, and a
  (re)connecting page gets everything newer than the last message it has: a reply
  produced while the page was offline is not lost, and nothing is shown twice;
- the page itself (web/dist, built by `make web`) is served at /chat/.
"""
from __future__ import annotations

import asyncio
import logging
import re
import uuid
import weakref
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.config import PROJECT_ROOT
from bot.personal.masking import mask_personal_data
from channels.webchat.history import chat_messages, has_message, messages_from

logger = logging.getLogger(__name__)

DEFAULT_DIST = PROJECT_ROOT / "web" / "dist"
MAX_MESSAGE_CHARS = 5000  # longer input is cut; the assistant then says it is too long
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
NOT_BUILT = ("<!doctype html><html lang=zh-CN><meta charset=utf-8><title>芜湖政务服务助手</title>"
             "<p>聊天页面尚未构建。请在项目目录运行 <code>make web</code>（或 <code>make run</code>）。</p></html>")


def _valid_id(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and _ID.match(value) else None


class WebChatInput(InputChannel):
    """socket.io at ``socketio_path``; the page at /chat/."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(socketio_path=credentials.get("socketio_path") or "/socket.io",
                   dist=Path(credentials.get("dist") or DEFAULT_DIST))

    def __init__(self, socketio_path: str = "/socket.io", dist: Path = DEFAULT_DIST) -> None:
        self.socketio_path = socketio_path
        self.dist = dist
        self.sio: Optional[AsyncServer] = None
        self._app: Optional[Sanic] = None
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()

    def url_prefix(self) -> Text:
        return "/chat"  # urljoin("/webhooks/", "/chat") == "/chat": the page lives at /chat/

    # -- tracker access -------------------------------------------------------------------
    async def _events(self, session_id: str) -> List[Dict[str, Any]]:
        agent = getattr(self._app.ctx, "agent", None) if self._app else None
        if agent is None or agent.tracker_store is None:
            return []
        tracker = await agent.tracker_store.retrieve(session_id)
        return [event.as_dict() for event in tracker.events] if tracker else []

    def _lock(self, session_id: str) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_id] = lock
        return lock

    # -- the blueprint --------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        self.sio = sio
        channel = self
        page = _AppCapturingBlueprint(self, sio, self.socketio_path, "webchat", __name__)

        @page.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                return response.redirect(request.path + "/")  # relative asset paths need it
            html = self.dist / "index.html"
            if not html.exists():
                return response.html(NOT_BUILT, status=503)
            return await response.file(str(html), mime_type="text/html; charset=utf-8",
                                       headers={"Cache-Control": "no-cache"})

        @page.route("/assets/<name:path>", methods=["GET"])
        async def asset(_: Request, name: str) -> HTTPResponse:
            root = (self.dist / "assets").resolve()
            path = (root / name).resolve()
            if root not in path.parents or not path.is_file():
                return response.text("not found", status=404)
            return await response.file(str(path), headers={"Cache-Control": "public, max-age=31536000, immutable"})

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = _valid_id(data.get("session_id")) or uuid.uuid4().hex
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)
            since = data.get("last_seen")
            since = float(since) if isinstance(since, (int, float)) else None
            history = chat_messages(await channel._events(session_id), since)
            await sio.emit("messages", {"messages": history}, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any) -> Dict[str, Any]:
            data = data if isinstance(data, dict) else {}
            session_id = _valid_id(data.get("session_id"))
            text = data.get("message")
            if session_id is None or not isinstance(text, str):
                return {"ok": False, "error": "bad_request"}
            client_id = _valid_id(data.get("client_id")) or uuid.uuid4().hex
            display = data.get("display")
            metadata = {"display": mask_personal_data(display[:200])} if isinstance(display, str) and display else {}
            await sio.enter_room(sid, session_id)
            async with channel._lock(session_id):
                if not has_message(await channel._events(session_id), client_id):
                    try:
                        await on_new_message(UserMessage(
                            text[:MAX_MESSAGE_CHARS], CollectingOutputChannel(), session_id,
                            input_channel=channel.name(), message_id=client_id, metadata=metadata))
                    except Exception:  # noqa: BLE001 - the page gets an error ack, the log the trace
                        logger.exception("web chat message failed")
                        return {"ok": False, "error": "server_error"}
                replies = messages_from(await channel._events(session_id), client_id)
            await sio.emit("messages", {"messages": replies}, room=session_id)
            return {"ok": True}

        return page


class _AppCapturingBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint, remembering the app so the channel can read trackers."""

    def __init__(self, channel: WebChatInput, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        self.ctx.channel._app = app
        super().register(app, options)

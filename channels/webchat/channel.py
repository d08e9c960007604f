"""The web chat channel: Rasa's socket.io transport, made reload-safe and owned by the server.

Differences from Rasa's built-in ``socketio`` channel, and why:
- the server makes the conversation id and gives the page only a signed token
  (tokens.py); a conversation is reached by its token, never by an id the page picks,
  so knowing an id reads nothing;
- the page sends a client id with every message; a message resent after a reconnect is
  recognised in the tracker (Rasa stores it as the event's ``message_id``) and not
  processed twice, also when it reaches another node of a cluster (resends.py);
- replies are read back from the tracker store and sent with stable ids, and a
  (re)connecting page gets everything newer than the last message it has;
- typed text is text: only a button the assistant offered may send a payload
  (channels/inbound_text.py); messages, connections and conversations per socket are
  limited (channels/limits.py); "清除记录" erases the conversation (clearing.py);
- the page (web/dist, built by `make web`), the widget loader, its state frame and the demo
  host pages are served at /chat/ (pages.py); only the allow-listed sites may frame the page
  and the state frame (embedding.py).

Protocol (socket.io events):
  page → ``session_request`` {token?, last_seen?}; server → ``session_confirm``
  {token, fresh} (fresh: a new, empty conversation) and ``messages`` {messages}.
  page → ``user_uttered`` {token, message, client_id, display?, payload?, opening?} (payload: a
  button tap; opening: an embedded page's {service?, topic?, entry?} with the first "/greet",
  opening.py) → ack {ok, error?}; replies go to the conversation's room as ``messages``,
  and so do staff messages of a 转人工 (``author`` "工作人员", handoff.py).
  server → ``cleared`` when the conversation was erased: the page forgets everything.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, Sanic
from socketio import AsyncServer

from bot.config import PROJECT_ROOT
from bot.personal.masking import mask_personal_data
from channels import handoff_delivery
from channels.client_address import TrustedProxies, is_loopback
from channels.conversations import Conversations
from channels.handoff_gate import HandoffGate
from channels.inbound_text import (
    OPENING_PAYLOAD,
    has_user_message,
    is_payload,
    offered_payloads,
    resident_text,
)
from channels.limits import TOO_FAST, ConnectionCounter, LimitSettings
from channels.shared_state import shared_state
from channels.webchat import clearing, opening
from channels.webchat.embedding import FrameAncestors
from channels.webchat.handoff import WebChatDeliverer
from channels.webchat.history import chat_messages, messages_from
from channels.webchat.pages import add_routes
from channels.webchat.resends import MessageClaims, handle_once
from channels.webchat.tokens import SessionTokens, load_secret, new_conversation_id

logger = logging.getLogger(__name__)

DEFAULT_DIST = PROJECT_ROOT / "web" / "dist"
MAX_FRAME_BYTES = 64 * 1024  # one socket.io message; HTTP bodies are capped by SANIC_REQUEST_MAX_SIZE
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _valid_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


#: Characters of a resident's own words shown back as their bubble (a tapped choice's label).
DISPLAY_CHARS = 200


def _shown(text: str) -> str:
    """Mask, then cut: cutting first could split a number and leave its head unmasked."""
    return mask_personal_data(text[: DISPLAY_CHARS * 2])[:DISPLAY_CHARS]


def _notice(role: str, text: str, client_id: str | None = None,
            buttons: list[dict[str, str]] | None = None, display: str | None = None) -> dict[str, Any]:
    """A message shown to this page only, not kept in the conversation (ids "notice-…")."""
    return {"id": f"notice-{uuid.uuid4().hex}", "role": role, "text": text, "ts": time.time(),
            "buttons": buttons or [], "custom": None, "client_id": client_id, "display": display}


class WebChatInput(InputChannel):
    """socket.io at ``socketio_path``; the page at /chat/."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(socketio_path=credentials.get("socketio_path") or "/socket.io",
                   dist=Path(credentials.get("dist") or DEFAULT_DIST))

    def __init__(self, socketio_path: str = "/socket.io", dist: Path = DEFAULT_DIST) -> None:
        self.socketio_path = socketio_path
        self.dist = dist
        self.sio: AsyncServer | None = None
        self.claims: MessageClaims | None = None  # set with the blueprint (None: one process)
        self.conversations = Conversations()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def url_prefix(self) -> str:
        return "/chat"  # urljoin("/webhooks/", "/chat") == "/chat": the page lives at /chat/

    def _lock(self, conversation: str) -> asyncio.Lock:
        lock = self._locks.get(conversation)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation] = lock
        return lock

    # -- the blueprint --------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # 转人工: channels/handoff_gate.py; a hand-back the gate says reaches the page through
        # the delivery loop (a turn shows from the resident's message on), handoff.py.
        on_new_message = HandoffGate(on_new_message, self.conversations, says_handback=False)
        tokens = SessionTokens(load_secret())
        ancestors = FrameAncestors.from_env()  # who may frame /chat/ (the widget); a bad list stops the start
        settings = LimitSettings.from_env()
        state = shared_state()  # Redis for a cluster: limits, and rooms every node can emit to
        limits = state.message_limits(settings, self.name())
        claims = self.claims = state.webchat_claims()  # None in one process
        proxies = TrustedProxies.from_env()
        sockets = ConnectionCounter(settings.sockets_per_ip)  # per node: a socket lives on one
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=MAX_FRAME_BYTES,
                          client_manager=state.socketio_manager())
        self.sio = sio
        channel = self
        page = _AppCapturingBlueprint(self, sio, self.socketio_path, "webchat", __name__)
        handoff_delivery.install(page, self.name(), lambda: WebChatDeliverer(channel))

        add_routes(page, self.dist, ancestors)

        def conversation_rooms(sid: str) -> list[str]:
            return [room for room in sio.rooms(sid) if room != sid]

        async def emit_notices(sid: str, *notices: dict[str, Any]) -> None:
            await sio.emit("messages", {"messages": list(notices)}, room=sid)

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            request = environ.get("sanic.request")
            peer = request.ip if request is not None else environ.get("REMOTE_ADDR", "")
            forwarded = ",".join(request.headers.getall("x-forwarded-for", [])) if request is not None else ""
            address = proxies.client(peer, forwarded)
            limited = not is_loopback(address)  # the machine itself: tests, a local proxy
            if limited and not sockets.acquire(address):
                logger.warning("web chat: connection refused, too many from one address")
                return False
            origin = request.headers.get("origin") if request is not None else None  # the page's own
            await sio.save_session(sid, {"address": address if limited else None, "clear": None,
                                         "origin": origin if isinstance(origin, str) else None})
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            session = await sio.get_session(sid)
            if session.get("address"):
                sockets.release(session["address"])

        # socket.io passes as many arguments as the client sent: none or several must get
        # an answer, not a TypeError (a missing ack leaves the page waiting).
        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None, *_extra: Any) -> None:
            data = data if isinstance(data, dict) else {}
            conversation = tokens.verify(data.get("token"))
            fresh = conversation is None
            conversation = conversation or new_conversation_id()
            for room in conversation_rooms(sid):
                await sio.leave_room(sid, room)
            await sio.enter_room(sid, conversation)
            async with sio.session(sid) as session:
                session["clear"] = None
            await sio.emit("session_confirm", {"token": tokens.issue(conversation), "fresh": fresh}, room=sid)
            since = data.get("last_seen")
            since = float(since) if isinstance(since, (int, float)) else None
            history = [] if fresh else chat_messages(await channel.conversations.events(conversation), since)
            await sio.emit("messages", {"messages": history}, room=sid)

        async def clear_dialog(sid: str, session: dict[str, Any], conversation: str, text: str,
                               client_id: str, display: str | None) -> dict[str, Any] | None:
            """The ack if the message belongs to the 清除记录 dialog, else None."""
            echo = _notice("user", text, client_id=client_id, display=display)
            if clearing.asks_to_clear(text):
                async with sio.session(sid) as stored:
                    stored["clear"] = conversation
                await emit_notices(sid, echo, _notice("bot", clearing.CONFIRM, buttons=clearing.CONFIRM_BUTTONS))
                return {"ok": True}
            if session.get("clear") != conversation:
                return None
            async with sio.session(sid) as stored:
                stored["clear"] = None
            decision = clearing.answer(text)
            if decision is None:
                return None
            if not decision:
                await emit_notices(sid, echo, _notice("bot", clearing.DECLINED))
                return {"ok": True}
            try:
                await channel.conversations.erase(conversation)
            except Exception:
                logger.exception("web chat: erasing a conversation failed")
                await emit_notices(sid, echo, _notice("bot", clearing.FAILED))
                return {"ok": True}
            await sio.emit("cleared", {}, room=conversation)
            await sio.close_room(conversation)
            return {"ok": True, "cleared": True}

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any = None, *_extra: Any) -> dict[str, Any]:
            data = data if isinstance(data, dict) else {}
            text = data.get("message")
            if not isinstance(text, str):
                return {"ok": False, "error": "bad_request"}
            conversation = tokens.verify(data.get("token"))
            if conversation is None:
                return {"ok": False, "error": "bad_session"}
            session = await sio.get_session(sid)
            if conversation not in conversation_rooms(sid):
                if len(conversation_rooms(sid)) >= settings.rooms_per_socket:
                    return {"ok": False, "error": "too_many_conversations"}
                await sio.enter_room(sid, conversation)
            client_id = _valid_id(data.get("client_id")) or uuid.uuid4().hex
            display = data.get("display")
            display = _shown(display) if isinstance(display, str) and display else None
            if not await limits.allow(conversation, session.get("address")):
                await emit_notices(sid, _notice("bot", TOO_FAST))
                return {"ok": False, "error": "rate_limited"}
            async def process(events: list[dict[str, Any]]) -> dict[str, Any] | None:
                """The message is new: 清除记录's dialog, or the assistant (None: answered)."""
                nonlocal display
                ack = await clear_dialog(sid, session, conversation, text, client_id, display)
                if ack is not None:
                    return ack
                tapped = data.get("payload") is True
                opens = tapped and not has_user_message(events)
                said = resident_text(text, offered=offered_payloads(events) if tapped else (), opening_allowed=opens)
                if display is None and is_payload(text) and not is_payload(said):
                    display = _shown(text.strip())  # show what was typed
                metadata = {"display": display} if display else {}
                if opens and said == OPENING_PAYLOAD:  # an embedded page's service and host page
                    agent = channel.conversations.agent()
                    start = await opening.opening(data.get("opening"), said, ancestors=ancestors,
                                                  self_origin=session.get("origin"),
                                                  intents=agent.domain.intents if agent is not None else ())
                    said, metadata = start.text, {**metadata, **start.metadata}
                try:
                    await on_new_message(UserMessage(
                        said, CollectingOutputChannel(), conversation, input_channel=channel.name(),
                        message_id=client_id, metadata=metadata))
                except Exception:
                    logger.exception("web chat message failed")
                    return {"ok": False, "error": "server_error"}
                return None

            async with channel._lock(conversation):
                # A resend is recognised in the tracker, and across nodes by a claim in Redis.
                handled = await handle_once(conversation, client_id, channel.conversations.events, process,
                                            claims)
            if handled.ack is not None:
                return handled.ack
            await sio.emit("messages", {"messages": messages_from(handled.events, client_id)}, room=conversation)
            return {"ok": True}

        return page


class _AppCapturingBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint, remembering the app so the channel can read trackers."""

    def __init__(self, channel: WebChatInput, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.channel.conversations.attach(app)
        super().register(app, options)

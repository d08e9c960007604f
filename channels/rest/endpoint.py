"""The REST webhook's rules, apart from Sanic and Rasa so each can be tested on its own.

Who may call: programs on this machine (loopback, as before: tools, tests, benchmarks),
and anyone else only with ``Authorization: Bearer <REST_TOKEN>``; everything else gets 401
and nothing is processed. Behind a trusted proxy the forwarded client address counts
(channels/client_address.py).

Whose conversation: the body's ``sender`` in its own namespace, "rest:<sender>", so a
REST caller can never address a web ("web:…") or WeChat ("wechat:…") conversation. No
sender is a 400, never a shared "default" conversation.

What is said: text; a "/payload" only if the latest bot message offered it as a button
(channels/inbound_text.py). Non-loopback callers pass the rate limits (429 when over).
"""
from __future__ import annotations

import hmac
import logging
import math
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from channels.client_address import TrustedProxies, is_loopback
from channels.inbound_text import cut, is_payload, offered_payloads, resident_text
from channels.limits import TOO_FAST, MessageLimits

logger = logging.getLogger(__name__)

NAMESPACE = "rest:"
MAX_SENDER_CHARS = 128
MIN_TOKEN_CHARS = 16

Events = Callable[[str], Awaitable[list[dict[str, Any]]]]
Assistant = Callable[[str, str], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class RestReply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def conversation_id(sender: str) -> str:
    """The tracker's id for a REST sender: always inside the "rest:" namespace."""
    return NAMESPACE + sender


def load_token(env: Mapping[str, str] | None = None, configured: str | None = None,
               token_file: str | None = None) -> str | None:
    """REST_TOKEN (or the credentials' ``token``), else the file REST_TOKEN_FILE names."""
    env = os.environ if env is None else env
    token = (configured or env.get("REST_TOKEN") or "").strip()
    path = token_file or env.get("REST_TOKEN_FILE")
    if not token and path:
        token = Path(path).read_text(encoding="utf-8").strip()
    if token and len(token) < MIN_TOKEN_CHARS:
        raise ValueError(f"the REST token must be at least {MIN_TOKEN_CHARS} characters")
    return token or None


def _bearer_matches(authorization: str | None, token: str | None) -> bool:
    if not token or not authorization:
        return False
    scheme, _, presented = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())


class RestEndpoint:
    def __init__(self, *, token: str | None, proxies: TrustedProxies, limits: MessageLimits,
                 events: Events, assistant: Assistant) -> None:
        self.token = token
        self.proxies = proxies
        self.limits = limits
        self.events = events
        self.assistant = assistant

    async def handle(self, *, peer: str, forwarded_for: str | None, authorization: str | None,
                     body: Any) -> RestReply:
        address = self.proxies.client(peer, forwarded_for)
        local = is_loopback(address)
        if not local and not _bearer_matches(authorization, self.token):
            return RestReply(401, {"error": "unauthorized"}, {"WWW-Authenticate": 'Bearer realm="rest"'})
        if not isinstance(body, dict):
            return RestReply(400, {"error": "the body must be a JSON object"})
        sender, message = body.get("sender"), body.get("message")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            return RestReply(400, {"error": f"sender is required (1 to {MAX_SENDER_CHARS} characters)"})
        if not isinstance(message, str):
            return RestReply(400, {"error": "message is required (a string)"})
        conversation = conversation_id(sender)
        if not local and not await self.limits.allow(conversation, address):
            wait = await self.limits.retry_after(conversation, address)
            headers = {"Retry-After": str(max(1, math.ceil(wait)))} if math.isfinite(wait) else {}
            return RestReply(429, [{"recipient_id": sender, "text": TOO_FAST}], headers)
        if is_payload(message):
            text = resident_text(message, offered=offered_payloads(await self.events(conversation)))
        else:
            text = cut(message)
        try:
            replies = await self.assistant(conversation, text)
        except Exception:
            logger.exception("REST message failed")
            return RestReply(500, {"error": "server_error"})
        return RestReply(200, [{**reply, "recipient_id": sender} for reply in replies])

"""Customer-service messages: sent in order in the background, failures kept for the resident.

Used for the later parts of a long reply and for replies that missed WeChat's 5-second
deadline. A part that cannot be sent (API down, no credentials, the resident's 48-hour
window closed) stops the sequence; it and the parts after it go to the missed-parts store
(missed.py: memory, or Redis in a cluster), so the next reply can say so and "再说一遍"
can offer them, on whichever node the resident's next message reaches.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from channels.wechat.identity import masked
from channels.wechat.layout import ReplyPlan
from channels.wechat.missed import MissedStore

logger = logging.getLogger(__name__)

#: openid, text → delivered through the customer-service API. Blocking.
Sender = Callable[[str, str], Any]


class Outbox:
    def __init__(self, send_text: Sender | None, missed: MissedStore) -> None:
        self._send_text = send_text
        self._missed = missed
        self._background: set[asyncio.Task] = set()

    async def send(self, openid: str, parts: list[str], delay_s: float = 0.0) -> None:
        """Queue ``parts``; ``delay_s`` lets WeChat show the passive reply first."""
        if self._send_text is None:
            await self._keep_unsendable(openid, parts)  # at once: the resident may already be typing
            return
        self._spawn(self._deliver(openid, parts, delay_s))

    def send_when_ready(self, openid: str, plan: asyncio.Future[ReplyPlan]) -> None:
        """The whole reply, once it exists (the passive reply was missed)."""
        async def later() -> None:
            await self._deliver(openid, (await plan).parts)

        self._spawn(later())

    async def drain(self) -> None:
        """Wait for queued deliveries (shutdown and tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def _keep_unsendable(self, openid: str, parts: list[str]) -> None:
        logger.error("WeChat reply to %s not sent (no WECHAT_APPID/WECHAT_APPSECRET for the "
                     "customer-service API); %d part(s) kept for the resident", masked(openid), len(parts))
        await self._missed.add(openid, parts)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _deliver(self, openid: str, parts: list[str], delay_s: float = 0.0) -> None:
        await asyncio.sleep(delay_s)
        if self._send_text is None:
            await self._keep_unsendable(openid, parts)
            return
        for index, part in enumerate(parts):
            try:
                await asyncio.to_thread(self._send_text, openid, part)
            except Exception as exc:  # kept for the resident, who is told next time
                logger.error("customer-service message to %s failed: %s; %d part(s) kept for the resident",
                             masked(openid), exc, len(parts) - index)
                await self._missed.add(openid, parts[index:])
                return

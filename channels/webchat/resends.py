"""A message resent after a reconnect is processed once, whichever node it reaches.

The page keeps a message in its outbox until it is acknowledged and sends it again, with
the same client id, after every reconnect. The tracker records each processed message
under that id (``message_id``), so a resend that finds it there gets the replies already
given. In one process the channel's per-conversation lock makes "look, then process"
atomic. In a cluster the resend can reach another node while the first still processes
it, and no local lock sees that: the node that processes a message first claims it in
Redis (redis_claims.py: SET NX with a TTL), and a node that finds it claimed waits for the
tracker to show it, then answers with its replies.

A claim is kept after the message reached the assistant (the tracker holds it from then
on) and released when it did not (an error, or 清除记录's dialog, which is not stored):
then a resend is handled again, as in one process.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from channels.webchat.history import has_message

logger = logging.getLogger(__name__)

Ack = dict[str, Any]
Events = list[dict[str, Any]]
#: conversation id → its tracker events.
ReadEvents = Callable[[str], Awaitable[Events]]
#: Processes the message, given the conversation's events: None when it went to the
#: assistant (so it is in the tracker now), else the ack to answer with (a notice, an error).
Process = Callable[[Events], Awaitable[Ack | None]]

#: How long a node waits for another to finish the message before answering "busy"
#: (the page marks it unsent; the other node's replies, when they come, mark it sent).
WAIT_S = 30.0
FIRST_POLL_S = 0.05
MAX_POLL_S = 0.5
BUSY: Ack = {"ok": False, "error": "busy"}


class MessageClaims(Protocol):
    """Which node processes a message, for all nodes of a cluster."""

    async def claim(self, conversation: str, client_id: str) -> bool:
        """True when no node holds the message: this node processes it."""

    async def release(self, conversation: str, client_id: str) -> None:
        """Let a resend be processed again (this node's processing left nothing stored)."""


@dataclass(frozen=True)
class Handled:
    #: None: the message is in the tracker and ``events`` hold its replies; else the ack.
    ack: Ack | None
    events: Events


async def handle_once(conversation: str, client_id: str, read: ReadEvents, process: Process,
                      claims: MessageClaims | None = None, wait_s: float = WAIT_S) -> Handled:
    """Process the message unless the tracker has it or another node is processing it.

    The caller holds its per-conversation lock. ``claims`` None: one process, the lock is
    enough.
    """
    events = await read(conversation)
    if has_message(events, client_id):
        return Handled(None, events)
    if claims is not None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        pause = FIRST_POLL_S
        while not await claims.claim(conversation, client_id):
            # Another node has it: its replies appear in the tracker, or it gives the
            # message up (released, or its claim expired with it) and this node takes over.
            remaining = deadline - loop.time()
            if remaining <= 0:
                logger.warning("web chat: a resent message is still being processed on another node")
                return Handled(BUSY, events)
            await asyncio.sleep(min(pause, remaining))
            pause = min(pause * 2, MAX_POLL_S)
            events = await read(conversation)
            if has_message(events, client_id):
                return Handled(None, events)
    try:
        ack = await process(events)
    except BaseException:
        if claims is not None:
            await claims.release(conversation, client_id)
        raise
    if ack is not None:
        if claims is not None:
            await claims.release(conversation, client_id)
        return Handled(ack, events)
    return Handled(None, await read(conversation))

"""Staff messages of a 转人工 delivered through the resident's own channel, from the Rasa server.

The staff console (another process) only writes rows (bot/handoff/service.py reply and
close); this loop, one per Rasa process, finds them (bot/handoff/outbox.py: one indexed
query every ``GOV_HANDOFF_POLL_S`` seconds, 0.2 by default, and again at once whenever a
delivery ends), claims what it found in one transaction, and hands each message, up to
``GOV_HANDOFF_DELIVERY_CONCURRENCY`` (16) at once, to the deliverer of its request's channel:

- an agent's reply is first appended to the conversation's tracker as a bot utterance
  marked as a staff message (channels/staff_replies.py), under Rasa's conversation lock
  and once only; then
- web chat (channels/webchat/handoff.py): pushed to the conversation's socket.io room
  with the id the history gives that tracker event, so a page that reconnects neither
  misses nor doubles it;
- WeChat (channels/wechat/handoff.py): the customer-service API, within WeChat's 48 hours
  and 5 messages per resident message, long texts split as the channel's replies are;
- REST (:class:`TrackerOnly`): the tracker is the delivery; integrators poll Rasa's
  ``GET /conversations/<id>/tracker`` (admin token) for bot events whose metadata has
  ``handoff`` (``{"message_id": …, "agent": "工作人员"}``).

The hand-back message (close) is in the tracker already (bot/handoff/handback.py, or the
gate): it is only shown on the web chat and sent on WeChat, never appended again.

Each channel's blueprint calls :func:`install`; the first to start creates the loop on
the Sanic app, every one adds its deliverer, and the loop stops with the server. Nodes of
a cluster each run one: the claim in the database gives every message to one of them.
Logs name message and request ids and reason codes, never a message's text.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from sanic import Blueprint, Sanic
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from bot.db import session_factory
from bot.handoff import outbox
from bot.handoff.outbox import AGENT, Claimed, Due
from bot.handoff.statuses import HandoffStatus
from channels.conversations import Conversations
from channels.staff_replies import Check, append_staff_reply

logger = logging.getLogger(__name__)


class Undeliverable(Exception):
    """The message can never reach the resident this way; ``reason`` is kept, e.g. "wechat:45015"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TryLater(Exception):
    """Not now (channel unreachable, no model loaded); tried again after a backoff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Deliverer(Protocol):
    async def deliver(self, message: Claimed) -> None:
        """Bring ``message`` to the resident; raise Undeliverable or TryLater when it cannot."""


async def into_tracker(conversations: Conversations, message: Claimed, check: Check | None = None
                       ) -> dict[str, Any]:
    """Append an agent's message to its conversation (once); the tracker event as a dict."""
    agent = conversations.agent()
    if agent is None:
        raise TryLater("rasa:no_model")
    return await append_staff_reply(agent, message.conversation_id, message.message_id, message.text, check)


class TrackerOnly:
    """REST: the tracker is where integrators read staff replies; nothing is pushed."""

    def __init__(self, conversations: Conversations) -> None:
        self._conversations = conversations

    async def deliver(self, message: Claimed) -> None:
        if message.direction == AGENT:
            await into_tracker(self._conversations, message)


@dataclass(frozen=True)
class DeliverySettings:
    #: Seconds between polls of the database when nothing was due.
    poll_s: float = 0.2
    #: Messages delivered at once by one node (one per request: a request's are in order).
    concurrency: int = 16
    #: Seconds a stopping server waits for deliveries under way (their claims expire otherwise).
    stop_grace_s: float = 10.0
    #: Threads of the loop's own for the database (SQLite takes one writer at a time anyway).
    db_threads: int = 2
    max_attempts: int = outbox.MAX_ATTEMPTS
    #: A delivery taking longer is abandoned and tried again later (well inside the claim's lease,
    #: so no other node takes the message while this one may still be sending it).
    deliver_timeout_s: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DeliverySettings:
        env = os.environ if env is None else env
        return cls(poll_s=max(float(env.get("GOV_HANDOFF_POLL_S") or cls.poll_s), 0.01),
                   concurrency=max(int(env.get("GOV_HANDOFF_DELIVERY_CONCURRENCY") or cls.concurrency), 1))


def default_sessions() -> sessionmaker:
    return session_factory(get_settings().database_url)


class DeliveryLoop:
    def __init__(self, sessions: Callable[[], sessionmaker] | None = None,
                 settings: DeliverySettings | None = None) -> None:
        self._sessions = sessions or default_sessions
        self.settings = settings or DeliverySettings.from_env()
        self.deliverers: dict[str, Deliverer] = {}
        self._busy: set[int] = set()  # requests with a delivery under way on this node
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None  # set when a delivery ends: poll again at once
        self._runner: asyncio.Task[None] | None = None
        # The loop's own database threads: polls and claims neither wait behind nor hold up
        # the worker threads the channels share (the gate's queries, WeChat's API calls).
        self._executor = ThreadPoolExecutor(max_workers=self.settings.db_threads,
                                            thread_name_prefix="handoff-delivery")

    def add(self, channel: str, deliverer: Deliverer) -> None:
        self.deliverers[channel] = deliverer

    async def _db(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor,
                                                                lambda: fn(self._sessions(), **kwargs))

    # -- running ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._runner is None:
            self._stopping, self._wake = asyncio.Event(), asyncio.Event()
            self._runner = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop polling, let deliveries under way finish (for up to ``stop_grace_s``)."""
        if self._runner is None or self._stopping is None:
            return
        self._stopping.set()
        await self._runner
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.settings.stop_grace_s)
        for task in list(self._tasks):
            task.cancel()  # its claim runs out and another node (or the next start) delivers it
        self._runner = None
        self._executor.shutdown(wait=False)

    async def _run(self) -> None:
        assert self._stopping is not None and self._wake is not None
        logger.info("hand-off delivery on (%s), polling every %.2f s",
                    ", ".join(sorted(self.deliverers)) or "no channel yet", self.settings.poll_s)
        while not self._stopping.is_set():
            try:
                await self.poll()
            except SQLAlchemyError as error:
                logger.warning("hand-off delivery: database unavailable (%s)", type(error).__name__)
            except Exception:  # the loop must outlive any one failure
                logger.exception("hand-off delivery: poll failed")
            await self._pause(self._stopping, self._wake)

    async def _pause(self, stopping: asyncio.Event, wake: asyncio.Event) -> None:
        """Until the next poll: ``poll_s``, or sooner when a delivery ends (there may be more
        of a burst, or the request's next message) or the server stops."""
        waits = [asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(wake.wait())]
        await asyncio.wait(waits, timeout=self.settings.poll_s, return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()
        wake.clear()

    async def poll(self) -> int:
        """Claim what is due now and start delivering it (one query, one claiming transaction);
        how many were started."""
        room = self.settings.concurrency - len(self._tasks)
        if room <= 0 or not self.deliverers:
            return 0
        found: list[Due] = await self._db(outbox.due, channels=tuple(self.deliverers),
                                          limit=room + len(self._busy))
        wanted = [due.message_id for due in found if due.request_id not in self._busy][:room]
        if not wanted:
            return 0
        claimed: list[Claimed] = await self._db(outbox.claim_many, message_ids=wanted)
        for message in claimed:  # the others: another node has them, or an older one goes first
            self._busy.add(message.request_id)
            task = asyncio.ensure_future(self._deliver(message))
            self._tasks.add(task)
            task.add_done_callback(partial(self._done, message.request_id))
        return len(claimed)

    def _done(self, request_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._busy.discard(request_id)
        if self._wake is not None:
            self._wake.set()

    async def drain(self) -> None:
        """Wait for deliveries under way (tests and benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- one message -----------------------------------------------------------------------
    async def _deliver(self, message: Claimed) -> None:
        try:
            await self._settle(message, await self._attempt(message))
        except SQLAlchemyError as error:  # the claim runs out; the message is tried again then
            logger.warning("hand-off message %d: outcome not stored (%s)", message.message_id, type(error).__name__)

    async def _attempt(self, message: Claimed) -> Exception | None:
        """None when delivered, else the Undeliverable or TryLater that says why not."""
        deliverer = self.deliverers.get(message.channel)
        if deliverer is None:
            return TryLater(f"{message.channel}:no_channel")
        if message.direction == AGENT and message.request_status == HandoffStatus.CANCELLED.value:
            # Withdrawn (清除记录 erased the conversation): writing it would bring the tracker back.
            return Undeliverable("withdrawn")
        try:
            await asyncio.wait_for(deliverer.deliver(message), self.settings.deliver_timeout_s)
        except (Undeliverable, TryLater) as outcome:
            return outcome
        except asyncio.TimeoutError:
            logger.warning("hand-off message %d via %s: no answer in %.0f s", message.message_id, message.channel,
                           self.settings.deliver_timeout_s)
            return TryLater(f"{message.channel}:timeout")
        except Exception as error:
            logger.warning("hand-off message %d via %s failed: %s", message.message_id, message.channel,
                           type(error).__name__, exc_info=True)
            return TryLater(f"{message.channel}:error")
        return None

    async def _settle(self, message: Claimed, outcome: Exception | None) -> None:
        ids = (message.message_id, message.request_id, message.channel, message.attempt)
        if outcome is None:
            kept = await self._db(outbox.delivered, message_id=message.message_id, attempt=message.attempt)
            logger.info("hand-off message %d (request %d) delivered via %s, attempt %d", *ids)
        elif isinstance(outcome, Undeliverable):
            kept = await self._db(outbox.failed, message_id=message.message_id, attempt=message.attempt,
                                  reason=outcome.reason)
            logger.warning("hand-off message %d (request %d) via %s, attempt %d: not deliverable (%s)",
                           *ids, outcome.reason)
        else:
            reason = outcome.reason if isinstance(outcome, TryLater) else f"{message.channel}:error"
            result = await self._db(outbox.retry_later, message_id=message.message_id, attempt=message.attempt,
                                    reason=reason, max_attempts=self.settings.max_attempts)
            kept = result != "lost"
            logger.warning("hand-off message %d (request %d) via %s, attempt %d: %s (%s)", *ids,
                           "given up" if result == "failed" else "will be tried again", reason)
        if not kept:
            logger.warning("hand-off message %d: claimed by another node meanwhile", message.message_id)


def install(blueprint: Blueprint, channel: str, deliverer: Callable[[], Deliverer],
            loop_factory: Callable[[], DeliveryLoop] = DeliveryLoop) -> None:
    """Deliver ``channel``'s staff messages from the server this blueprint is served by."""

    @blueprint.listener("after_server_start")
    async def start_handoff_delivery(app: Sanic, _loop: Any) -> None:
        loop = getattr(app.ctx, "handoff_delivery", None)
        if loop is None:
            loop = app.ctx.handoff_delivery = loop_factory()
            loop.start()
        loop.add(channel, deliverer())

    @blueprint.listener("before_server_stop")
    async def stop_handoff_delivery(app: Sanic, _loop: Any) -> None:
        loop = getattr(app.ctx, "handoff_delivery", None)
        if loop is not None:
            await loop.stop()

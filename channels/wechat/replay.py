"""One processing per WeChat message, however often WeChat retries it.

WeChat retries a message up to three times when it has no answer within 5 s. A retry
joins the first attempt's work: it gets the same passive reply, or "success" once the
reply has been handed to the customer-service API. An identical request arriving after
its turn was forgotten is a replay, not a retry (nonces.py tells the endpoint so).

:class:`ReplayCache` serves one process. In a cluster a retry can land on another node,
which has no future to join: :class:`SharedTurns` lets the first node claim the message
and publish how it answered, so the other node answers the same without running the turn
(channels/wechat/redis_turns.py; the endpoint uses both).
"""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from channels.wechat.layout import ReplyPlan


@dataclass
class Turn:
    task: asyncio.Future[ReplyPlan]
    started: float
    handed_over: bool = False  # the whole reply goes through the customer-service API
    followups_sent: bool = False  # chunks after the passive reply were queued


class ReplayCache:
    """Turns by message key, forgotten after ``window_s`` or beyond ``max_entries``."""

    def __init__(self, window_s: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._window_s = window_s
        self._max_entries = max_entries
        self._clock = clock
        self._turns: OrderedDict[str, Turn] = OrderedDict()

    def __len__(self) -> int:
        return len(self._turns)

    def _forget_old(self, now: float) -> None:
        while self._turns:
            key, turn = next(iter(self._turns.items()))
            if now - turn.started <= self._window_s and len(self._turns) <= self._max_entries:
                break
            self._turns.popitem(last=False)

    def get(self, key: str) -> Turn | None:
        """The remembered turn for ``key``, if any."""
        self._forget_old(self._clock())
        return self._turns.get(key)

    def claim(self, key: str, start: Callable[[], Awaitable[ReplyPlan]]) -> tuple[Turn, bool]:
        """The turn for ``key`` and whether this call started it."""
        now = self._clock()
        self._forget_old(now)
        turn = self._turns.get(key)
        if turn is not None:
            return turn, False
        turn = Turn(asyncio.ensure_future(start()), now)
        self._turns[key] = turn
        return turn, True


@dataclass(frozen=True)
class Settled:
    """How the node that ran a turn answered it."""

    #: The plan whose passive reply went back to WeChat (its later parts are already queued
    #: by that node), or None: the whole reply goes through the customer-service API.
    plan: ReplyPlan | None


class SharedTurns(Protocol):
    """Which node runs a message's turn, and how it answered, for all nodes of a cluster."""

    async def claim(self, key: str) -> bool:
        """True when no node has seen ``key`` within the window: this node runs the turn."""

    async def known(self, key: str, wait_s: float = 0.0) -> bool:
        """Whether any node remembers ``key`` (a retry, not a replay), waiting up to ``wait_s``
        for it to appear: another node may have recorded the request's nonce and not yet
        claimed its turn."""

    async def settle(self, key: str, plan: ReplyPlan | None) -> None:
        """Record how this node answered the turn it claimed (``None``: handed over)."""

    async def outcome(self, key: str, timeout_s: float) -> Settled | None:
        """Wait up to ``timeout_s`` for another node's answer; None when none comes (that
        node is still working or died) or the key was forgotten."""

"""One processing per WeChat message, however often WeChat retries it.

WeChat retries a message up to three times when it has no answer within 5 s. A retry
joins the first attempt's work: it gets the same passive reply, or "success" once the
reply has been handed to the customer-service API. An identical request arriving after
its turn was forgotten is a replay, not a retry (nonces.py tells the endpoint so).
"""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

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

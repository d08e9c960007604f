"""Parts of replies the customer-service API could not deliver, kept for the resident.

WeChat gives the channel no other way to reach a resident: when a later part fails, the
next reply says so (once) and "再说一遍" sends the kept parts as a passive reply, which
cannot fail the same way. Kept per openid, bounded, forgotten after a while or once the
resident has moved on.

One process keeps them in memory (:class:`MissedParts`, 24 hours). In a cluster the next
message may reach another node, so they live in Redis (redis_missed.py, chosen by
channels/shared_state.py) for a shorter time: they are parts of a reply, masked like
everything the assistant says, but Redis is a shared service outside the application
database, and a resident who comes back later can simply ask again.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

#: How long undelivered parts are offered (a resident may read the notice hours later).
KEEP_S = 24 * 3600.0
#: At most this many parts per resident (the newest are kept).
MAX_PARTS = 10


class MissedStore(Protocol):
    """What did not arrive, by openid, wherever it is kept."""

    async def add(self, openid: str, parts: list[str]) -> None:
        """Keep ``parts`` (after any kept before, at most :data:`MAX_PARTS`); the resident is
        to be told again."""

    async def take(self, openid: str) -> list[str]:
        """The kept parts, forgotten here (they are being sent again); empty when none."""

    async def notice_due(self, openid: str) -> bool:
        """Whether this turn's reply should mention the missed parts.

        True on the first message after a failure; on the one after that the resident has
        moved on without asking, and the parts are forgotten.
        """


@dataclass
class Missed:
    parts: list[str]
    at: float
    noticed: bool = False  # the resident has been told once


class MissedParts:
    """A :class:`MissedStore` in this process's memory."""

    def __init__(self, keep_s: float = KEEP_S, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._keep_s = keep_s
        self._max_entries = max_entries
        self._clock = clock
        self._missed: OrderedDict[str, Missed] = OrderedDict()

    def __len__(self) -> int:
        return len(self._missed)

    async def add(self, openid: str, parts: list[str]) -> None:
        if not parts:
            return
        now = self._clock()
        earlier = self.get(openid)
        kept = (earlier.parts if earlier else []) + list(parts)
        self._missed[openid] = Missed(kept[-MAX_PARTS:], now)
        self._missed.move_to_end(openid)
        while len(self._missed) > self._max_entries:
            self._missed.popitem(last=False)

    def get(self, openid: str) -> Missed | None:
        missed = self._missed.get(openid)
        if missed is not None and self._clock() - missed.at > self._keep_s:
            del self._missed[openid]
            return None
        return missed

    async def take(self, openid: str) -> list[str]:
        missed = self.get(openid)
        self._missed.pop(openid, None)
        return missed.parts if missed else []

    async def notice_due(self, openid: str) -> bool:
        missed = self.get(openid)
        if missed is None:
            return False
        if missed.noticed:
            del self._missed[openid]
            return False
        missed.noticed = True
        return True

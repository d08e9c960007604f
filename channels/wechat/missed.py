"""Parts of replies the customer-service API could not deliver, kept for the resident.

WeChat gives the channel no other way to reach a resident: when a later part fails, the
next reply says so (once) and "再说一遍" sends the kept parts as a passive reply, which
cannot fail the same way. Kept in memory per openid, bounded, forgotten after a while or
once the resident has moved on.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

#: How long undelivered parts are offered (a resident may read the notice hours later).
KEEP_S = 24 * 3600.0
#: At most this many parts per resident (the newest are kept).
MAX_PARTS = 10


@dataclass
class Missed:
    parts: list[str]
    at: float
    noticed: bool = False  # the resident has been told once


class MissedParts:
    """What did not arrive, by openid."""

    def __init__(self, keep_s: float = KEEP_S, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._keep_s = keep_s
        self._max_entries = max_entries
        self._clock = clock
        self._missed: OrderedDict[str, Missed] = OrderedDict()

    def __len__(self) -> int:
        return len(self._missed)

    def add(self, openid: str, parts: list[str]) -> None:
        """Keep ``parts`` (after any kept before); the resident is to be told again."""
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

    def take(self, openid: str) -> list[str]:
        """The kept parts, forgotten here (they are being sent again)."""
        missed = self.get(openid)
        self._missed.pop(openid, None)
        return missed.parts if missed else []

    def notice_due(self, openid: str) -> bool:
        """Whether this turn's reply should mention the missed parts.

        True on the first message after a failure; on the one after that the resident has
        moved on without asking, and the parts are forgotten.
        """
        missed = self.get(openid)
        if missed is None:
            return False
        if missed.noticed:
            del self._missed[openid]
            return False
        missed.noticed = True
        return True

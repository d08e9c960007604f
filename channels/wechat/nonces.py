"""Each signed (timestamp, nonce) carries one message only.

WeChat's URL signature covers the token, timestamp and nonce but not the body, so a
captured request could be sent again within the 5-minute freshness window with another
body. The channel remembers a fingerprint of the message each pair came with until the
pair goes stale: the same message again (WeChat retrying) passes, another one is refused.

The store is behind :class:`NonceStore` so that several Rasa instances can share one
(redis_nonces.py: ``SET gov:wechat:nonce:<key> <fingerprint> NX EXAT <expires_at>``, and
the stored value when the key existed); :class:`MemoryNonceStore` serves one process.
"""
from __future__ import annotations

import enum
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol


class NonceStore(Protocol):
    async def remember(self, key: str, fingerprint: str, expires_at: float) -> str | None:
        """Store ``fingerprint`` under ``key`` unless a live entry exists; return that entry's
        fingerprint, or None when this call stored it. ``expires_at`` is Unix time."""


class MemoryNonceStore:
    """In-process store: entries expire, and beyond ``max_entries`` the oldest are dropped.

    Dropping early only reopens a pair to replay, and filling the store takes validly
    signed requests, which only WeChat (or whoever has the token) can make.
    """

    def __init__(self, max_entries: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _forget_expired(self, now: float) -> None:
        while self._entries:
            _, expires_at = next(iter(self._entries.values()))
            if expires_at > now and len(self._entries) <= self._max_entries:
                break
            self._entries.popitem(last=False)

    async def remember(self, key: str, fingerprint: str, expires_at: float) -> str | None:
        now = self._clock()
        known = self._entries.get(key)
        if known is not None and known[1] > now:
            return known[0]
        self._entries[key] = (fingerprint, expires_at)
        self._entries.move_to_end(key)
        self._forget_expired(now)
        return None


class NonceUse(enum.Enum):
    NEW = "new"
    REPEAT = "repeat"  # the same message with the same pair: WeChat's retry, or a replay
    CONFLICT = "conflict"  # another message with a pair already used: refused


async def check_nonce(store: NonceStore, timestamp: str, nonce: str, message: bytes,
                      max_skew_s: float) -> NonceUse:
    """Record the pair with ``message`` (the plaintext XML) for as long as it is fresh."""
    fingerprint = hashlib.sha256(message).hexdigest()
    expires_at = int(timestamp) + max_skew_s + 1  # the caller has checked it is a fresh integer
    known = await store.remember(f"{timestamp}:{nonce}", fingerprint, expires_at)
    if known is None:
        return NonceUse.NEW
    return NonceUse.REPEAT if known == fingerprint else NonceUse.CONFLICT

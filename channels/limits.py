"""Abuse limits for the resident channels: rate limits, connection caps, input length.

One resident typing fast, or one address flooding the server, must not slow down every
other resident. Limits are token buckets keyed by conversation or by client address.
One process keeps them in memory (:class:`MemoryTokenBuckets`); a cluster of Rasa
processes shares them in Redis (channels/redis_limits.py, chosen by
channels/shared_state.py), so a resident's budget does not multiply with the nodes.
:class:`MessageLimits` asks either through :class:`AsyncRateLimiter`. A refused message
gets a polite reply (web chat) or 429 (REST), never an error page.

Open web chat connections per address (:class:`ConnectionCounter`) stay per process even
in a cluster: a socket lives on one node, which alone sees it close (a shared count would
leak whenever a node dies with sockets open), so the cap holds per node and the load
balancer caps the total.

Settings come from the environment (defaults in brackets):
  LIMIT_CONVERSATION_BURST [10]  messages one conversation may send at once
  LIMIT_CONVERSATION_PER_MIN [30]  sustained messages per minute per conversation
  LIMIT_IP_BURST [60], LIMIT_IP_PER_MIN [120]  the same per client address
  LIMIT_SOCKETS_PER_IP [20]  open web chat connections per client address
  LIMIT_ROOMS_PER_SOCKET [2]  conversations one web chat connection may join
"""
from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

#: The resident-facing answer to a refused message.
TOO_FAST = "您发得太快了，请稍后再试。"


class RateLimiter(Protocol):
    """Decides whether one more event for ``key`` is allowed now (no I/O: in this process)."""

    def allow(self, key: str) -> bool:
        ...

    def retry_after(self, key: str) -> float:
        """Seconds until ``allow(key)`` would succeed (0 when it would now)."""
        ...


class AsyncRateLimiter(Protocol):
    """The same decisions from a store the process must wait for (Redis)."""

    async def allow(self, key: str) -> bool:
        ...

    async def retry_after(self, key: str) -> float:
        ...


class InProcess:
    """A :class:`RateLimiter` as an :class:`AsyncRateLimiter`: nothing is awaited, so the
    memory path costs one coroutine call more than calling the buckets directly."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def allow(self, key: str) -> bool:
        return self.limiter.allow(key)

    async def retry_after(self, key: str) -> float:
        return self.limiter.retry_after(key)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class MemoryTokenBuckets:
    """Token buckets in memory: ``burst`` at once, then ``per_minute`` sustained.

    Keys are forgotten least-recently-used beyond ``max_keys``, so a flood of new keys
    (new conversations, spoofed addresses) cannot grow memory without bound; a forgotten
    key starts full again, which only ever errs on the resident's side.
    """

    def __init__(self, burst: float, per_minute: float, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if burst < 1 or per_minute < 0:
            raise ValueError("burst must be >= 1 and per_minute >= 0")
        self.burst = float(burst)
        self.rate = per_minute / 60.0
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _refilled(self, key: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        self._buckets[key] = bucket  # most recently used last
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return bucket

    def allow(self, key: str) -> bool:
        bucket = self._refilled(key)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False

    def retry_after(self, key: str) -> float:
        bucket = self._refilled(key)
        if bucket.tokens >= 1:
            return 0.0
        return float("inf") if self.rate == 0 else (1 - bucket.tokens) / self.rate


class ConnectionCounter:
    """Open connections per key (client address), refusing beyond ``cap``."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._open: dict[str, int] = {}

    def acquire(self, key: str) -> bool:
        count = self._open.get(key, 0)
        if count >= self.cap:
            return False
        self._open[key] = count + 1
        return True

    def release(self, key: str) -> None:
        count = self._open.get(key, 0) - 1
        if count > 0:
            self._open[key] = count
        else:
            self._open.pop(key, None)

    def count(self, key: str) -> int:
        return self._open.get(key, 0)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, not {raw!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


@dataclass(frozen=True)
class LimitSettings:
    conversation_burst: float = 10
    conversation_per_min: float = 30
    ip_burst: float = 60
    ip_per_min: float = 120
    sockets_per_ip: int = 20
    rooms_per_socket: int = 2

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LimitSettings:
        env = os.environ if env is None else env
        d = cls()
        return cls(
            conversation_burst=_number(env, "LIMIT_CONVERSATION_BURST", d.conversation_burst),
            conversation_per_min=_number(env, "LIMIT_CONVERSATION_PER_MIN", d.conversation_per_min),
            ip_burst=_number(env, "LIMIT_IP_BURST", d.ip_burst),
            ip_per_min=_number(env, "LIMIT_IP_PER_MIN", d.ip_per_min),
            sockets_per_ip=int(_number(env, "LIMIT_SOCKETS_PER_IP", d.sockets_per_ip)),
            rooms_per_socket=int(_number(env, "LIMIT_ROOMS_PER_SOCKET", d.rooms_per_socket)),
        )


class MessageLimits:
    """The two rate limits every resident message passes: its conversation and its address."""

    def __init__(self, settings: LimitSettings, *, conversations: AsyncRateLimiter | None = None,
                 addresses: AsyncRateLimiter | None = None) -> None:
        self.settings = settings
        self.conversations = conversations or InProcess(MemoryTokenBuckets(
            settings.conversation_burst, settings.conversation_per_min))
        self.addresses = addresses or InProcess(MemoryTokenBuckets(settings.ip_burst, settings.ip_per_min))

    async def allow(self, conversation: str, address: str | None) -> bool:
        """True if both allow; ``address`` None (trusted local caller) skips the address limit.

        The address is checked first and only an allowed message costs the conversation a
        token, so a flood from one address does not use up a resident's own budget.
        """
        if address is not None and not await self.addresses.allow(address):
            return False
        return await self.conversations.allow(conversation)

    async def retry_after(self, conversation: str, address: str | None) -> float:
        waits = [await self.conversations.retry_after(conversation)]
        if address is not None:
            waits.append(await self.addresses.retry_after(address))
        return max(waits)

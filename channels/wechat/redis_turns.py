"""WeChat turns claimed across Rasa processes: a retry on another node never runs the turn again.

One key per message, ``<prefix>wechat:turn:<digest of the message key>``, living as long as
the single-process window (``dedupe_window_s``):

- the first node to see the message sets it ``{"state": "running"}`` (SET NX EX) and runs
  the turn as one process does;
- when that node has answered, it writes ``{"state": "answered", "passive", "followups"}``
  or ``{"state": "handed_over"}`` (SET XX KEEPTTL);
- a node that finds the key taken reads it every 50–200 ms until it is settled or its own
  5-second deadline is near, and answers from it;
- a node that finds a request's (timestamp, nonce) already used but no key waits, up to its
  deadline, for the key to appear: the node that recorded the pair claims the turn a moment
  later. Nothing appearing means the turn was forgotten, and the request is a replay.

The value holds the passive reply's text for at most the window (60 s by default): what
WeChat would be sent again anyway. Keys are hashed, so openids are not written in clear.
Errors are not caught: WeChat gets a 500 and retries, rather than a turn running twice.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis

from channels.wechat.layout import ReplyPlan
from channels.wechat.replay import Settled

RUNNING = json.dumps({"state": "running"})
FIRST_POLL_S = 0.05
MAX_POLL_S = 0.2
T = TypeVar("T")


def encode(plan: ReplyPlan | None) -> str:
    if plan is None:
        return json.dumps({"state": "handed_over"})
    return json.dumps({"state": "answered", "passive": plan.passive, "followups": list(plan.followups)},
                      ensure_ascii=False)


def decode(raw: bytes | str) -> Settled | None:
    """The settled answer, or None while the turn is still running."""
    value = json.loads(raw)
    state = value.get("state")
    if state == "answered":
        return Settled(ReplyPlan(str(value["passive"]), tuple(str(p) for p in value.get("followups", ()))))
    if state == "handed_over":
        return Settled(None)
    return None


class RedisTurns:
    """A :class:`~channels.wechat.replay.SharedTurns` in Redis."""

    def __init__(self, redis: Redis, window_s: float, *, prefix: str = "gov:") -> None:
        self._redis = redis
        self._ttl_s = max(1, math.ceil(window_s))
        self._prefix = f"{prefix}wechat:turn:"

    def key(self, key: str) -> str:
        return self._prefix + hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()

    async def claim(self, key: str) -> bool:
        return bool(await self._redis.set(self.key(key), RUNNING, nx=True, ex=self._ttl_s))

    async def known(self, key: str, wait_s: float = 0.0) -> bool:
        async def exists() -> tuple[bool, bool]:
            found = bool(await self._redis.exists(self.key(key)))
            return found, found

        return await _poll(exists, wait_s)

    async def settle(self, key: str, plan: ReplyPlan | None) -> None:
        await self._redis.set(self.key(key), encode(plan), xx=True, keepttl=True)

    async def outcome(self, key: str, timeout_s: float) -> Settled | None:
        async def settled() -> tuple[bool, Settled | None]:
            raw = await self._redis.get(self.key(key))
            if raw is None:  # forgotten: nothing will come
                return True, None
            answer = decode(raw)
            return answer is not None, answer

        return await _poll(settled, timeout_s)


async def _poll(read: Callable[[], Awaitable[tuple[bool, T]]], timeout_s: float) -> T:
    """``read()`` every 50–200 ms until it says it is done or time is up; its last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    pause = FIRST_POLL_S
    while True:
        done, value = await read()
        remaining = deadline - loop.time()
        if done or remaining <= 0:
            return value
        await asyncio.sleep(min(pause, remaining))
        pause = min(pause * 2, MAX_POLL_S)

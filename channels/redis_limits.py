"""Token buckets in Redis, so every Rasa process of a cluster spends the same budget.

The same rule as :class:`channels.limits.MemoryTokenBuckets` (``burst`` at once, then
``per_minute`` sustained; ``retry_after`` says when the next token is due), computed by one
Lua script per call, so two nodes taking the last token at the same moment cannot both get
it. The script reads Redis's own clock (``TIME``): the nodes' clocks need not agree.

A bucket is a hash ``<prefix>limit:<name>:<digest of the key>`` (tokens, updated) that
expires once it would be full again, so idle keys cost nothing; keys are hashed so
conversation ids and client addresses are not written to Redis in clear.

When Redis does not answer, a message is allowed and the error logged: the limits guard
against floods, and refusing every resident during an outage would be worse than a
minute without them (the start-up check in shared_state.py makes a wrong URL fail loudly).
"""
from __future__ import annotations

import hashlib
import logging
import math

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: Never-refilling buckets (per_minute 0) are kept this long.
NO_REFILL_TTL_S = 24 * 3600

# KEYS[1] bucket; ARGV burst, tokens per second, ttl seconds, take (1: allow, 0: peek).
# Returns {allowed (0/1), seconds until a token as a string (-1: never)}; Lua numbers
# would come back truncated to integers.
_BUCKET = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local take = ARGV[4] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(stored[1])
local updated = tonumber(stored[2])
if tokens == nil or updated == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
end
if take then
  if tokens >= 1 then
    tokens = tokens - 1
    redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
               'updated', string.format('%.17g', now))
    redis.call('EXPIRE', KEYS[1], ttl)
    return {1, '0'}
  end
  return {0, ''}
end
if tokens >= 1 then
  return {1, '0'}
end
if rate <= 0 then
  return {0, '-1'}
end
return {0, string.format('%.17g', (1 - tokens) / rate)}
"""


def bucket_ttl_s(burst: float, per_minute: float) -> int:
    """How long a bucket must be kept: until it would have refilled completely."""
    if per_minute <= 0:
        return NO_REFILL_TTL_S
    return max(1, math.ceil(burst / (per_minute / 60.0)) + 1)


class RedisTokenBuckets:
    """An :class:`~channels.limits.AsyncRateLimiter` whose buckets all nodes share.

    ``name`` keeps budgets apart that are apart in one process too (the web chat's and the
    REST channel's per-address buckets are separate objects there, so separate keys here).
    """

    def __init__(self, redis: Redis, name: str, burst: float, per_minute: float, *,
                 prefix: str = "gov:") -> None:
        if burst < 1 or per_minute < 0:
            raise ValueError("burst must be >= 1 and per_minute >= 0")
        self.burst = float(burst)
        self.rate = per_minute / 60.0
        self.ttl_s = bucket_ttl_s(burst, per_minute)
        self._prefix = f"{prefix}limit:{name}:"
        self._script = redis.register_script(_BUCKET)

    def key(self, key: str) -> str:
        return self._prefix + hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()

    async def _run(self, key: str, take: bool) -> tuple[bool, float]:
        allowed, wait = await self._script(keys=[self.key(key)],
                                           args=[repr(self.burst), repr(self.rate), self.ttl_s, int(take)])
        wait = wait.decode() if isinstance(wait, bytes) else str(wait)
        seconds = float("inf") if wait == "-1" else float(wait or 0)
        return bool(allowed), seconds

    async def allow(self, key: str) -> bool:
        try:
            allowed, _ = await self._run(key, take=True)
        except RedisError as exc:
            logger.error("rate limit not checked, message allowed: Redis failed (%s: %s)", type(exc).__name__, exc)
            return True
        return allowed

    async def retry_after(self, key: str) -> float:
        try:
            _, wait = await self._run(key, take=False)
        except RedisError as exc:
            logger.error("rate limit wait not known: Redis failed (%s: %s)", type(exc).__name__, exc)
            return 0.0
        return wait

"""The (timestamp, nonce) memory of nonces.py in Redis, shared by every Rasa process.

A captured request replayed to another node must meet the same entry, so the entry lives
in Redis: ``SET <prefix>wechat:nonce:<timestamp>:<nonce> <fingerprint> NX EXAT <expires_at>``
and, when the key existed, its value, in one Lua script (no gap in which the entry could
expire between the two). Redis drops the entry when the pair goes stale.

Errors are not caught: a WeChat request that cannot be checked is answered 500 and WeChat
retries it, rather than letting a replay through.
"""
from __future__ import annotations

import math

from redis.asyncio import Redis

_REMEMBER = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EXAT', ARGV[2]) then
  return false
end
return redis.call('GET', KEYS[1])
"""


class RedisNonceStore:
    """A :class:`~channels.wechat.nonces.NonceStore` all nodes share."""

    def __init__(self, redis: Redis, *, prefix: str = "gov:") -> None:
        self._prefix = f"{prefix}wechat:nonce:"
        self._script = redis.register_script(_REMEMBER)

    async def remember(self, key: str, fingerprint: str, expires_at: float) -> str | None:
        known = await self._script(keys=[self._prefix + key], args=[fingerprint, math.ceil(expires_at)])
        if known is None:
            return None
        return known.decode() if isinstance(known, bytes) else str(known)

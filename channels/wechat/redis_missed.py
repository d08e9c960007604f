"""The missed parts of missed.py in Redis, so "再说一遍" on any node resends what another could not.

One hash per resident, ``<prefix>wechat:missed:<digest of the openid>`` with ``parts`` (a
JSON array of at most MAX_PARTS texts, newest kept) and ``noticed`` ("0"/"1"). Adding
parts and deciding whether the notice is due each read and write the hash in one Lua
script, so two nodes (a failed delivery on one, the resident's next message on another)
cannot lose parts or announce them twice; taking them is HGET + DEL in one transaction.

The parts are the assistant's own words, masked like everything it says (an application
summary shows 身份证号 as 340202********1234), yet they are a resident's conversation in a
shared service outside the application database: the hash expires :data:`TTL_S` (2 hours)
after the last failure, against 24 hours in one process's memory. Later than that the
resident asks again and gets the whole answer. The key names no openid.

Redis failing costs the resident the notice or the resend, never the reply: errors are
logged and the turn goes on as if nothing had been missed.
"""
from __future__ import annotations

import json
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from channels.redis_keys import digest
from channels.wechat.missed import MAX_PARTS

logger = logging.getLogger(__name__)

#: How long missed parts are kept in Redis after the last failure.
TTL_S = 2 * 3600

# KEYS[1] hash; ARGV new parts (JSON array), max parts, ttl seconds.
_ADD = """
local kept = {}
local stored = redis.call('HGET', KEYS[1], 'parts')
if stored then kept = cjson.decode(stored) end
for _, part in ipairs(cjson.decode(ARGV[1])) do kept[#kept + 1] = part end
local newest = {}
for i = math.max(1, #kept - tonumber(ARGV[2]) + 1), #kept do newest[#newest + 1] = kept[i] end
redis.call('HSET', KEYS[1], 'parts', cjson.encode(newest), 'noticed', '0')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return #newest
"""

# KEYS[1] hash. 1: tell the resident now; 0: nothing kept, or told already (then forgotten).
_NOTICE = """
local noticed = redis.call('HGET', KEYS[1], 'noticed')
if not noticed then return 0 end
if noticed == '1' then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('HSET', KEYS[1], 'noticed', '1')
return 1
"""


class RedisMissedParts:
    """A :class:`~channels.wechat.missed.MissedStore` all nodes share."""

    def __init__(self, redis: Redis, *, prefix: str = "gov:", ttl_s: int = TTL_S) -> None:
        self._redis = redis
        self._prefix = f"{prefix}wechat:missed:"
        self._ttl_s = ttl_s
        self._add = redis.register_script(_ADD)
        self._notice = redis.register_script(_NOTICE)

    def key(self, openid: str) -> str:
        return self._prefix + digest(openid)

    async def add(self, openid: str, parts: list[str]) -> None:
        if not parts:
            return
        try:
            await self._add(keys=[self.key(openid)],
                            args=[json.dumps(list(parts), ensure_ascii=False), MAX_PARTS, self._ttl_s])
        except RedisError as exc:
            logger.error("missed WeChat parts not kept (%d): Redis failed (%s: %s)",
                         len(parts), type(exc).__name__, exc)

    async def take(self, openid: str) -> list[str]:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                stored, _ = await pipe.hget(self.key(openid), "parts").delete(self.key(openid)).execute()
        except RedisError as exc:
            logger.error("missed WeChat parts not read: Redis failed (%s: %s)", type(exc).__name__, exc)
            return []
        return [str(part) for part in json.loads(stored)] if stored else []

    async def notice_due(self, openid: str) -> bool:
        try:
            return bool(await self._notice(keys=[self.key(openid)]))
        except RedisError as exc:
            logger.error("missed WeChat parts not checked: Redis failed (%s: %s)", type(exc).__name__, exc)
            return False

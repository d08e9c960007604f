"""The numbered choices of choices.py in Redis, so any node resolves a number another node offered.

One string key per resident, ``<prefix>wechat:choices:<digest of the openid>``, holding the
JSON object ``{"8": "办理"}`` and expiring 24 hours after the reply that offered it. A JSON
value rather than a hash because the choices are replaced whole on every reply: one
``SET … EX`` (or ``DEL`` when the reply has none) swaps them atomically, with no moment in
which a reader sees a mix of the old and the new list and no separate ``EXPIRE``; reading
is one ``GET`` of a few dozen bytes.

What is stored is button payloads only, and only those that are not the number itself:
today the 办理 button (actions/service_answer.py) and any "/intent" button; the actions
put no resident's data in a payload (their options are numbered, bot/choices.py,
bot/flows/engine.py). The key names no openid.

When Redis fails the reply still goes out and the error is logged: a number then reaches
the assistant as typed, which understands numbers for every numbered option of its own.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from redis.asyncio import Redis
from redis.exceptions import RedisError

from channels.redis_keys import digest

logger = logging.getLogger(__name__)

#: A resident answering a list the next day still gets what the number meant.
TTL_S = 24 * 3600


class RedisChoices:
    """A :class:`~channels.wechat.choices.ChoiceStore` all nodes share."""

    def __init__(self, redis: Redis, *, prefix: str = "gov:", ttl_s: int = TTL_S) -> None:
        self._redis = redis
        self._prefix = f"{prefix}wechat:choices:"
        self._ttl_s = ttl_s

    def key(self, openid: str) -> str:
        return self._prefix + digest(openid)

    async def remember(self, openid: str, choices: Mapping[str, str]) -> None:
        try:
            if choices:
                await self._redis.set(self.key(openid), json.dumps(dict(choices), ensure_ascii=False),
                                      ex=self._ttl_s)
            else:
                await self._redis.delete(self.key(openid))
        except RedisError as exc:
            logger.error("WeChat choices not stored: Redis failed (%s: %s)", type(exc).__name__, exc)

    async def payload(self, openid: str, number: str) -> str | None:
        try:
            raw = await self._redis.get(self.key(openid))
        except RedisError as exc:
            logger.error("WeChat choices not read, the number goes on as typed: Redis failed (%s: %s)",
                         type(exc).__name__, exc)
            return None
        if raw is None:
            return None
        value = json.loads(raw).get(number)
        return str(value) if value else None

"""Web chat messages claimed across Rasa processes (resends.py): the first node to see one processes it.

One key per message, ``<prefix>webchat:message:<digest of conversation and client id>``,
set with ``SET NX EX`` (:data:`TTL_S`, 2 minutes: longer than a turn takes, its action
calls are bounded by GOV_ACTION_TIMEOUT_S) and deleted when the processing stored nothing.
After the TTL the tracker alone recognises the message, as in one process; a node that
died while processing holds a message at most that long. The value is "1": no text, and
the key names neither the conversation nor the message.

When Redis fails the message is processed, as one process would (the tracker still stops
a resend that comes after the first processing ended), and the error is logged.
"""
from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from channels.redis_keys import digest

logger = logging.getLogger(__name__)

TTL_S = 120


class RedisMessageClaims:
    """A :class:`~channels.webchat.resends.MessageClaims` all nodes share."""

    def __init__(self, redis: Redis, *, prefix: str = "gov:", ttl_s: int = TTL_S) -> None:
        self._redis = redis
        self._prefix = f"{prefix}webchat:message:"
        self._ttl_s = ttl_s

    def key(self, conversation: str, client_id: str) -> str:
        return self._prefix + digest(conversation, client_id)

    async def claim(self, conversation: str, client_id: str) -> bool:
        try:
            return bool(await self._redis.set(self.key(conversation, client_id), "1", nx=True, ex=self._ttl_s))
        except RedisError as exc:
            logger.error("web chat message not claimed, processed here: Redis failed (%s: %s)",
                         type(exc).__name__, exc)
            return True

    async def release(self, conversation: str, client_id: str) -> None:
        try:
            await self._redis.delete(self.key(conversation, client_id))
        except RedisError as exc:
            logger.error("web chat message claim not released: Redis failed (%s: %s)", type(exc).__name__, exc)

"""The WeChat access token shared by every Rasa process through Redis (api.SharedAccessToken).

WeChat keeps one valid access token per AppID: a fetch invalidates the previous token a few
minutes later, and fetches are limited per day. Nodes fetching their own would knock out
each other's token (40001 → fetch → quota), so in a cluster the token lives in Redis:

- ``<prefix>wechat:token:<digest of the AppID>`` holds it, expiring ``expires_in`` minus
  :data:`MARGIN_S` after the fetch: it is gone (and fetched again) before WeChat drops it;
- one node fetches at a time: it takes ``<prefix>wechat:token-lock:<digest>`` (SET NX PX
  with a random value), reads again, fetches, stores, and releases the lock with a
  compare-and-delete script (a lock that outlived its TTL and was taken by another node is
  not released by the first). The others read again every 50–200 ms; when the lock is gone
  with no token stored (the fetch failed, or its node died) the next to try takes it;
- a node whose call was refused (40001, 40014, 42001) deletes the token only if it is still
  the one refused (compare-and-delete): a fresh token another node stored meanwhile stays.

Every token read from Redis is taught to the log filter (redaction.py) before it is used,
as a fetched one is: a node that never fetched it redacts it all the same. Failures are
:class:`~channels.wechat.api.WeChatApiError` naming neither the token nor the AppSecret,
and nothing falls back to a token of the node's own, which would knock out the cluster's.
"""
from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError

from channels.redis_keys import digest
from channels.wechat import redaction
from channels.wechat.api import TokenFetch, WeChatApiError
from channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

#: The stored token expires this long before WeChat's ``expires_in`` (WeChat may drop it a
#: little early; a node reading it at the last moment still has minutes to use it).
MARGIN_S = 300
FIRST_POLL_S = 0.05
MAX_POLL_S = 0.2

_DELETE_IF_EQUAL = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def token_ttl_s(expires_in: int, margin_s: int = MARGIN_S) -> int:
    """How long the token stays stored: ``expires_in - margin_s``, or half of a short
    ``expires_in``, never under a second."""
    if expires_in > 2 * margin_s:
        return expires_in - margin_s
    return max(1, expires_in // 2)


def fetch_budget_s(settings: WeChatSettings) -> float:
    """The longest a token fetch can take: every attempt's connect and read timeouts, the
    retries' backoff (0.2 s doubling) and a second. The lock lives this long."""
    attempts = settings.http_retries + 1
    backoff = sum(0.2 * 2 ** n for n in range(settings.http_retries))
    return 2 * settings.http_timeout_s * attempts + backoff + 1.0


class RedisAccessToken:
    """One AppID's access token in Redis, shared by every node; blocking (the API's worker threads)."""

    def __init__(self, redis: Redis, appid: str, *, prefix: str = "gov:", lock_ttl_s: float = 30.0,
                 margin_s: int = MARGIN_S, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._redis = redis
        self.key = f"{prefix}wechat:token:{digest(appid)}"
        self.lock_key = f"{prefix}wechat:token-lock:{digest(appid)}"
        self._lock_ttl_ms = max(1, math.ceil(lock_ttl_s * 1000))
        self._margin_s = margin_s
        self._sleep = sleep
        self._clock = clock
        self._delete_if_equal = redis.register_script(_DELETE_IF_EQUAL)

    def get(self, fetch: TokenFetch) -> str:
        return self._obtain(fetch, refused=None)

    def refused(self, token: str, fetch: TokenFetch) -> str:
        try:
            dropped = bool(self._delete_if_equal(keys=[self.key], args=[token]))
        except RedisError as exc:
            raise _unavailable(exc) from exc
        logger.info("WeChat refused the shared access token; %s", "dropped it" if dropped
                    else "another node had replaced it already")
        return self._obtain(fetch, refused=token)

    # -- inside -------------------------------------------------------------------------------
    def _obtain(self, fetch: TokenFetch, refused: str | None) -> str:
        deadline = self._clock() + self._lock_ttl_ms / 1000 + 1.0
        pause = FIRST_POLL_S
        try:
            while True:
                token = self._stored(refused)
                if token is not None:
                    return token
                token = self._fetch_alone(fetch, refused)
                if token is not None:
                    return token
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise WeChatApiError("WeChat access token not available: another node's fetch "
                                         "stored none in time")
                self._sleep(min(pause, remaining))
                pause = min(pause * 2, MAX_POLL_S)
        except RedisError as exc:
            raise _unavailable(exc) from exc

    def _stored(self, refused: str | None) -> str | None:
        raw = self._redis.get(self.key)
        if raw is None:
            return None
        token = raw.decode() if isinstance(raw, bytes) else str(raw)
        redaction.add_secrets([token])  # before anything can log it
        return None if token == refused else token

    def _fetch_alone(self, fetch: TokenFetch, refused: str | None) -> str | None:
        """Fetch and store a token if this node gets the lock; None if another node holds it."""
        holder = secrets.token_hex(16)
        if not self._redis.set(self.lock_key, holder, nx=True, px=self._lock_ttl_ms):
            return None
        try:
            token = self._stored(refused)  # stored between our read and the lock
            if token is not None:
                return token
            token, expires_in = fetch()
            ttl_s = token_ttl_s(expires_in, self._margin_s)
            self._redis.set(self.key, token, ex=ttl_s)
            logger.info("WeChat access token fetched and shared through Redis for %d s", ttl_s)
            return token
        finally:
            try:
                self._delete_if_equal(keys=[self.lock_key], args=[holder])
            except RedisError as exc:  # it expires on its own; the fetch's outcome matters more
                logger.warning("WeChat access token lock not released (%s); it expires within %d ms",
                               type(exc).__name__, self._lock_ttl_ms)


def _unavailable(exc: RedisError) -> WeChatApiError:
    return WeChatApiError(f"WeChat access token unavailable: Redis failed ({type(exc).__name__})")

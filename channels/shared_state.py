"""Where the resident channels keep what every Rasa process must see: memory, or Redis.

One process (the embedded default, ``make run``) keeps rate limits, WeChat nonces, turns,
numbered choices and missed parts, WeChat's access token, and the web chat's resend guard
in memory, as it always has; nothing here imports redis then. Several
processes behind a load balancer set ``GOV_REDIS_URL`` (``redis://host:6379/0``) and
share them in Redis, and the web chat's socket.io rooms go through Redis too, so a reply
emitted by any node reaches the page connected to another.

The channels ask :func:`shared_state` for their stores and never read the variable
themselves. A URL that is set but wrong or unreachable stops the start with an error
naming Redis and the URL (password hidden): quietly keeping state per process would let
every node grant a resident the full budget, run a WeChat retry a second time, or answer a
resident's "2" without the list another node offered.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.service_checks import shown_url
from channels.limits import LimitSettings, MessageLimits
from channels.webchat.resends import MessageClaims
from channels.wechat.choices import ChoiceStore, MemoryChoices
from channels.wechat.missed import MissedParts, MissedStore
from channels.wechat.nonces import MemoryNonceStore, NonceStore
from channels.wechat.replay import SharedTurns

if TYPE_CHECKING:
    import redis as sync_redis
    from redis.asyncio import Redis

    from channels.wechat.api import SharedAccessToken
    from channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

ENV = "GOV_REDIS_URL"
#: Every key this project writes starts with it, so the Redis can be shared with others.
PREFIX = "gov:"
CONNECT_TIMEOUT_S = 3.0


class SharedStateError(RuntimeError):
    """GOV_REDIS_URL is set but Redis cannot be used; the message says which URL (no password)."""


#: The URL without its password, for logs and errors (bot/service_checks.py).
redacted = shown_url


class SharedState:
    """Builds each channel's stores: in memory when ``redis`` is None, else in Redis."""

    def __init__(self, redis: Redis | None = None, url: str | None = None, *, prefix: str = PREFIX) -> None:
        self.redis = redis
        self.url = url
        self.prefix = prefix
        self._blocking: list[sync_redis.Redis] = []  # for the WeChat API's worker threads

    @property
    def shared(self) -> bool:
        return self.redis is not None

    @classmethod
    def in_memory(cls) -> SharedState:
        return cls()

    @classmethod
    def connect(cls, url: str, *, prefix: str = PREFIX) -> SharedState:
        """Redis at ``url``, checked now (PING): raises :class:`SharedStateError` when unusable."""
        shown = redacted(url)
        try:
            import redis
            from redis.asyncio import Redis

            with redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S,
                                      socket_timeout=CONNECT_TIMEOUT_S) as probe:
                probe.ping()
            client = Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:  # a bad scheme, a refused connection, wrong password: all fatal
            reason = f"{type(exc).__name__}: {exc}"
            password = _password(url)
            if password:
                reason = reason.replace(password, "***")
            logger.critical("Redis at %s (%s) cannot be used: %s", shown, ENV, reason)
            raise SharedStateError(f"{ENV}: Redis at {shown} cannot be used: {reason}") from None
        logger.info("channel state shared through Redis at %s", shown)
        return cls(client, url, prefix=prefix)

    # -- the stores -------------------------------------------------------------------------
    def message_limits(self, settings: LimitSettings, channel: str) -> MessageLimits:
        """The rate limits of one channel (``channel`` keeps its buckets apart from others')."""
        if self.redis is None:
            return MessageLimits(settings)
        from channels.redis_limits import RedisTokenBuckets

        return MessageLimits(
            settings,
            conversations=RedisTokenBuckets(self.redis, f"{channel}:conversation", settings.conversation_burst,
                                            settings.conversation_per_min, prefix=self.prefix),
            addresses=RedisTokenBuckets(self.redis, f"{channel}:address", settings.ip_burst,
                                        settings.ip_per_min, prefix=self.prefix))

    def nonce_store(self) -> NonceStore:
        if self.redis is None:
            return MemoryNonceStore()
        from channels.wechat.redis_nonces import RedisNonceStore

        return RedisNonceStore(self.redis, prefix=self.prefix)

    def wechat_turns(self, window_s: float) -> SharedTurns | None:
        """None in one process: the endpoint's own ReplayCache is then all there is."""
        if self.redis is None:
            return None
        from channels.wechat.redis_turns import RedisTurns

        return RedisTurns(self.redis, window_s, prefix=self.prefix)

    def wechat_choices(self) -> ChoiceStore:
        """Number → payload of each resident's last list (a "2" may reach another node)."""
        if self.redis is None:
            return MemoryChoices()
        from channels.wechat.redis_choices import RedisChoices

        return RedisChoices(self.redis, prefix=self.prefix)

    def wechat_missed(self) -> MissedStore:
        """Parts the customer-service API could not deliver, for "再说一遍" on any node."""
        if self.redis is None:
            return MissedParts()
        from channels.wechat.redis_missed import RedisMissedParts

        return RedisMissedParts(self.redis, prefix=self.prefix)

    def wechat_access_token(self, settings: WeChatSettings) -> SharedAccessToken | None:
        """None in one process (the API keeps its token in memory); else the token in Redis,
        so that the nodes do not knock out each other's (WeChat keeps one per AppID). The
        API calls block in worker threads, so this store has a blocking client of its own."""
        if self.url is None:
            return None
        import redis as sync_redis

        from channels.wechat.redis_token import RedisAccessToken, fetch_budget_s

        client = sync_redis.Redis.from_url(self.url, socket_connect_timeout=CONNECT_TIMEOUT_S,
                                           socket_timeout=CONNECT_TIMEOUT_S)
        self._blocking.append(client)
        return RedisAccessToken(client, settings.appid, prefix=self.prefix, lock_ttl_s=fetch_budget_s(settings))

    def webchat_claims(self) -> MessageClaims | None:
        """None in one process: the channel's lock and the tracker are all there is."""
        if self.redis is None:
            return None
        from channels.webchat.redis_claims import RedisMessageClaims

        return RedisMessageClaims(self.redis, prefix=self.prefix)

    def socketio_manager(self) -> Any:
        """The socket.io client manager: None (python-socketio's in-memory one) or Redis
        pub/sub on the channel ``<prefix>webchat:socketio`` (channels ignore the database
        number, so the prefix is what keeps two deployments on one Redis apart)."""
        if self.url is None:
            return None
        import socketio

        return socketio.AsyncRedisManager(self.url, channel=f"{self.prefix}webchat:socketio")

    async def close(self) -> None:
        """Close the Redis connections (tests; a server lets the process end do it)."""
        if self.redis is not None:
            await self.redis.close(close_connection_pool=True)
        for client in self._blocking:
            client.close()
        self._blocking.clear()


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def shared_state(env: Mapping[str, str] | None = None) -> SharedState:
    """Memory unless ``GOV_REDIS_URL`` is set; then Redis, or :class:`SharedStateError`."""
    env = os.environ if env is None else env
    url = env.get(ENV, "").strip()
    if not url:
        return SharedState.in_memory()
    return SharedState.connect(url)

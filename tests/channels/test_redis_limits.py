"""Token buckets in Redis (channels/redis_limits.py): the memory buckets' rules, one budget for all nodes.

Redis's clock cannot be moved, so "time passes" is written into the stored bucket (its
``updated`` field set back), which is exactly what the refill reads.
"""
from __future__ import annotations

import asyncio
import logging

import pytest
import redis

from channels.limits import LimitSettings
from channels.redis_limits import NO_REFILL_TTL_S, RedisTokenBuckets, bucket_ttl_s
from channels.shared_state import SharedState
from tests.support.redis_server import async_clients, keys_under

UNREACHABLE = "redis://127.0.0.1:1/0"


def age(url: str, bucket_key: str, seconds: float) -> None:
    """Make the stored bucket look ``seconds`` older (as if that much time had passed)."""
    with redis.Redis.from_url(url) as client:
        client.hincrbyfloat(bucket_key, "updated", -seconds)


def test_a_burst_is_allowed_then_refused_until_tokens_refill(redis_url, redis_prefix):
    async def scenario():
        async with async_clients(redis_url) as [client]:
            buckets = RedisTokenBuckets(client, "t", burst=3, per_minute=6, prefix=redis_prefix)  # a token per 10 s
            taken = [await buckets.allow("a") for _ in range(4)]
            wait = await buckets.retry_after("a")
            age(redis_url, buckets.key("a"), 9.0)
            too_early = await buckets.allow("a")
            age(redis_url, buckets.key("a"), 1.5)
            return taken, wait, too_early, await buckets.allow("a")

    taken, wait, too_early, in_time = asyncio.run(scenario())
    assert taken == [True, True, True, False]
    assert 9.0 < wait <= 10.0  # from a nearly empty bucket: one token at 6 per minute
    assert not too_early and in_time


def test_refill_never_exceeds_the_burst_and_a_peek_takes_nothing(redis_url, redis_prefix):
    async def scenario():
        async with async_clients(redis_url) as [client]:
            buckets = RedisTokenBuckets(client, "t", burst=2, per_minute=60, prefix=redis_prefix)
            await buckets.allow("a")
            age(redis_url, buckets.key("a"), 3600)
            peeks = [await buckets.retry_after("a") for _ in range(3)]
            return peeks, [await buckets.allow("a") for _ in range(3)]

    peeks, taken = asyncio.run(scenario())
    assert peeks == [0.0, 0.0, 0.0]
    assert taken == [True, True, False]


def test_keys_are_independent_and_a_bucket_without_refill_never_reopens(redis_url, redis_prefix):
    async def scenario():
        async with async_clients(redis_url) as [client]:
            buckets = RedisTokenBuckets(client, "t", burst=1, per_minute=0, prefix=redis_prefix)
            return (await buckets.allow("flooder"), await buckets.allow("flooder"),
                    await buckets.allow("neighbour"), await buckets.retry_after("flooder"))

    assert asyncio.run(scenario()) == (True, False, True, float("inf"))


def test_two_nodes_spend_one_budget(redis_url, redis_prefix):
    async def scenario():
        async with async_clients(redis_url, 2) as clients:
            a, b = (RedisTokenBuckets(c, "t", burst=3, per_minute=6, prefix=redis_prefix) for c in clients)
            taken = [await node.allow("web:c1") for node in (a, b, a, b, a)]
            return taken, await a.retry_after("web:c1"), await b.retry_after("web:c1")

    taken, wait_a, wait_b = asyncio.run(scenario())
    assert taken == [True, True, True, False, False]
    assert 9.0 < wait_a <= 10.0 and 9.0 < wait_b <= 10.0


def test_the_last_tokens_go_to_exactly_burst_messages_however_the_nodes_race(redis_url, redis_prefix):
    async def scenario():
        async with async_clients(redis_url, 4) as clients:
            nodes = [RedisTokenBuckets(c, "t", burst=5, per_minute=0, prefix=redis_prefix) for c in clients]
            return await asyncio.gather(*(nodes[i % 4].allow("203.0.113.5") for i in range(40)))

    assert sum(asyncio.run(scenario())) == 5


def test_buckets_expire_once_full_again_and_keys_do_not_show_who(redis_url, redis_prefix):
    async def scenario():
        async with async_clients(redis_url) as [client]:
            await RedisTokenBuckets(client, "r", 10, 30, prefix=redis_prefix).allow("web:resident-1")
            await RedisTokenBuckets(client, "n", 10, 0, prefix=redis_prefix).allow("203.0.113.5")

    asyncio.run(scenario())
    keys = keys_under(redis_url, redis_prefix)
    assert len(keys) == 2
    assert not any("resident-1" in key or "203.0.113.5" in key for key in keys)
    ttl_refilling = next(ttl for key, ttl in keys.items() if ":limit:r:" in key)
    ttl_never = next(ttl for key, ttl in keys.items() if ":limit:n:" in key)
    assert 0 < ttl_refilling <= bucket_ttl_s(10, 30) == 21  # 10 tokens at 0.5 per second, plus one
    assert NO_REFILL_TTL_S - 5 < ttl_never <= NO_REFILL_TTL_S


def test_message_limits_of_two_channels_are_kept_apart_as_in_one_process(redis_url, redis_prefix):
    settings = LimitSettings(conversation_burst=5, conversation_per_min=0, ip_burst=1, ip_per_min=0)

    async def scenario():
        async with async_clients(redis_url) as [client]:
            state = SharedState(client, redis_url, prefix=redis_prefix)
            web, rest = state.message_limits(settings, "webchat"), state.message_limits(settings, "rest")
            return (await web.allow("c1", "203.0.113.5"), await web.allow("c2", "203.0.113.5"),
                    await rest.allow("c1", "203.0.113.5"))

    assert asyncio.run(scenario()) == (True, False, True)


def test_when_redis_fails_at_run_time_messages_are_allowed_and_the_error_logged(caplog):
    async def scenario():
        async with async_clients(UNREACHABLE, socket_connect_timeout=1) as [client]:
            buckets = RedisTokenBuckets(client, "t", 1, 0)
            return await buckets.allow("a"), await buckets.allow("a"), await buckets.retry_after("a")

    with caplog.at_level(logging.ERROR, logger="channels.redis_limits"):
        assert asyncio.run(scenario()) == (True, True, 0.0)
    assert "Redis failed" in caplog.text


def test_settings_are_checked_like_the_memory_buckets():
    async def scenario():
        async with async_clients(UNREACHABLE) as [client]:
            RedisTokenBuckets(client, "t", burst=0, per_minute=1)

    with pytest.raises(ValueError):
        asyncio.run(scenario())

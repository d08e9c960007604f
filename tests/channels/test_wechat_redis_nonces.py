"""The (timestamp, nonce) memory in Redis (channels/wechat/redis_nonces.py): one entry for all nodes."""
from __future__ import annotations

import asyncio
import time

from channels.wechat.nonces import NonceUse, check_nonce
from channels.wechat.redis_nonces import RedisNonceStore
from tests.support.redis_server import async_clients, keys_under


def test_a_pair_used_on_one_node_is_a_repeat_or_a_conflict_on_another(redis_url, redis_prefix):
    now = str(int(time.time()))

    async def scenario():
        async with async_clients(redis_url, 2) as clients:
            a, b = (RedisNonceStore(c, prefix=redis_prefix) for c in clients)
            return [await check_nonce(a, now, "n1", b"<xml>a</xml>", 300),
                    await check_nonce(b, now, "n1", b"<xml>a</xml>", 300),  # WeChat's retry, elsewhere
                    await check_nonce(b, now, "n1", b"<xml>b</xml>", 300),  # another body: a replay
                    await check_nonce(a, now, "n1", b"<xml>b</xml>", 300),
                    await check_nonce(b, now, "n2", b"<xml>b</xml>", 300)]

    assert asyncio.run(scenario()) == [NonceUse.NEW, NonceUse.REPEAT, NonceUse.CONFLICT, NonceUse.CONFLICT,
                                       NonceUse.NEW]


def test_racing_nodes_store_one_message_per_pair(redis_url, redis_prefix):
    now = str(int(time.time()))

    async def scenario():
        async with async_clients(redis_url, 4) as clients:
            stores = [RedisNonceStore(c, prefix=redis_prefix) for c in clients]
            return await asyncio.gather(*(check_nonce(stores[i % 4], now, "n", f"<xml>{i}</xml>".encode(), 300)
                                          for i in range(12)))

    uses = asyncio.run(scenario())
    assert uses.count(NonceUse.NEW) == 1 and uses.count(NonceUse.CONFLICT) == 11


def test_a_pair_is_kept_until_its_timestamp_is_stale(redis_url, redis_prefix):
    now = int(time.time())

    async def scenario():
        async with async_clients(redis_url) as [client]:
            store = RedisNonceStore(client, prefix=redis_prefix)
            await check_nonce(store, str(now), "fresh", b"a", 300)
            stale_first = await check_nonce(store, str(now - 400), "stale", b"a", 300)
            stale_again = await check_nonce(store, str(now - 400), "stale", b"b", 300)
            return stale_first, stale_again

    # A pair already stale is not kept (the endpoint refuses such timestamps before asking).
    assert asyncio.run(scenario()) == (NonceUse.NEW, NonceUse.NEW)
    keys = keys_under(redis_url, redis_prefix)
    assert list(keys) == [f"{redis_prefix}wechat:nonce:{now}:fresh"]
    assert 295 < keys[f"{redis_prefix}wechat:nonce:{now}:fresh"] <= 302

"""The local Redis for tests: skip with a clear reason when it is absent, clean up after.

Tests use TEST_REDIS_URL (default database 15 of 127.0.0.1:6379, which the running
assistant does not use) and write every key under a random prefix of their own, deleted
afterwards, so tests may run beside each other and beside a cluster using database 0.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest

DEFAULT_URL = "redis://127.0.0.1:6379/15"


def redis_test_url() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_URL)


def redis_url_or_skip() -> str:
    """The test Redis's URL, or skip the test: "Redis not reachable at …"."""
    import redis

    from channels.shared_state import redacted

    url = redis_test_url()
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as client:
            client.ping()
    except Exception as exc:
        pytest.skip(f"Redis not reachable at {redacted(url)} ({type(exc).__name__}: {exc}); "
                    "start it or set TEST_REDIS_URL")
    return url


@contextmanager
def private_prefix(url: str) -> Iterator[str]:
    """A fresh key prefix ("test:<hex>:"); its keys are deleted when the block ends."""
    import redis

    prefix = f"test:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        with redis.Redis.from_url(url) as client:
            keys = list(client.scan_iter(match=prefix + "*", count=500))
            if keys:
                client.delete(*keys)


def keys_under(url: str, prefix: str) -> dict[str, int]:
    """Each key under ``prefix`` with its remaining time to live in seconds (-1: none)."""
    import redis

    with redis.Redis.from_url(url) as client:
        return {key.decode(): int(client.ttl(key)) for key in client.scan_iter(match=prefix + "*", count=500)}


@asynccontextmanager
async def async_clients(url: str, n: int = 1, **options: Any) -> AsyncIterator[list[Any]]:
    """``n`` asyncio Redis clients with their own connections (``n`` nodes), closed afterwards.
    Made inside the running event loop, which their connections belong to."""
    from redis.asyncio import Redis

    clients = [Redis.from_url(url, **options) for _ in range(n)]
    try:
        yield clients
    finally:
        for client in clients:
            await client.close(close_connection_pool=True)

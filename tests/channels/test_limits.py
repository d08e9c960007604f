"""Token buckets, connection caps and the limit settings (channels/limits.py)."""
from __future__ import annotations

import asyncio

import pytest

from channels.limits import (
    ConnectionCounter,
    LimitSettings,
    MemoryTokenBuckets,
    MessageLimits,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_refused_until_tokens_refill():
    clock = Clock()
    buckets = MemoryTokenBuckets(burst=3, per_minute=6, clock=clock)  # one token per 10 s
    assert [buckets.allow("a") for _ in range(4)] == [True, True, True, False]
    assert buckets.retry_after("a") == pytest.approx(10.0)
    clock.now += 9.9
    assert not buckets.allow("a")
    clock.now += 0.2
    assert buckets.allow("a")


def test_keys_are_independent():
    buckets = MemoryTokenBuckets(burst=1, per_minute=0, clock=Clock())
    assert buckets.allow("flooder")
    assert not buckets.allow("flooder")
    assert buckets.allow("neighbour")
    assert buckets.retry_after("flooder") == float("inf")


def test_refill_never_exceeds_the_burst():
    clock = Clock()
    buckets = MemoryTokenBuckets(burst=2, per_minute=60, clock=clock)
    buckets.allow("a")
    clock.now += 3600
    assert [buckets.allow("a") for _ in range(3)] == [True, True, False]


def test_memory_is_bounded_by_forgetting_the_least_recently_used_key():
    buckets = MemoryTokenBuckets(burst=1, per_minute=0, max_keys=2, clock=Clock())
    buckets.allow("old")
    buckets.allow("mid")
    buckets.allow("new")  # "old" is forgotten
    assert len(buckets._buckets) == 2
    assert buckets.allow("old")  # starts full again: errs on the resident's side
    assert not buckets.allow("new")


def test_message_limits_check_the_address_and_skip_it_for_trusted_callers():
    settings = LimitSettings(conversation_burst=5, conversation_per_min=0, ip_burst=2, ip_per_min=0)
    limits = MessageLimits(settings)

    def allow(conversation: str, address: str | None) -> bool:
        return asyncio.run(limits.allow(conversation, address))

    assert allow("c1", "203.0.113.5") and allow("c2", "203.0.113.5")
    assert not allow("c3", "203.0.113.5")  # the address is spent
    assert allow("c3", "198.51.100.7")  # another address is not
    assert all(allow("local", None) for _ in range(5))  # no address limit
    assert not allow("local", None)  # the conversation's own limit still holds
    assert asyncio.run(limits.retry_after("local", None)) == float("inf")


def test_connection_counter_caps_and_releases():
    counter = ConnectionCounter(cap=2)
    assert counter.acquire("ip") and counter.acquire("ip")
    assert not counter.acquire("ip")
    assert counter.acquire("other")
    counter.release("ip")
    assert counter.count("ip") == 1 and counter.acquire("ip")
    counter.release("nobody")  # harmless
    assert counter.count("nobody") == 0


def test_settings_from_the_environment():
    settings = LimitSettings.from_env({"LIMIT_CONVERSATION_BURST": "3", "LIMIT_IP_PER_MIN": "0.5",
                                       "LIMIT_SOCKETS_PER_IP": "4", "LIMIT_ROOMS_PER_SOCKET": ""})
    assert settings.conversation_burst == 3 and settings.ip_per_min == 0.5
    assert settings.sockets_per_ip == 4 and settings.rooms_per_socket == LimitSettings().rooms_per_socket
    with pytest.raises(ValueError, match="LIMIT_IP_BURST"):
        LimitSettings.from_env({"LIMIT_IP_BURST": "many"})
    with pytest.raises(ValueError):
        MemoryTokenBuckets(burst=0, per_minute=1)

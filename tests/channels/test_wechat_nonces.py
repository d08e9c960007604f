"""The (timestamp, nonce) memory: one message per pair while the pair is fresh, bounded."""
from __future__ import annotations

import asyncio

from channels.wechat.nonces import MemoryNonceStore, NonceUse, check_nonce


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def run(coroutine):
    return asyncio.run(coroutine)


def test_same_pair_same_message_is_a_repeat_another_message_a_conflict():
    store = MemoryNonceStore(clock=Clock(1000.0))
    assert run(check_nonce(store, "1000", "n1", b"<xml>a</xml>", 300)) is NonceUse.NEW
    assert run(check_nonce(store, "1000", "n1", b"<xml>a</xml>", 300)) is NonceUse.REPEAT
    assert run(check_nonce(store, "1000", "n1", b"<xml>b</xml>", 300)) is NonceUse.CONFLICT
    assert run(check_nonce(store, "1000", "n2", b"<xml>b</xml>", 300)) is NonceUse.NEW
    assert run(check_nonce(store, "1001", "n1", b"<xml>b</xml>", 300)) is NonceUse.NEW


def test_a_pair_is_remembered_until_its_timestamp_is_stale():
    clock = Clock(1000.0)
    store = MemoryNonceStore(clock=clock)
    run(check_nonce(store, "1000", "n", b"a", 300))
    clock.now = 1300.0  # still fresh (the endpoint accepts up to 300 s)
    assert run(check_nonce(store, "1000", "n", b"b", 300)) is NonceUse.CONFLICT
    clock.now = 1302.0  # stale: the endpoint refuses the timestamp itself from here on
    assert run(check_nonce(store, "1000", "n", b"b", 300)) is NonceUse.NEW


def test_the_store_is_bounded_and_drops_expired_entries():
    clock = Clock(1000.0)
    store = MemoryNonceStore(max_entries=3, clock=clock)
    for i in range(5):
        run(store.remember(f"k{i}", "f", 2000.0))
    assert len(store) == 3
    assert run(store.remember("k4", "g", 2000.0)) == "f"  # the newest are kept
    clock.now = 2001.0
    run(store.remember("fresh", "f", 3000.0))
    assert len(store) == 1

"""Undelivered parts in memory: kept per resident, announced once, bounded and forgotten in time.

(tests/channels/test_wechat_redis_state.py holds the Redis store to the same rules.)
"""
from __future__ import annotations

import asyncio

from channels.wechat.missed import MAX_PARTS, MissedParts


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_parts_are_announced_once_then_forgotten_unless_asked_for():
    async def scenario():
        missed = MissedParts()
        await missed.add("o1", ["甲", "乙"])
        told = await missed.notice_due("o1")
        kept = missed.get("o1").parts
        return told, kept, await missed.notice_due("o1"), missed.get("o1")

    assert asyncio.run(scenario()) == (True, ["甲", "乙"], False, None)


def test_taking_the_parts_forgets_them_and_new_failures_add_up():
    async def scenario():
        missed = MissedParts()
        await missed.add("o1", ["甲"])
        await missed.notice_due("o1")
        await missed.add("o1", ["乙"])  # failed again: told again, both offered
        told_again = await missed.notice_due("o1")
        taken = await missed.take("o1"), await missed.take("o1")
        await missed.add("o1", [])
        return told_again, taken, missed.get("o1")

    assert asyncio.run(scenario()) == (True, (["甲", "乙"], []), None)


def test_memory_is_bounded_and_expires():
    async def scenario():
        clock = Clock()
        missed = MissedParts(keep_s=60, max_entries=2, clock=clock)
        await missed.add("o1", [str(i) for i in range(MAX_PARTS + 5)])
        newest = missed.get("o1").parts
        await missed.add("o2", ["b"])
        await missed.add("o3", ["c"])
        bounded = missed.get("o1"), len(missed)
        clock.now = 61
        return newest, bounded, missed.get("o2"), await missed.notice_due("o3")

    newest, bounded, expired, notice = asyncio.run(scenario())
    assert newest[0] == "5" and len(newest) == MAX_PARTS
    assert bounded == (None, 2)
    assert expired is None and notice is False

"""Undelivered parts: kept per resident, announced once, bounded and forgotten in time."""
from __future__ import annotations

from channels.wechat.missed import MAX_PARTS, MissedParts


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_parts_are_announced_once_then_forgotten_unless_asked_for():
    missed = MissedParts()
    missed.add("o1", ["甲", "乙"])
    assert missed.notice_due("o1") and missed.get("o1").parts == ["甲", "乙"]
    assert not missed.notice_due("o1") and missed.get("o1") is None


def test_taking_the_parts_forgets_them_and_new_failures_add_up():
    missed = MissedParts()
    missed.add("o1", ["甲"])
    missed.notice_due("o1")
    missed.add("o1", ["乙"])  # failed again: told again, both offered
    assert missed.notice_due("o1")
    assert missed.take("o1") == ["甲", "乙"] and missed.take("o1") == []
    missed.add("o1", [])
    assert missed.get("o1") is None


def test_memory_is_bounded_and_expires():
    clock = Clock()
    missed = MissedParts(keep_s=60, max_entries=2, clock=clock)
    missed.add("o1", [str(i) for i in range(MAX_PARTS + 5)])
    assert missed.get("o1").parts[0] == "5" and len(missed.get("o1").parts) == MAX_PARTS
    missed.add("o2", ["b"])
    missed.add("o3", ["c"])
    assert missed.get("o1") is None and len(missed) == 2
    clock.now = 61
    assert missed.get("o2") is None and not missed.notice_due("o3")

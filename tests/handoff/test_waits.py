"""The expected wait residents are told (bot/handoff/waits.py)."""
from __future__ import annotations

from datetime import timedelta

from bot.handoff.waits import DEFAULT_WAIT, expected_wait, minutes_to_say


def test_the_median_is_not_moved_by_one_long_wait():
    waits = [timedelta(seconds=s) for s in (40, 70, 90, 3600)]
    assert expected_wait(waits) == timedelta(seconds=80)


def test_no_history_gives_the_default_of_three_minutes():
    assert expected_wait([]) == DEFAULT_WAIT == timedelta(minutes=3)


def test_residents_hear_whole_minutes_rounded_up_and_never_zero():
    assert [minutes_to_say(timedelta(seconds=s)) for s in (0, 5, 60, 61, 150)] == [1, 1, 1, 2, 3]

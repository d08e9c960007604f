"""How residents say a rating and a reason (bot/evaluation/levels.py)."""
from __future__ import annotations

import pytest

from bot.evaluation.levels import OFFERED, Level, PoorReason, parse_level, parse_reason


@pytest.mark.parametrize(("said", "level"), [
    ("1", Level.VERY_SATISFIED), ("2", Level.SATISFIED), ("3", Level.BASICALLY_SATISFIED),
    ("4", Level.DISSATISFIED), ("5", Level.VERY_DISSATISFIED), ("５", Level.VERY_DISSATISFIED),
    (" 2。", Level.SATISFIED),
])
def test_each_level_by_its_offered_number(said, level):
    assert parse_level(said) is level


@pytest.mark.parametrize("level", list(Level))
def test_each_level_by_its_own_words(level):
    assert parse_level(level.label) is level
    assert parse_level(level.label + "！") is level


@pytest.mark.parametrize(("said", "level"), [
    ("很满意", Level.VERY_SATISFIED), ("不太满意", Level.DISSATISFIED), ("一般", Level.BASICALLY_SATISFIED),
    ("差评", Level.DISSATISFIED), ("我觉得非常不满意", Level.VERY_DISSATISFIED),
])
def test_colloquial_ratings(said, level):
    assert parse_level(said) is level


@pytest.mark.parametrize("said", ["0", "6", "12", "", "满意度怎么查", "社保卡怎么办", "我对结果不满意怎么投诉"])
def test_anything_else_is_not_a_rating(said):
    assert parse_level(said) is None


def test_offered_order_and_poor_levels():
    assert [level.label for level in OFFERED] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [level.choice_number for level in OFFERED] == [1, 2, 3, 4, 5]
    assert {level for level in Level if level.is_poor} == {Level.DISSATISFIED, Level.VERY_DISSATISFIED}


def test_reasons_by_number_label_or_free_text():
    assert parse_reason("1") == (PoorReason.OFF_TOPIC, None)
    assert parse_reason("流程太复杂") == (PoorReason.TOO_COMPLEX, None)
    assert parse_reason("窗口电话一直打不通") == (PoorReason.OTHER, "窗口电话一直打不通")
    assert parse_reason("  ") is None

"""The national five rating levels (国办发〔2019〕51号) and how a resident says one.

Offered in this order, numbered 1 to 5, so "1" is 非常满意 whichever channel showed the
list (web chat buttons, a numbered WeChat text). A resident may also type the level's
words, or the common colloquial forms (很满意, 一般, 差评). Anything else is not a rating:
:func:`parse_level` returns None and the message is understood as usual, so ignoring an
invitation costs nothing.
"""
from __future__ import annotations

import re
import unicodedata
from enum import Enum, IntEnum


class Level(IntEnum):
    """Score 5 (best) to 1; the number a resident types is 6 - score (the offered order)."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def is_poor(self) -> bool:
        """差评: 不满意 and 非常不满意 are followed up."""
        return self <= Level.DISSATISFIED

    @property
    def choice_number(self) -> int:
        return 6 - int(self)


LABELS: dict[Level, str] = {
    Level.VERY_SATISFIED: "非常满意",
    Level.SATISFIED: "满意",
    Level.BASICALLY_SATISFIED: "基本满意",
    Level.DISSATISFIED: "不满意",
    Level.VERY_DISSATISFIED: "非常不满意",
}
#: The levels in the order they are offered (1. 非常满意 … 5. 非常不满意).
OFFERED: tuple[Level, ...] = tuple(sorted(Level, reverse=True))


class PoorReason(str, Enum):
    """Why a resident was not satisfied (asked after 不满意 / 非常不满意)."""

    OFF_TOPIC = "off_topic"
    UNCLEAR_MATERIALS = "unclear_materials"
    TOO_COMPLEX = "too_complex"
    TOO_SLOW = "too_slow"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS: dict[PoorReason, str] = {
    PoorReason.OFF_TOPIC: "答非所问",
    PoorReason.UNCLEAR_MATERIALS: "材料说得不清楚",
    PoorReason.TOO_COMPLEX: "流程太复杂",
    PoorReason.TOO_SLOW: "等太久",
    PoorReason.OTHER: "其他",
}
OFFERED_REASONS: tuple[PoorReason, ...] = tuple(PoorReason)

# Longest phrases first, so 非常不满意 is not read as 满意 and 不满意 not as 满意.
_WORDS: tuple[tuple[str, Level], ...] = (
    ("非常不满意", Level.VERY_DISSATISFIED), ("很不满意", Level.VERY_DISSATISFIED),
    ("特别不满意", Level.VERY_DISSATISFIED), ("非常差", Level.VERY_DISSATISFIED),
    ("不太满意", Level.DISSATISFIED), ("不满意", Level.DISSATISFIED), ("差评", Level.DISSATISFIED),
    ("基本满意", Level.BASICALLY_SATISFIED), ("还行", Level.BASICALLY_SATISFIED),
    ("一般", Level.BASICALLY_SATISFIED), ("凑合", Level.BASICALLY_SATISFIED),
    ("非常满意", Level.VERY_SATISFIED), ("很满意", Level.VERY_SATISFIED),
    ("特别满意", Level.VERY_SATISFIED), ("非常好", Level.VERY_SATISFIED),
    ("满意", Level.SATISFIED), ("好评", Level.SATISFIED),
)
#: Replies that are nothing but a rating (bot/nlu/commands.py reads them as choose_number).
LEVEL_WORDS: tuple[str, ...] = tuple(words for words, _ in _WORDS)
_DECORATION = re.compile(r"[\s。！!，,.、~～…]+")


def _normalise(text: str) -> str:
    return _DECORATION.sub("", unicodedata.normalize("NFKC", text or "")).strip()


def parse_level(text: str) -> Level | None:
    """The level a reply names: its number in the offered list or its words; else None.

    Only a reply that is nothing but the rating counts ("2", "满意", "非常满意！"), so a
    question that happens to contain 满意 is still a question.
    """
    said = _normalise(text)
    if said.isdigit() and len(said) == 1 and 1 <= int(said) <= len(OFFERED):
        return OFFERED[int(said) - 1]
    for words, level in _WORDS:
        if said in (words, words + "的", "我" + words, "我觉得" + words):
            return level
    return None


def parse_reason(text: str) -> tuple[PoorReason, str | None] | None:
    """The reason a reply gives: its number or label; any other text is 其他 with that text."""
    said = _normalise(text)
    if not said:
        return None
    if said.isdigit() and len(said) == 1 and 1 <= int(said) <= len(OFFERED_REASONS):
        return OFFERED_REASONS[int(said) - 1], None
    for reason in OFFERED_REASONS:
        if said == reason.label:
            return reason, None
    return PoorReason.OTHER, (text or "").strip()[:500]

"""Chinese digits and small numbers as residents type or say them: 一二三, 幺, 两, 十二, 二十三.

One table for every reader: the ID and phone parsers turn digits into ASCII through it
(:mod:`bot.validators.numbers`), and numbered choices ("选二"), dates ("十二月三号") and
booking days ("4号的") read small numbers with :func:`small_number`. Which characters a
reader looks for stays with its own pattern; what they are worth is decided here.
"""
from __future__ import annotations

#: Chinese digits as they appear in typed and voice input; 幺 and 洞 are the radio/phone
#: readings of 1 and 0, 两 (兩) is the spoken 2.
CHINESE_DIGITS = {
    "零": "0", "〇": "0", "洞": "0",
    "一": "1", "幺": "1",
    "二": "2", "两": "2", "兩": "2",
    "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}
TEN = "十"


def digit_value(char: str) -> int | None:
    """0-9 for one Chinese digit ("幺" -> 1, "两" -> 2), None for anything else."""
    digit = CHINESE_DIGITS.get(char)
    return int(digit) if digit is not None else None


def small_number(token: str) -> int | None:
    """A number written in ASCII digits or Chinese numerals up to 99, or None.

    "12" -> 12, "三" -> 3, "两" -> 2, "十" -> 10, "十二" -> 12, "二十" -> 20, "二十三" -> 23.
    A run of Chinese digits without 十 ("一二") is not a number here: that is how digits
    of a phone are spoken, not a day or a choice. ASCII digits of any length are read as
    they are ("2026").
    """
    if token.isascii() and token.isdigit():
        return int(token)
    if TEN not in token:
        return digit_value(token) if len(token) == 1 else None
    tens, _, ones = token.partition(TEN)
    if len(tens) > 1 or len(ones) > 1:
        return None
    tens_value = digit_value(tens) if tens else 1
    ones_value = digit_value(ones) if ones else 0
    if tens_value is None or ones_value is None:
        return None
    return tens_value * 10 + ones_value

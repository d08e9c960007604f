"""Chinese digits and small numbers: one table for choices, dates, booking days and phones."""
from __future__ import annotations

from datetime import date

import pytest

from bot.choices import parse_number
from bot.flows.cancel_booking import _days_named
from bot.flows.dates import read_date
from bot.validators.chinese_digits import CHINESE_DIGITS, digit_value, small_number
from bot.validators.numbers import to_digits


@pytest.mark.parametrize("token, value", [
    ("0", 0), ("7", 7), ("12", 12), ("31", 31), ("2026", 2026),
    ("零", 0), ("〇", 0), ("洞", 0), ("一", 1), ("幺", 1), ("二", 2), ("两", 2), ("兩", 2), ("九", 9),
    ("十", 10), ("十一", 11), ("十二", 12), ("一十", 10), ("二十", 20), ("两十", 20), ("二十三", 23),
    ("三十一", 31), ("九十九", 99),
])
def test_small_numbers(token, value):
    assert small_number(token) == value


@pytest.mark.parametrize("token", [
    "", "一二", "二三十", "十二三", "十十", "二十十", "百", "十百", "X", "１２",  # full-width: not ASCII
])
def test_not_a_small_number(token):
    assert small_number(token) is None


def test_digit_values_follow_the_one_table():
    assert {char: digit_value(char) for char in CHINESE_DIGITS} == {
        char: int(digit) for char, digit in CHINESE_DIGITS.items()}
    assert digit_value("十") is None and digit_value("a") is None


def test_every_reader_uses_the_same_digits():
    """幺 and 两 mean the same in a phone, a numbered choice and a date."""
    assert to_digits("幺两三") == "123"
    assert parse_number("幺") == 1 and parse_number("两") == 2 and parse_number("十二") == 12
    today = date(2026, 12, 1)
    assert read_date("十二月两号", today).day == date(2026, 12, 2)
    assert _days_named("十二月二十三号的", today)[1] == {(12, 23)}


@pytest.mark.parametrize("text", ["十十号", "一三十号", "十二月十三五号"])
def test_malformed_chinese_numbers_name_no_date(text):
    """These raised ValueError (a failed action) before the readers shared one parser."""
    assert read_date(text, date(2026, 12, 1)) is None

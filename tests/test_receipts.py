"""Receipt numbers: readable, self-checking, random."""
from __future__ import annotations

import random

from bot.receipts import format_receipt, is_valid_receipt, new_receipt_no, parse_receipt


def test_new_numbers_are_ten_digits_valid_and_never_start_with_zero():
    numbers = [new_receipt_no() for _ in range(2000)]
    assert all(len(n) == 10 and n.isdigit() and n[0] != "0" for n in numbers)
    assert all(is_valid_receipt(n) for n in numbers)
    assert len(set(numbers)) > 1990  # random over 9e8 values: collisions are rare


def test_numbers_are_not_sequential():
    numbers = sorted(int(new_receipt_no()[:9]) for _ in range(200))
    gaps = [b - a for a, b in zip(numbers, numbers[1:], strict=False)]
    assert max(gaps) > 1000  # spread over the space, not counting up


def test_format_groups_four_four_two():
    assert format_receipt("2611290437") == "2611 2904 37"


def test_parse_accepts_spaces_hyphens_and_full_width_digits():
    number = new_receipt_no()
    spaced = format_receipt(number)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in spaced)
    assert parse_receipt(spaced) == number
    assert parse_receipt(number[:4] + "-" + number[4:]) == number
    assert parse_receipt(full_width) == number
    assert parse_receipt("") is None
    assert parse_receipt(number[:-1]) is None
    assert parse_receipt(number + "1") is None


def test_check_digit_catches_every_single_digit_error_and_adjacent_swap():
    rng = random.Random(3)
    for _ in range(300):
        number = new_receipt_no(rng.randrange)
        for pos in range(10):
            for digit in "0123456789":
                if digit != number[pos]:
                    assert not is_valid_receipt(number[:pos] + digit + number[pos + 1:])
        for pos in range(9):
            a, b = number[pos], number[pos + 1]
            if a != b:
                assert not is_valid_receipt(number[:pos] + b + a + number[pos + 2:])

"""ID numbers, phones, spoken digits and masking."""
from __future__ import annotations

from datetime import date

import pytest

from bot.personal.masking import mask_id, mask_personal_data, mask_phone
from bot.validators.id_number import InvalidIdNumber, age_on, parse_id_number
from bot.validators.numbers import to_digits
from bot.validators.phone import InvalidPhone, parse_phone

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize("value, birth, male", [
    ("11010519491231002X", date(1949, 12, 31), False),  # the GB 11643 example
    ("340202194003150013", date(1940, 3, 15), True),
    ("340202200002290012", date(2000, 2, 29), True),    # leap day
])
def test_valid_id_numbers(value, birth, male):
    parsed = parse_id_number(value, today=TODAY)
    assert (parsed.value, parsed.birth_date, parsed.is_male) == (value, birth, male)


@pytest.mark.parametrize("text, reason", [
    ("11010519491231002", "wrong_length"),
    ("1101051949123100AX", "bad_characters"),
    ("110105190002290015", "bad_birth_date"),   # 1900 was not a leap year
    ("110105188001010012", "bad_birth_date"),   # before 1900
    ("110105194913310025", "bad_birth_date"),
    ("110105203001010012", "future_birth_date"),
    ("110105194912310021", "bad_checksum"),
])
def test_invalid_id_numbers_say_why(text, reason):
    with pytest.raises(InvalidIdNumber) as info:
        parse_id_number(text, today=TODAY)
    assert info.value.reason == reason and info.value.message


def test_id_number_spoken_and_spaced():
    assert parse_id_number("1101 0519 4912 3100 2x", today=TODAY).value == "11010519491231002X"
    assert parse_id_number("幺幺零幺零五幺九四九幺二三幺零零二X", today=TODAY).value == "11010519491231002X"


def test_age_on_birthday_boundaries():
    assert age_on(date(1946, 11, 29), TODAY) == 80
    assert age_on(date(1946, 11, 30), TODAY) == 79


@pytest.mark.parametrize("text, value, kind", [
    ("13812345678", "13812345678", "mobile"),
    ("１３８ 1234-5678", "13812345678", "mobile"),
    ("幺三八 一二三四 五六七八", "13812345678", "mobile"),
    ("+86 138 1234 5678", "13812345678", "mobile"),
    ("0553-1234567", "05531234567", "landline"),
    ("010-12345678", "01012345678", "landline"),
])
def test_valid_phones(text, value, kind):
    assert parse_phone(text) == type(parse_phone(text))(value, kind)


@pytest.mark.parametrize("text, reason", [
    ("12345", "bad_mobile"), ("1381234567", "bad_mobile"), ("12812345678", "bad_mobile"),
    ("1234567", "missing_area_code"), ("电话", "bad_characters"), ("", "bad_characters"),
])
def test_invalid_phones(text, reason):
    with pytest.raises(InvalidPhone) as info:
        parse_phone(text)
    assert info.value.reason == reason


def test_to_digits():
    assert to_digits("洞幺两三") == "0123"
    assert to_digits("１２３-４５ 6") == "123456"


def test_masks():
    assert mask_id("340202194003150012") == "340202********0012"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("05531234567") == "0553-***4567"
    text = mask_personal_data("身份证340202194003150012，电话幺三八 一二三四 五六七八，卡6222021234567890123")
    assert "194003150" not in text and "1234" not in text.split("电话")[1].split("，")[0][:6]
    assert "340202********0012" in text and "138****5678" in text and "**** **** **** 0123" in text
    assert mask_personal_data("我今年八十二岁") == "我今年八十二岁"

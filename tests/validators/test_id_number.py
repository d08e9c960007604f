"""ID numbers: published samples, constructed Wuhu numbers and every kind of mistake."""
from datetime import date

import pytest

from bot.validators.id_number import IdNumber, InvalidIdNumber, age_on, check_digit, parse_id_number, stored_id_number

TODAY = date(2026, 3, 1)

# Published, known-valid sample numbers (not computed here):
#   11010519491231002X  the example in GB 11643-1999 (Beijing Chaoyang, 1949-12-31, female)
#   360426199101010071  python-stdnum's documentation example
#   440308199901101512  id-validator's README example (randomly generated, valid)
PUBLISHED = [
    ("11010519491231002X", date(1949, 12, 31), False),
    ("360426199101010071", date(1991, 1, 1), True),
    ("440308199901101512", date(1999, 1, 10), True),
]

# Constructed Wuhu (340202 镜湖区) numbers; check digits worked out once and written down.
LEAP_DAY_2000 = "340202200002290012"
ELDER_1945 = "340202194501011235"
ELDER_1946 = "340202194603150025"


@pytest.mark.parametrize("value, born, male", PUBLISHED)
def test_published_samples_are_valid(value, born, male):
    parsed = parse_id_number(value, today=TODAY)
    assert parsed == IdNumber(value=value, birth_date=born, is_male=male)
    assert check_digit(value[:17]) == value[17]


def test_constructed_numbers_agree_with_the_checksum():
    for value in (LEAP_DAY_2000, ELDER_1945, ELDER_1946, "34020219451231002X"):
        assert check_digit(value[:17]) == value[17]
        assert parse_id_number(value, today=TODAY).value == value


def test_leap_day_birth_2000_is_valid():
    parsed = parse_id_number(LEAP_DAY_2000, today=TODAY)
    assert parsed.birth_date == date(2000, 2, 29)
    assert parsed.is_male is True  # 17th digit 1


@pytest.mark.parametrize("value", [
    "990207198805121231",  # issue 20: checksum right, but 99 is no province
    "38064219921117061X",  # python-stdnum's checksum sample: 38 is no province either
    "000000198805121237",
])
def test_province_code_must_exist(value):
    assert check_digit(value[:17]) == value[17]
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(value, today=TODAY)
    assert err.value.reason == "bad_province"
    assert f"“{value[:2]}”不是任何一个省份的代码" in err.value.message


@pytest.mark.parametrize("value", ["110105194912310021", "810000199001010016", "820000199001010011",
                                   "830000199001010017", "650102199001010014"])
def test_every_province_level_code_is_accepted(value):
    body = value[:17]
    value = body + check_digit(body)
    assert parse_id_number(value, today=TODAY).value == value


@pytest.mark.parametrize("value", [
    "340202190002290016",  # 1900 was not a leap year (checksum itself is right)
    "340202202302290013",  # 2023 neither
    "340202199002300019",  # 30 February
    "340202199013010015",  # month 13
    "340202199000010016",  # month 0
])
def test_impossible_birth_dates(value):
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(value, today=TODAY)
    assert err.value.reason == "bad_birth_date"
    assert "出生日期" in err.value.message


def test_birth_before_1900_is_refused_even_with_a_valid_checksum():
    # The second example in GB 11643-1999: born 1880-01-01, checksum correct.
    assert check_digit("44052418800101001") == "4"
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number("440524188001010014", today=TODAY)
    assert err.value.reason == "bad_birth_date"
    assert "1900" in err.value.message


def test_future_birth_date():
    value = "340221202601020012"  # born 2026-01-02, checksum correct
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(value, today=date(2026, 1, 1))
    assert err.value.reason == "future_birth_date"
    assert "比今天还晚" in err.value.message
    assert parse_id_number(value, today=date(2026, 1, 2)).birth_date == date(2026, 1, 2)


@pytest.mark.parametrize("value", [
    "110105194912310021",  # wrong check digit
    "110105194912310029",  # another wrong check digit
    "360426199101010017",  # last two digits swapped
    "360426199110010071",  # two date digits swapped (still a real date)
    "340202194501011236",  # one digit off
])
def test_bad_checksum(value):
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(value, today=TODAY)
    assert err.value.reason == "bad_checksum"
    assert "核对" in err.value.message


@pytest.mark.parametrize("value, typed", [
    ("11010519491231002", 17),
    ("1101051949123100211", 19),
    ("1101051949", 10),
])
def test_wrong_length_says_how_many_digits_were_typed(value, typed):
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(value, today=TODAY)
    assert err.value.reason == "wrong_length"
    assert err.value.message == f"身份证号应为18位，您输入了{typed}位，请核对后重新输入。"


def test_old_15_digit_number_is_explained():
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number("610104620927690", today=TODAY)
    assert err.value.reason == "wrong_length"
    assert "15位" in err.value.message and "18位" in err.value.message


@pytest.mark.parametrize("text", ["", "  ", "不知道"])
def test_no_number_at_all(text):
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(text, today=TODAY)
    assert err.value.reason == "bad_characters"
    assert "没有看到身份证号码" in err.value.message


@pytest.mark.parametrize("value", [
    "1101051949X231002X",   # X in the middle
    "1101051949123100XX",   # two Xs
    "110105194912310O2X",   # letter O for zero
    "11010519491231002X还有电话13812345678",
])
def test_bad_characters(value):
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(value, today=TODAY)
    assert err.value.reason == "bad_characters"
    assert "X" in err.value.message and "数字" in err.value.message


@pytest.mark.parametrize("text", [
    "110105 19491231 002X",
    "110105-19491231-002x",
    "１１０１０５１９４９１２３１００２ｘ",
    "幺幺零幺零五 幺九四九幺二三幺 洞洞二叉",
    "我的身份证号是11010519491231002X。",
])
def test_typed_and_spoken_forms(text):
    assert parse_id_number(text, today=TODAY).value == "11010519491231002X"


def test_messages_and_repr_never_repeat_the_number():
    value = "110105194912310021"
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(value, today=TODAY)
    assert "19491231" not in err.value.message and "19491231" not in str(err.value)
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert repr(parsed) == "IdNumber('110105********002X')"
    assert parsed.masked == "110105********002X"


@pytest.mark.parametrize("born, day, age", [
    (date(1946, 3, 15), date(2026, 3, 14), 79),
    (date(1946, 3, 15), date(2026, 3, 15), 80),
    (date(1945, 1, 1), date(2026, 3, 1), 81),
    (date(2000, 2, 29), date(2001, 2, 28), 0),
    (date(2000, 2, 29), date(2001, 3, 1), 1),
    (date(2000, 2, 29), date(2004, 2, 29), 4),
    (date(2000, 2, 29), date(2000, 2, 29), 0),
])
def test_age_on(born, day, age):
    assert age_on(born, day) == age


def test_age_on_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


def test_age_from_a_parsed_number_decides_the_elderly_allowance():
    elder = parse_id_number(ELDER_1946, today=date(2026, 3, 15))
    assert age_on(elder.birth_date, date(2026, 3, 14)) == 79
    assert age_on(elder.birth_date, date(2026, 3, 15)) == 80


@pytest.mark.parametrize("value, stored", [
    ("11010519491231002x", "11010519491231002X"),
    ("110105 19491231 002X", "11010519491231002X"),
    ("110105-19491231-002X", "11010519491231002X"),
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width
    ("340202195506124567", "340202195506124567"),  # shape only: the check digit is parse_id_number's
    ("12345", None), ("1101051949123100XX", None), ("110105194912310021 3", None),
])
def test_what_a_service_stores(value, stored):
    assert stored_id_number(value) == stored

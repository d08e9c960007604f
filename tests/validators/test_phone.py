import pytest

from bot.validators.phone import InvalidPhone, Phone, is_storable_phone, parse_phone, phone_digits


@pytest.mark.parametrize("text", [
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "１３８１２３４５６７８",
    "幺三八 一二三四 五六七八",
    "一三八，一二三四，五六七八",
    "+86 138 1234 5678",
    "+86-13812345678",
    "8613812345678",
    "0086 138 1234 5678",
    "我的手机号是138 1234 5678",
])
def test_mobile_forms(text):
    assert parse_phone(text) == Phone(value="13812345678", kind="mobile")


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_mobile_prefix(prefix):
    assert parse_phone(prefix + "012345678").kind == "mobile"


@pytest.mark.parametrize("text, value", [
    ("0553-1234567", "05531234567"),
    ("05531234567", "05531234567"),
    ("0553 12345678", "055312345678"),
    ("(0553)1234567", "05531234567"),
    ("０５５３－１２３４５６７", "05531234567"),
    ("零五五三 幺二三四五六七", "05531234567"),
    ("010-12345678", "01012345678"),
    ("021 1234 5678", "02112345678"),
])
def test_landline_forms(text, value):
    assert parse_phone(text) == Phone(value=value, kind="landline")


@pytest.mark.parametrize("text, reason, hint", [
    ("1381234567", "bad_mobile", "您输入了10位"),
    ("138123456789", "bad_mobile", "您输入了12位"),
    ("12812345678", "bad_mobile", "13到19"),
    ("10012345678", "bad_mobile", "13到19"),
    ("12345", "bad_mobile", "11位"),
    ("0553-12345", "bad_landline", "区号0553后面输入了5位"),
    ("0553-123456789", "bad_landline", "7到8位"),
    ("0012345678", "bad_landline", "区号"),
    ("01112345678", "bad_landline", "区号"),
    ("1234567", "missing_area_code", "0553"),
    ("3112233", "missing_area_code", "0553"),
    ("87654321", "missing_area_code", "0553"),
    ("5123456789", "not_a_phone", "11位"),
    ("", "bad_characters", "没有看到电话号码"),
    ("电话", "bad_characters", "没有看到电话号码"),
    ("138abc45678", "bad_characters", "只能是数字"),
    ("0553-1234567转123", "bad_characters", "分机号"),
])
def test_invalid_phones_are_explained(text, reason, hint):
    with pytest.raises(InvalidPhone) as err:
        parse_phone(text)
    assert err.value.reason == reason
    assert hint in err.value.message


def test_phone_never_shows_the_full_number():
    phone = parse_phone("13812345678")
    assert repr(phone) == "Phone('138****5678', kind='mobile')" == str(phone)
    assert phone.masked == "138****5678"
    assert parse_phone("0553-1234567").masked == "0553-***4567"
    with pytest.raises(InvalidPhone) as err:
        parse_phone("1381234567")
    assert "1381234567" not in err.value.message


@pytest.mark.parametrize("value, storable", [
    ("13812345678", True), ("0553-3112233", True), ("１３８１２３４５６７８", True),  # full-width
    ("1234567", True), ("+86 138 1234 5678", True),  # 13 digits
    ("123456", False), ("0086 138 1234 5678", False), ("12", False), ("", False),
])
def test_what_a_service_stores(value, storable):
    """The services' own safety net: 7 to 13 digits, whatever the separators."""
    assert is_storable_phone(value) is storable


def test_phone_digits():
    assert phone_digits("0553-３112233") == "05533112233"

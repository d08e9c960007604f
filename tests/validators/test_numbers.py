import pytest

from bot.validators.numbers import number_core, split_area_code, to_digits


@pytest.mark.parametrize("text, digits", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("138.1234.5678", "13812345678"),
    ("１３８　１２３４　５６７８", "13812345678"),  # full-width digits and space
    ("１３８－１２３４－５６７８", "13812345678"),  # full-width hyphen
    ("幺三八 一二三四 五六七八", "13812345678"),
    ("一三八一二三四五六七八", "13812345678"),
    ("零五五三 幺二三四五六七", "05531234567"),
    ("洞五五三-幺二三四五六七", "05531234567"),
    ("〇五五三两三四五六七八", "05532345678"),
    ("(0553)1234567", "05531234567"),
    ("（0553）1234567", "05531234567"),
    ("+86 138 1234 5678", "8613812345678"),
    ("11010519491231002x", "11010519491231002X"),
    ("110105 19491231 002 x", "11010519491231002X"),
    ("幺幺零幺零五幺九四九幺二三幺零零二叉", "11010519491231002X"),
    ("", ""),
])
def test_to_digits(text, digits):
    assert to_digits(text) == digits


def test_to_digits_keeps_words_and_inner_letters_for_the_caller_to_report():
    assert to_digits("我的手机号是 138 1234 5678。") == "我的手机号是13812345678"
    assert to_digits("1101x0519491231002") == "1101x0519491231002"  # x not at the end stays
    assert to_digits("ab12") == "ab12"


def test_number_core_drops_words_around_but_not_inside():
    assert number_core(to_digits("我的手机号是138 1234 5678呀")) == "13812345678"
    assert number_core(to_digits("身份证11010519491231002X号"), allow_x=True) == "11010519491231002X"
    assert number_core(to_digits("11010519491231002X号")) == "11010519491231002"
    assert number_core("138转4567") == "138转4567"
    assert number_core("不知道") == ""


@pytest.mark.parametrize("digits, parts", [
    ("05531234567", ("0553", "1234567")),
    ("01012345678", ("010", "12345678")),
    ("02112345678", ("021", "12345678")),
    ("0011234567", None),
    ("01112345678", None),
    ("13812345678", None),
])
def test_split_area_code(digits, parts):
    assert split_area_code(digits) == parts

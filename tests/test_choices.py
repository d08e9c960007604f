import pytest

from bot.choices import buttons, numbered, parse_number, pick_option


@pytest.mark.parametrize("text, number", [
    ("1", 1), ("１", 1), ("一", 1), ("第一个", 1), ("1号", 1), ("选2", 2), ("就第三个吧", 3),
    ("我选第二个", 2), ("3.", 3), ("二号", 2), ("第2项", 2), ("十", 10),
    ("123", None), ("一个人", None), ("社保卡怎么办理需要什么材料", None), ("", None),
])
def test_parse_number(text, number):
    assert parse_number(text) == number


def test_pick_option_by_number_text_and_out_of_range():
    options = ["镜湖区", "弋江区", "鸠江区"]
    assert pick_option("2", options) == 1
    assert pick_option("鸠江区", options) == 2
    assert pick_option("4", options) is None
    assert pick_option("随便", options) is None


def test_numbered_and_buttons_agree():
    assert numbered(["甲", "乙"]) == "1. 甲\n2. 乙"
    assert buttons(["甲", "乙"]) == [{"title": "1. 甲", "payload": "1"}, {"title": "2. 乙", "payload": "2"}]


def test_pick_option_by_part_of_one_option_only():
    options = ["丢失（需要挂失）", "损坏", "信息变更"]
    assert pick_option("丢失", options) == 0
    assert pick_option("变更", options) == 2
    assert pick_option("区", ["镜湖区", "弋江区"]) is None  # too short and fits both
    assert pick_option("江区", ["镜湖区", "弋江区", "鸠江区"]) is None  # fits two

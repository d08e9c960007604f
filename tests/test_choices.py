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


# --- issue 20: one matcher, with meaning words and other names -------------------------------

REASONS = ["丢失（需要挂失）", "损坏", "信息变更"]
REASON_WORDS = [("丢了", "掉了"), ("坏了",), ("改名",)]


@pytest.mark.parametrize("text, index", [("丢了", 0), ("卡丢了", 0), ("我的卡掉了", 0), ("坏了", 1), ("2", 1),
                                         ("丢失", 0), ("两", 1), ("二号", 1), ("选二", 1)])
def test_pick_by_meaning_word(text, index):
    assert pick_option(text, REASONS, REASON_WORDS) == index


def test_other_names_of_an_option():
    districts = ["镜湖区", "湾沚区", "无为市"]
    aliases = [("镜湖",), ("湾沚", "芜湖县"), ("无为", "无为县")]
    assert pick_option("芜湖县", districts, aliases) == 1
    assert pick_option("我在无为县", districts, aliases) == 2
    assert pick_option("芜湖县", districts) is None  # without the catalogue's aliases


def test_the_longest_word_mentioned_wins_and_one_character_words_only_count_alone():
    options = ["确认提交", "修改"]
    aliases = [("好", "确认"), ("改", "不对")]
    assert pick_option("好", options, aliases) == 0
    assert pick_option("好像不对", options, aliases) == 1  # "好" alone would be a yes
    assert pick_option("确认", options, aliases) == 0


def test_a_negated_word_does_not_pick():
    options = ["邮寄到家", "到大厅领取"]
    aliases = [("邮寄", "寄到家"), ("到大厅", "自己去拿")]
    assert pick_option("寄到家里", options, aliases) == 0
    assert pick_option("不要邮寄，自己去拿", options, aliases) == 1

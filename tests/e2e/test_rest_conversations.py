"""Whole conversations through the real Rasa server, action server and database."""
from __future__ import annotations

import pytest

from tests.support.official_services import official_services

pytestmark = pytest.mark.e2e
NOTICE = "以窗口最新要求为准"


def test_greeting_shows_a_numbered_menu_with_buttons(stack, sender):
    messages = stack.say(sender, "你好")
    assert "芜湖市政务服务助手" in messages[0]["text"]
    assert "1. 社会保障卡申领" in messages[0]["text"]
    assert messages[0]["buttons"][0] == {"title": "1. 社会保障卡申领", "payload": "1"}


def test_menu_choice_by_number_answers_that_service(stack, sender):
    stack.say(sender, "您好")
    assert "【住房公积金租房提取】" in stack.text(sender, "2")


def test_service_answer_is_one_message_then_the_district_question(stack, sender):
    messages = stack.say(sender, "社保卡怎么办理")
    assert len(messages) == 2
    assert messages[0]["text"].startswith("【社会保障卡申领】") and NOTICE in messages[0]["text"]
    assert "哪个区县" in messages[1]["text"] and len(messages[1]["buttons"]) == 7


def test_service_answer_tells_everything_once_and_asks_the_district(stack, sender):
    text = stack.text(sender, "社保卡怎么办理")
    for part in ("【社会保障卡申领】", "市人力资源和社会保障局", "谁可以办", "要带的材料", "办理步骤",
                 "办理时限", "收费", "网上办", "常见问题", NOTICE, "示例数据", "哪个区县", "1. 镜湖区", "7. 无为市"):
        assert part in text, part


def test_district_by_number_shows_the_hall_and_is_remembered(stack, sender):
    stack.say(sender, "社保卡怎么办理")
    hall = stack.text(sender, "2")
    assert "弋江区" in hall and "地址" in hall and NOTICE in hall
    text = stack.text(sender, "公积金租房提取要带什么")
    assert "【住房公积金租房提取】" in text
    assert "办理地点（弋江区）" in text
    assert "哪个区县" not in text


def test_district_by_name_after_the_answer(stack, sender):
    stack.say(sender, "身份证过期了怎么换")
    assert "镜湖区" in stack.text(sender, "我在镜湖区")


def test_district_named_in_the_question(stack, sender):
    text = stack.text(sender, "我在无为,社保卡丢了怎么补办")
    assert "【社会保障卡挂失补换】" in text
    assert "办理地点（无为市）" in text


@pytest.mark.parametrize("row", official_services(), ids=lambda r: r["id"])
def test_asking_by_official_name_answers_with_that_exact_name(stack, sender, row):
    text = stack.text(sender, f"{row['name']}怎么办理")
    assert f"【{row['name']}】" in text
    assert NOTICE in text


def test_out_of_scope_names_no_service_and_offers_12345(stack, sender):
    text = stack.text(sender, "今天天气怎么样")
    assert "12345" in text
    assert not [r["name"] for r in official_services() if r["name"] in text]


def test_thanks_goodbye(stack, sender):
    assert "不客气" in stack.text(sender, "谢谢")
    assert "再见" in stack.text(sender, "再见")


def test_traditional_characters_and_full_width_are_understood(stack, sender):
    assert "【社会保障卡申领】" in stack.text(sender, "社會保障卡　怎麼辦理？？")


@pytest.mark.parametrize("message, expected", [
    ("", "还没有输入内容"),
    ("   \n\t  ", "还没有输入内容"),
    ("😀😀👍", "看不懂表情"),
    ("How do I renew my ID card?", "中文"),
    ("社" * 5000, "太长"),
    ("\x00\x01\x02", "还没有输入内容"),
])
def test_bad_input_gets_a_polite_reply_and_no_error(stack, sender, message, expected):
    text = stack.text(sender, message)
    assert expected in text
    log = stack.log_text()
    assert "Traceback" not in log and " ERROR " not in log


def test_a_number_without_a_question_asks_what_to_do(stack, sender):
    assert "想办什么事" in stack.text(sender, "3")


def test_a_frequently_asked_question_gets_its_answer(stack, sender):
    """The FAQ selector runs only for messages taken for an FAQ (bot/nlu/faq_selector.py)."""
    text = stack.text(sender, "政务服务中心几点上班")
    assert "办公时间一般为周一至周五" in text and NOTICE in text


def test_a_frequently_asked_question_inside_a_flow_is_answered_and_the_flow_goes_on(stack, sender):
    stack.say(sender, "高龄津贴怎么申请")
    assert "第1步" in stack.text(sender, "办理")
    text = stack.text(sender, "政务服务中心几点上班")
    assert "办公时间一般为周一至周五" in text and "第1步" in text

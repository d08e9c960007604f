"""Generic questions get their family of services; a district change is confirmed (issue 20)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

WITHDRAWALS = "1. 住房公积金租房提取\n2. 住房公积金购房提取\n3. 住房公积金退休提取"


@pytest.mark.parametrize("question", ["公积金怎么提取", "我想把公积金取出来"])
def test_generic_withdrawal_question_offers_every_withdrawal(stack, sender, question):
    messages = stack.say(sender, question)
    assert WITHDRAWALS in messages[-1]["text"]
    assert len(messages[-1]["buttons"]) == 3
    assert not any(m.get("text", "").startswith("【") for m in messages)  # no confident answer
    assert "【住房公积金租房提取】" in stack.text(sender, "1")


def test_vague_certificate_request_offers_numbered_certificates(stack, sender):
    messages = stack.say(sender, "办证")
    assert "没太明白" not in messages[-1]["text"]
    assert "1. 居民身份证申领换领" in messages[-1]["text"] and len(messages[-1]["buttons"]) == 3


def test_lost_household_register_offers_household_services(stack, sender):
    text = stack.text(sender, "户口本丢了")
    assert "1. 户口迁移" in text and "新生儿出生登记" in text
    assert "不动产" not in text


def test_moving_to_another_district_is_confirmed_and_remembered(stack, sender):
    stack.say(sender, "社保卡怎么办理")
    assert "镜湖区" in stack.text(sender, "1")
    moved = stack.say(sender, "我搬到无为了")
    assert moved[0]["text"].startswith("好的，记住了，您在无为市（原来是镜湖区）")
    assert "户口迁移" in moved[-1]["text"]
    assert "办理地点（无为市）" in stack.text(sender, "身份证过期了怎么换")

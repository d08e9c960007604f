"""查进度 and 取消预约 over REST with two residents: choosing what to cancel, and proof elsewhere.

Resident A books two visits and applies for 高龄津贴, then cancels one booking by
choosing it. Resident B, another conversation, sees nothing without proof, sees A's
application with its number and the last 4 digits of the ID number, and is refused
after too many wrong tries (issues 11 and 20).
"""
from __future__ import annotations

import re
import uuid

import pytest

from bot.records.proof import FAILED_TEXT, LOCKED_TEXT
from tests.support.ids import id_number

pytestmark = pytest.mark.e2e

ELDER_ID = id_number("19410520", "017")  # not used by other e2e tests (one open application per ID)


def run(stack, sender, *messages) -> str:
    text = ""
    for message in messages:
        text = stack.text(sender, message)
    return text


def book(stack, sender, service: str) -> str:
    assert "要办哪项业务" in stack.text(sender, "我要预约")
    run(stack, sender, service, "1", "1", "1", "张伟")
    assert "请核对" in stack.text(sender, "13812345678")
    done = stack.text(sender, "1")
    assert "预约成功" in done, done
    return re.search(r"预约编号：([\d ]+)", done).group(1).strip()


def apply(stack, sender) -> str:
    stack.say(sender, "高龄津贴怎么申请")
    stack.say(sender, "办理")
    run(stack, sender, "1", "王秀英", ELDER_ID, "1", "赭山街道赭山社区")
    assert "请核对" in stack.text(sender, "13900001234")
    done = stack.text(sender, "1")
    assert "提交成功" in done, done
    return re.search(r"受理编号：([\d ]+)", done).group(1).strip()


def test_two_residents_cancel_by_choosing_and_look_up_with_proof(stack):
    a, b = f"a-{uuid.uuid4().hex[:8]}", f"b-{uuid.uuid4().hex[:8]}"
    first = book(stack, a, "社会保障卡申领")
    second = book(stack, a, "居民身份证申领换领")
    receipt = apply(stack, a)

    # A: two bookings, so 取消预约 lists them and cancels nothing yet.
    listed = stack.text(a, "取消预约")
    assert "请问要取消哪个预约" in listed and "已取消" not in listed
    assert "1. 社会保障卡申领" in listed and "2. 居民身份证申领换领" in listed
    summary = stack.text(a, "2")
    assert "请核对" in summary and second in summary and first not in summary
    done = stack.text(a, "1")
    assert done.startswith("已取消预约：居民身份证申领换领") and "您还有1个预约" in done and first in done
    own = stack.text(a, "查进度")
    assert receipt in own and first in own and second not in own

    # B: nothing without proof.
    asked = stack.text(b, "查进度")
    assert "受理编号或预约编号" in asked and receipt not in asked and first not in asked
    digits = stack.text(b, receipt)
    assert "最后4位" in digits and "高龄津贴" not in digits
    found = stack.text(b, ELDER_ID[-4:])
    assert f"高龄津贴申领（受理编号 {receipt}）：受理" in found

    # B: wrong digits, five times, then refused, also when asking again.
    stack.text(b, "查进度")
    stack.text(b, receipt)
    wrong = [stack.text(b, f"000{i}") for i in range(5)]
    assert all(FAILED_TEXT in w for w in wrong[:4]) and "高龄津贴" not in "".join(wrong)
    assert wrong[4] == LOCKED_TEXT
    assert stack.text(b, "查进度") == LOCKED_TEXT

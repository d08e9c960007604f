"""The conversation around an inbox message shows reviewers no part of a number, name or address."""
from __future__ import annotations

import pytest

from bot.event_masking import mask_bot_text
from bot.personal.masking import mask_personal_data
from console.teaching.redaction import HIDDEN, NUMBER, for_reviewers

ID = "340202199001011234"
PHONE = "13912345678"


@pytest.mark.parametrize("stored", [
    f"我的身份证号是{ID}",  # written before masking covered it
    f"我的身份证号是{mask_personal_data(ID)}",  # 340202********1234, as the tracker store keeps it
    "身份证 3402 0219 9001 0112 34",
])
def test_no_digit_of_an_id_number_is_left(stored):
    shown = for_reviewers(stored)
    assert shown == f"{stored[:stored.index('是') + 1] if '是' in stored else '身份证 '}{NUMBER}"
    assert "3402" not in shown and "1234" not in shown and "34" not in shown


@pytest.mark.parametrize("stored", [f"电话{PHONE}，", f"电话{mask_personal_data(PHONE)}，", "电话139 1234 5678，",
                                    "电话+86 139-1234-5678，"])
def test_no_digit_of_a_phone_is_left(stored):
    assert for_reviewers(stored) == f"电话{NUMBER}，"


def test_bank_cards_and_landlines_go_too():
    assert for_reviewers("卡号 6222 0212 3456 7890 123") == f"卡号 {NUMBER}"
    assert NUMBER in for_reviewers("家里电话 0553-5812345") and "2345" not in for_reviewers("家里电话 0553-5812345")


def test_name_and_address_lines_of_a_summary_are_hidden():
    summary = mask_bot_text("请核对：\n· 老人姓名：王秀兰\n· 居住地址：镜湖区赭山街道某小区3栋201\n"
                            "· 申请事项：高龄津贴")
    shown = for_reviewers(summary)
    assert shown == f"请核对：\n· 老人姓名：{HIDDEN}\n· 居住地址：{HIDDEN}\n· 申请事项：高龄津贴"


def test_ordinary_text_stays_as_it_is():
    for text in ("大厅 9:00 开门，10:30 有号", "第2步，共8步", "拨打12345", "社保卡丢了怎么办", ""):
        assert for_reviewers(text) == text

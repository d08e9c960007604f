"""Guided applications and appointments, whole conversations through the real servers."""
from __future__ import annotations

import re
from datetime import date

import pytest

from bot.applications.models import Application
from bot.db import session_factory

pytestmark = pytest.mark.e2e

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: str, seq: str = "001") -> str:
    """An ID number with a correct GB 11643 check digit (Wuhu area code 340202)."""
    body = f"340202{birth}{seq}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


ELDER_ID = id_number("19400315")       # 86 in 2026
YOUNG_ID = id_number("19600701")       # 66 in 2026


def stored_applications(db_url: str, sender: str) -> list:
    from sqlalchemy import select

    with session_factory(db_url)() as session:
        return list(session.scalars(select(Application).where(Application.sender_id == sender)))


def run(stack, sender, *messages) -> str:
    text = ""
    for message in messages:
        text = stack.text(sender, message)
    return text


def start_elderly(stack, sender) -> str:
    stack.say(sender, "高龄津贴怎么申请")
    return stack.text(sender, "办理")


def test_elderly_allowance_happy_path_with_receipt_and_progress(stack, sender, catalogue_db_url):
    first = start_elderly(stack, sender)
    assert "第1步" in first and "1. 老人本人申请" in first
    assert "老人的姓名" in stack.text(sender, "1")
    assert "身份证号" in stack.text(sender, "王秀英")
    assert "哪个区县" in stack.text(sender, ELDER_ID)
    assert "街道" in stack.text(sender, "1")
    assert "联系电话" in stack.text(sender, "赭山街道赭山社区")
    summary = stack.text(sender, "幺三八 一二三四 五六七八")
    assert "请核对" in summary
    assert ELDER_ID not in summary and f"{ELDER_ID[:6]}********{ELDER_ID[-4:]}" in summary
    assert "138****5678" in summary and "13812345678" not in summary
    done = stack.text(sender, "1")
    receipt = re.search(r"受理编号：([\d ]+)", done).group(1).strip()
    assert "10个工作日" in done
    apps = stored_applications(catalogue_db_url, sender)
    assert len(apps) == 1 and apps[0].status == "受理"
    # A second 确认 never creates a second application.
    stack.say(sender, "确认")
    assert len(stored_applications(catalogue_db_url, sender)) == 1
    progress = stack.text(sender, "查进度")
    assert receipt in progress and "受理" in progress
    # Another conversation sees nothing of it.
    assert receipt not in stack.text(sender + "-other", "查进度")
    # Staff move it on (the CLI's service call); the resident's progress answer follows.
    from bot.applications.service import advance_status

    advance_status(session_factory(catalogue_db_url), receipt_no=receipt.replace(" ", ""),
                   status="审核中", actor="测试")
    assert "审核中" in stack.text(sender, "我的申请到哪一步了")


def test_under_80_gets_a_kind_explanation_and_nothing_is_stored(stack, sender, catalogue_db_url):
    start_elderly(stack, sender)
    run(stack, sender, "1", "李建国")
    reply = stack.text(sender, YOUNG_ID)
    assert "66周岁" in reply and "2040年7月1日" in reply
    assert stored_applications(catalogue_db_url, sender) == []


def test_back_restart_repeat_help(stack, sender):
    start_elderly(stack, sender)
    run(stack, sender, "1", "王秀英")
    back = stack.text(sender, "上一步")
    assert "您之前填的是：王秀英" in back and "老人的姓名" in back
    assert "老人的姓名" in stack.text(sender, "再说一遍")
    assert "身份证上的姓名一致" in stack.text(sender, "帮助")
    assert "从头重新填" in stack.text(sender, "重新填")


def test_cancel_asks_once_and_stores_nothing(stack, sender, catalogue_db_url):
    start_elderly(stack, sender)
    run(stack, sender, "1", "王秀英")
    assert "确定不办了吗" in stack.text(sender, "不办了")
    assert "没有保存" in stack.text(sender, "1")
    assert stored_applications(catalogue_db_url, sender) == []


def test_a_service_question_mid_form_is_answered_then_the_form_resumes(stack, sender):
    start_elderly(stack, sender)
    run(stack, sender, "1", "王秀英")
    reply = stack.text(sender, "身份证过期了怎么换")
    assert "【居民身份证申领换领】" in reply
    assert "我们继续" in reply and "身份证号" in reply.split("我们继续")[-1]


def test_invalid_id_and_phone_are_explained_and_asked_again(stack, sender):
    start_elderly(stack, sender)
    run(stack, sender, "1", "王秀英")
    bad_checksum = ELDER_ID[:-1] + ("0" if ELDER_ID[-1] != "0" else "1")
    reply = stack.text(sender, bad_checksum)
    assert "身份证号" in reply and "哪个区县" not in reply
    run(stack, sender, ELDER_ID, "1", "赭山街道赭山社区")
    reply = stack.text(sender, "12345")
    assert "手机号应是1开头的11位数字" in reply and "请核对您填写" not in reply
    assert reply.endswith("联系电话（手机或带区号的座机）。")


def test_correction_at_the_summary(stack, sender):
    start_elderly(stack, sender)
    run(stack, sender, "1", "王秀英", ELDER_ID, "1", "赭山街道赭山社区", "13812345678")
    assert "改一下联系电话" in stack.text(sender, "手机号填错了")
    summary = stack.text(sender, "13900001111")
    assert "请核对" in summary and "139****1111" in summary and "王秀英" in summary


def test_sbk_loss_report_takes_effect_immediately(stack, sender, catalogue_db_url):
    stack.say(sender, "社保卡丢了怎么补办")
    stack.say(sender, "办理")
    run(stack, sender, "张伟", id_number("19850611"), "丢失", "邮寄到家", "镜湖区赭山路18号3栋201")
    assert "请核对" in stack.text(sender, "13812345678")
    done = stack.text(sender, "确认")
    assert "已挂失，立即生效" in done and "受理编号" in done
    assert len(stored_applications(catalogue_db_url, sender)) == 1


def test_appointment_booked_by_tapping_then_cancelled(stack, sender):
    first = stack.text(sender, "我要预约")
    assert "要办哪项业务" in first
    assert "哪个区县" in stack.text(sender, "1")
    days = stack.text(sender, "1")
    assert "哪天去" in days and "1." in days
    not_offered = stack.text(sender, "99")  # a day that is not among the working days offered
    assert "请回复 1 到" in not_offered and "哪天去" in not_offered
    slots = stack.text(sender, "1")
    assert "还剩" in slots
    run(stack, sender, "1", "张伟")
    assert "请核对" in stack.text(sender, "13812345678")
    done = stack.text(sender, "1")
    assert "预约成功" in done and "预约编号" in done
    assert "已取消预约" in stack.text(sender, "取消预约")
    assert "没有可以取消的预约" in stack.text(sender, "取消预约")


def test_controls_outside_a_flow(stack, sender):
    assert "没有正在填写的申请" in stack.text(sender, "上一步")


def test_tracker_store_keeps_no_id_or_phone_numbers(stack, sender):
    import sqlite3

    start_elderly(stack, sender)
    run(stack, sender, "1", "王秀英", ELDER_ID, "1", "赭山街道赭山社区", "13812345678")
    with sqlite3.connect(stack.tracker_db) as db:
        rows = [r[0] for r in db.execute("select data from events where sender_id = ?", (sender,))]
    assert len(rows) > 10  # the SQL tracker store really holds this conversation
    stored = "\n".join(rows)
    assert ELDER_ID not in stored and "13812345678" not in stored
    assert ELDER_ID[-4:] in stored  # masked, not dropped

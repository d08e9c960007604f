"""Guided applications and appointments, whole conversations through the real servers."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bot.applications.models import Application
from bot.db import session_factory
from tests.support.ids import id_number

pytestmark = pytest.mark.e2e

ELDER_ID = id_number("19400315")       # 86 in 2026
YOUNG_ID = id_number("19600701")       # 66 in 2026


def stored_applications(db_url: str, sender: str) -> list:
    """Applications of a REST sender (stored under its conversation id, "rest:<sender>")."""
    from sqlalchemy import select

    from channels.rest.endpoint import conversation_id

    with session_factory(db_url)() as session:
        return list(session.scalars(select(Application).where(Application.sender_id == conversation_id(sender))))


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
    assert "要取消的预约" in stack.text(sender, "取消预约")  # bot/flows/cancel_booking.py asks first
    assert "已取消预约" in stack.text(sender, "1")
    assert "没有可以取消的预约" in stack.text(sender, "取消预约")


def test_controls_outside_a_flow(stack, sender):
    assert "没有正在填写的申请" in stack.text(sender, "上一步")


def test_tracker_store_keeps_no_id_or_phone_numbers(stack, sender):
    import sqlite3

    start_elderly(stack, sender)
    run(stack, sender, "1", "王秀英", ELDER_ID, "1", "赭山街道赭山社区", "13812345678")
    from channels.rest.endpoint import conversation_id

    with sqlite3.connect(stack.tracker_db) as db:
        rows = [r[0] for r in db.execute("select data from events where sender_id = ?", (conversation_id(sender),))]
    assert len(rows) > 10  # the SQL tracker store really holds this conversation
    stored = "\n".join(rows)
    assert ELDER_ID not in stored and "13812345678" not in stored
    assert ELDER_ID[-4:] in stored  # masked, not dropped


# --- issue 20: commands and questions mid-flow, spoken dates, what a booking took over --------

def test_commands_and_questions_mid_flow_are_answered_never_stored(stack, sender):
    start_elderly(stack, sender)
    stack.say(sender, "1")
    handoff = stack.text(sender, "转人工")  # queued with the step for the agent; the answers are kept
    assert "已为您转人工" in handoff and "高龄津贴申请 · 第2步（共6步）已保存" in handoff
    assert "还没办完" in stack.text(sender, "不等了")
    assert stack.text(sender, "再说一遍").endswith("请告诉我老人的姓名。")
    assert "您正在办理高龄津贴申请" in stack.text(sender, "你好")
    assert "您正在办理高龄津贴申请" in stack.text(sender, "我要预约")
    question = stack.text(sender, "社保卡怎么办")
    assert "我们继续" in question and question.endswith("请告诉我老人的姓名。")
    assert "身份证号" in stack.text(sender, "张桂兰。")
    assert "我们继续" in stack.text(sender, "公积金怎么提取")
    run(stack, sender, ELDER_ID, "1")
    address = stack.text(sender, "办事大厅几点下班")
    assert "我们继续" in address and address.endswith("哪个社区（村）？")
    summary = run(stack, sender, "赭山街道赭山社区。", "13812345678")
    assert "· 老人姓名：张桂兰\n" in summary and "· 街道社区：赭山街道赭山社区\n" in summary


def _first_day(predicate) -> date:
    """The first day of the booking window (Wuhu's today + 1..14) that fits, as the stack sees it."""
    from bot.appointments.calendar import is_working_day, local_today

    days = [local_today() + timedelta(days=n) for n in range(1, 15)]
    return next(day for day in days if predicate(day, is_working_day(day)))


def test_a_booking_by_spoken_date_after_a_service_question(stack, sender):
    stack.say(sender, "我在无为，护照怎么办")
    first = stack.text(sender, "我要预约")
    assert "办理事项：普通护照签发（刚才问的）" in first and "（第3步，共6步）哪天去" in first
    assert "您之前填的是：无为市" in stack.text(sender, "上一步")
    stack.say(sender, "7")  # 无为市 again
    closed = _first_day(lambda day, working: day.weekday() >= 5 and working is False)
    refused = stack.text(sender, f"{closed.month}月{closed.day}日")
    assert f"{closed.month}月{closed.day}日是周" in refused and "大厅不开放" in refused
    open_day = _first_day(lambda day, working: working is True)
    assert "还剩" in stack.text(sender, f"{open_day.month}月{open_day.day}号")
    summary = run(stack, sender, "1", "张伟", "13812345678")
    assert "· 办理大厅：无为市公安局出入境接待大厅（芜湖市无为市" in summary
    done = stack.text(sender, "好")
    assert "预约成功" in done and "地点：无为市公安局出入境接待大厅（芜湖市无为市" in done

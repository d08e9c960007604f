"""The three flows' questions, checks and summaries, driven through the engine."""
from __future__ import annotations

from datetime import date

import pytest

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.flows import elderly_allowance, engine, sbk_replace
from bot.flows.context import flow_context
from bot.flows.engine import Option
from tests.support.flows import drive
from tests.support.ids import id_number

TODAY = date(2026, 11, 29)
DISTRICTS = (Option("镜湖区", "jinghu"), Option("弋江区", "yijiang"))


def test_elderly_allowance_by_an_agent():
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    outcome, transcript = drive(flow, ["2", "王小明", "13912345678", "王秀英", id_number("19400315"), "1",
                                       "赭山街道赭山社区", "0553-1234567"])
    summary = transcript[-1]
    assert "· 申请方式：子女或亲属代办" in summary and "· 代办人电话：139****5678" in summary
    assert "340202********" in summary and "· 所在区县：镜湖区" in summary
    final, _ = drive(flow, ["1"], outcome.state)
    assert final.finished
    assert final.state["values"]["phone"] == "05531234567"


def test_elderly_allowance_under_80_on_the_day_of_application():
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    # Turns 80 tomorrow: refused today, with the date they may apply.
    outcome, transcript = drive(flow, ["1", "王秀英", id_number("19461130")])
    assert outcome.cancelled and "79周岁" in transcript[-1] and "2026年11月30日" in transcript[-1]
    # Turned 80 today: accepted.
    outcome, transcript = drive(flow, ["1", "王秀英", id_number("19461129")])
    assert not outcome.cancelled and "哪个区县" in transcript[-1]


def test_bad_id_and_phone_are_explained_specifically():
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    good = id_number("19400315")
    _, transcript = drive(flow, ["1", "王秀英", good[:-2]])
    assert "18位" in transcript[-2] and transcript[-1].endswith("（可以一个一个数字说）。")
    _, transcript = drive(flow, ["1", "王秀英", good, "1", "赭山街道赭山社区", "12345"])
    assert "手机号应是1开头的11位数字" in transcript[-2] and "联系电话" in transcript[-1]


def test_spoken_chinese_digits_are_understood():
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    outcome, _ = drive(flow, ["1", "王秀英", id_number("19400315"), "1", "赭山街道赭山社区",
                              "幺三八 一二三四 五六七八"])
    assert outcome.state["values"]["phone"] == "13812345678"


def test_sbk_replace_lost_card_by_mail_and_next_steps():
    flow = sbk_replace.build(today=TODAY, districts=DISTRICTS)
    outcome, transcript = drive(flow, ["张伟", id_number("19850611"), "丢失", "邮寄", "镜湖区赭山路18号3栋201",
                                       "13812345678"])
    assert "· 邮寄地址：镜湖区赭山路18号3栋201" in transcript[-1]
    assert "领卡大厅" not in transcript[-1]
    assert "已挂失，立即生效" in sbk_replace.next_steps(outcome.state["values"])
    assert "挂失" not in sbk_replace.next_steps({**outcome.state["values"], "reason": "damaged"})


@pytest.fixture()
def ctx(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    load_catalogue(session_factory(url), PROJECT_ROOT / "data" / "catalogue")
    monkeypatch.setenv("GOV_DATABASE_URL", url)
    return flow_context(lambda: TODAY)


def test_appointment_offers_only_bookable_days_and_slots_with_room(ctx):
    flow = ctx.build("appointment")
    outcome, transcript = drive(flow, ["居民身份证申领换领", "1"])
    days = transcript[-1]
    assert "11月30日（周一）" in days and "12月5日" not in days  # Saturday
    outcome, transcript = drive(flow, ["1"], outcome.state)
    assert "09:00-10:00（还剩5个）" in transcript[-1]


# --- issue 20 -------------------------------------------------------------------------------

@pytest.mark.parametrize("said", ["转人工", "你好", "我要预约", "社保卡怎么办", "谢谢"])
def test_nothing_but_a_name_is_taken_as_a_name(said):
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    outcome, transcript = drive(flow, ["1", said])
    assert "elder_name" not in outcome.state["values"]
    assert transcript[-1].endswith("请告诉我老人的姓名。")


@pytest.mark.parametrize("said, name", [("张桂兰。", "张桂兰"), ("我叫李明。", "李明"), ("王秀英", "王秀英"),
                                        ("我的名字是 欧阳 娜娜", "欧阳娜娜"), ("买买提·艾力", "买买提·艾力")])
def test_names_as_typed_or_spoken(said, name):
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    outcome, _ = drive(flow, ["1", said])
    assert outcome.state["values"]["elder_name"] == name


def test_address_step_refuses_questions_and_markup_and_keeps_no_trailing_stop():
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    start, _ = drive(flow, ["1", "王秀英", id_number("19400315"), "1"])
    asked, transcript = drive(flow, ["办事大厅几点下班"], start.state)
    assert asked.aside and "street" not in asked.state["values"]
    _, transcript = drive(flow, ["<script>alert(1)</script>"], start.state)
    assert "不能有网页代码" in transcript[-2] and "中文" in transcript[-2]
    said, _ = drive(flow, ["地址是赭山街道赭山社区。"], start.state)
    assert said.state["values"]["street"] == "赭山街道赭山社区"


def test_phone_given_in_a_sentence():
    flow = sbk_replace.build(today=TODAY, districts=DISTRICTS)
    outcome, _ = drive(flow, ["张伟", id_number("19850611"), "2", "到大厅领取", "1", "我的电话是13812345678。"])
    assert outcome.state["values"]["phone"] == "13812345678"


def test_a_service_question_at_the_id_step_is_not_told_to_enter_an_id():
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    outcome, transcript = drive(flow, ["1", "王秀英", "社保卡怎么办"])
    assert outcome.aside and "没有看到身份证号码" not in "\n".join(transcript)


def test_id_with_an_unknown_province_code_is_refused():
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    _, transcript = drive(flow, ["1", "王秀英", "990207198805121231"])
    assert "省份" in transcript[-2] and transcript[-1].endswith("（可以一个一个数字说）。")


def test_agents_phone_is_corrected_by_name_with_the_right_step_number():
    flow = elderly_allowance.build(today=TODAY, districts=DISTRICTS)
    outcome, _ = drive(flow, ["2", "王小明", "13912345678", "王秀英", id_number("19400315"), "1",
                              "赭山街道赭山社区", "0553-1234567"])
    for said in ("代办人电话填错了", "代办人的手机号填错了"):
        changed, transcript = drive(flow, [said], outcome.state)
        assert "改一下代办人电话" in transcript[-1] and "（第3步，共8步）" in transcript[-1], said
        done, _ = drive(flow, ["13900001111", "1"], changed.state)
        assert done.finished and done.state["values"]["agent_phone"] == "13900001111"


@pytest.mark.parametrize("said, value", [("丢了", "lost"), ("卡丢了", "lost"), ("坏了", "damaged")])
def test_reason_in_residents_words(said, value):
    flow = sbk_replace.build(today=TODAY, districts=DISTRICTS)
    outcome, _ = drive(flow, ["张伟", id_number("19850611"), said])
    assert outcome.state["values"]["reason"] == value


def test_delivery_in_residents_words():
    flow = sbk_replace.build(today=TODAY, districts=DISTRICTS)
    outcome, transcript = drive(flow, ["张伟", id_number("19850611"), "丢失", "寄到家里"])
    assert outcome.state["values"]["delivery"] == "mail" and "收卡地址" in transcript[-1]


def test_old_district_names_at_a_flows_district_step(ctx):
    flow = ctx.build(elderly_allowance.SERVICE_ID)
    outcome, _ = drive(flow, ["1", "王秀英", id_number("19400315"), "芜湖县"])
    assert outcome.state["values"]["district"] == "wanzhi"
    outcome, _ = drive(flow, ["1", "王秀英", id_number("19400315"), "我在无为县"])
    assert outcome.state["values"]["district"] == "wuwei"
    outcome, _ = drive(flow, ["1", "王秀英", id_number("19400315"), "三山区"])  # merged into 弋江区
    assert outcome.state["values"]["district"] == "yijiang"


DEC_1 = date(2026, 12, 1)  # a Tuesday, the day the tester met these


@pytest.fixture()
def dec1(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    load_catalogue(session_factory(url), PROJECT_ROOT / "data" / "catalogue")
    monkeypatch.setenv("GOV_DATABASE_URL", url)
    return flow_context(lambda: DEC_1)


def at_day_step(ctx):
    flow = ctx.build("appointment")
    outcome, _ = drive(flow, ["居民身份证申领换领", "2"])
    return flow, outcome.state


@pytest.mark.parametrize("said, day", [("明天", "2026-12-02"), ("后天", "2026-12-03"), ("周五", "2026-12-04"),
                                       ("12月3号", "2026-12-03"), ("十二月七日", "2026-12-07"),
                                       ("下周一", "2026-12-07"), ("明天可以吗", "2026-12-02"), ("3", "2026-12-04")])
def test_dates_as_residents_say_them(dec1, said, day):
    flow, state = at_day_step(dec1)
    outcome, _ = drive(flow, [said], state)
    assert outcome.state["values"]["day"] == day


@pytest.mark.parametrize("said, why", [
    ("12月5日", "12月5日是周六，大厅不开放"),
    ("下周六", "12月12日是周六，大厅不开放"),
    ("国庆节那天", "国庆节是法定节假日，大厅不开放"),
    ("12月18日", "只能预约14天以内的日子（到12月15日）"),
    ("11月30日", "11月30日已经过去了"),
    ("今天", "当天不能预约"),
])
def test_a_day_that_cannot_be_booked_says_why(dec1, said, why):
    flow, state = at_day_step(dec1)
    outcome, transcript = drive(flow, [said], state)
    assert "day" not in outcome.state["values"]
    assert why in transcript[-2] and "请回复 1 到" not in transcript[-2]
    assert "哪天去" in transcript[-1]


def test_booking_summary_names_the_hall_and_its_address_and_modify_offers_its_own_fields(dec1):
    flow = dec1.build("appointment")
    outcome, transcript = drive(flow, ["居民身份证申领换领", "2", "1", "1", "张伟", "13812345678"])
    assert "· 办理大厅：弋江区政务服务中心（芜湖市弋江区中山南路718号）" in transcript[-1]
    _, transcript = drive(flow, ["修改"], outcome.state)
    assert "1. 办理事项\n2. 办理大厅\n3. 日期\n4. 时段\n5. 姓名\n6. 手机号\n7. 不用改了" in transcript[-1]
    assert "地址" not in transcript[-1]


def test_a_booking_started_after_a_question_names_what_it_took_over(dec1):
    flow = dec1.build("appointment")
    started = engine.start(flow, {"service": "passport", "district": "wuwei"})
    intro = started.messages[-1].text
    assert "办理事项：普通护照签发（刚才问的）" in intro and "无为市" in intro
    _, transcript = drive(flow, ["上一步", "上一步"], started.state)
    assert "您之前填的是：普通护照签发" in transcript[-1] and "（第1步，共6步）" in transcript[-1]

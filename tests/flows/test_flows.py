"""The three flows' questions, checks and summaries, driven through the engine."""
from __future__ import annotations

from datetime import date

import pytest

from bot.db import session_factory
from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.flows import elderly_allowance, engine, sbk_replace
from bot.flows.catalogue import flow_context
from bot.flows.engine import Option

TODAY = date(2026, 11, 29)
DISTRICTS = (Option("镜湖区", "jinghu"), Option("弋江区", "yijiang"))
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: str, seq: str = "001") -> str:
    body = f"340202{birth}{seq}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def drive(flow, answers, state=None):
    outcome = engine.start(flow) if state is None else None
    state = outcome.state if outcome else state
    transcript = []
    for answer in answers:
        outcome = engine.handle(flow, state, answer)
        state = outcome.state
        transcript += [m.text for m in outcome.messages]
        if not (outcome.finished or outcome.cancelled):
            transcript.append(engine.question(flow, state).text)
    return outcome, transcript


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

"""The guided form's actions fed trackers the way Rasa does, with what NLU gave the tester (issue 20).

Every message reaches validate_guided_form while a flow runs; the intents and
confidences below are what the trained model gave these phrasings.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import OperationalError

from actions.choices import ActionClarify, ActionResolveChoice
from actions.guided_form import ActionAskFlowDone, ValidateGuidedForm
from actions.service_answer import ActionAnswerService
from bot.db import session_factory
from bot.flows.drafts import load_draft
from bot.handoff.service import pending_handoff
from tests.support.form_chat import Chat, latest, run
from tests.support.ids import id_number

pytestmark = pytest.mark.usefixtures("use_catalogue_db")

ELDER_ID = id_number("19400315")


@pytest.fixture()
def elderly(use_catalogue_db) -> Chat:
    chat = Chat(use_catalogue_db, current_service="elderly-allowance")
    chat.start("办理", "start_application")
    chat.say("1", "choose_number", 1.0)
    return chat


@pytest.fixture()
def desk_open(monkeypatch):
    """The desk's clock at Wednesday 10:00 in Wuhu (the city hall's hours: open)."""
    from bot.handoff import desk

    monkeypatch.delenv(desk.HOURS_ENV, raising=False)
    monkeypatch.setattr(desk, "now", lambda: datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc))
    return desk


def test_handoff_mid_flow_queues_with_the_step_pauses_and_keeps_the_draft(elderly, desk_open):
    elderly.say("王秀英")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateGuidedForm().validate_flow_done(
        "转人工", dispatcher, elderly.tracker(latest("转人工", "human_handoff", 1.0)), {}))
    assert result == {"flow_done": None}
    [queued] = [m["text"] for m in dispatcher.messages]
    assert "已为您转人工" in queued and "回复“再说一遍”就能接着填" in queued
    request = pending_handoff(session_factory(elderly.db_url), conversation_id=elderly.sender)
    assert request.status == "queued" and request.flow_step == "高龄津贴申请 · 第3步（共6步）"
    # The form asks next: no question, the conversation pauses; the answers stay in the draft.
    asked, events = run(ActionAskFlowDone(), elderly.tracker(latest("", None, 0.0)))
    assert asked == [] and events == [{"event": "pause", "timestamp": None}]
    assert elderly.values()["elder_name"] == "王秀英"
    # After the hand-back, 再说一遍 asks the same question again, and the flow goes on.
    assert elderly.say("再说一遍", "form_repeat", 1.0).endswith("（可以一个一个数字说）。")
    assert "（第4步" in elderly.say(ELDER_ID)


def test_handoff_mid_flow_out_of_hours_tells_the_hours_and_asks_again(elderly, desk_open, monkeypatch):
    monkeypatch.setattr(desk_open, "now", lambda: datetime(2026, 12, 5, 2, 0, tzinfo=timezone.utc))  # Saturday
    reply = elderly.say("转人工", "human_handoff", 1.0)
    assert "现在不是人工服务时间" in reply and "下次上班：12月7日（周一）8:30" in reply
    assert "您填的内容都还在" in reply and reply.endswith("请告诉我老人的姓名。") and "我们继续" in reply
    assert pending_handoff(session_factory(elderly.db_url), conversation_id=elderly.sender) is None


def test_handoff_mid_flow_without_the_queue_says_how_to_reach_a_person_and_asks_again(elderly, monkeypatch):
    import actions.handoff

    def unreachable():
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(actions.handoff, "app_sessions", unreachable)
    reply = elderly.say("转人工", "human_handoff", 1.0)
    assert "12345" in reply and "咨询窗口" in reply
    assert reply.endswith("请告诉我老人的姓名。") and "我们继续" in reply
    assert "elder_name" not in elderly.values()


@pytest.mark.parametrize("text, intent, confidence", [("你好", "greet", 0.75), ("菜单", "greet", 1.0),
                                                      ("我要预约", "book_appointment", 1.0)])
def test_greeting_menu_or_another_request_says_a_flow_is_running(elderly, text, intent, confidence):
    reply = elderly.say(text, intent, confidence)
    assert "您正在办理高龄津贴申请" in reply and "不办了" in reply
    assert reply.endswith("请告诉我老人的姓名。")
    assert "elder_name" not in elderly.values()


def test_a_service_question_at_the_name_step_is_answered_not_stored(elderly):
    ranking = [{"name": "svc_sbk_apply", "confidence": 0.62}, {"name": "svc_sbk_replace", "confidence": 0.33}]
    reply = elderly.say("社保卡怎么办", "svc_sbk_apply", 0.62, ranking=ranking)
    assert "【社会保障卡申领】" in reply
    assert "我们继续" in reply and reply.endswith("请告诉我老人的姓名。")
    assert "elder_name" not in elderly.values()


def test_a_vague_question_at_the_id_step_names_the_likely_services(elderly):
    elderly.say("王秀英")
    ranking = [{"name": "svc_hf_retire", "confidence": 0.46}, {"name": "svc_hf_buy", "confidence": 0.25},
               {"name": "svc_hf_rent", "confidence": 0.05}]
    reply = elderly.say("公积金怎么提取", "svc_hf_retire", 0.46, ranking=ranking)
    assert "您问的可能是：住房公积金退休提取、住房公积金购房提取" in reply
    assert "没有看到身份证号码" not in reply and reply.endswith("（可以一个一个数字说）。")


def test_a_faq_at_the_address_step_is_answered_not_stored(elderly):
    for answer in ("王秀英", ELDER_ID, "1"):
        elderly.say(answer)
    faq = {"faq": {"response": {"responses": [{"text": "各区县政务服务中心的办公时间一般为周一至周五…"}],
                                "intent_response_key": "faq/office_hours"}}}
    reply = elderly.say("办事大厅几点下班", "faq", 0.99, response_selector=faq,
                        intent_extra={"full_retrieval_intent_name": "faq/office_hours"})
    assert "办公时间" in reply and reply.endswith("哪个社区（村）？")
    assert "street" not in elderly.values()


def test_an_address_nlu_mistakes_for_a_service_is_still_taken(elderly):
    for answer in ("王秀英", ELDER_ID, "1"):
        elderly.say(answer)
    reply = elderly.say("赭山街道赭山社区", "svc_elderly_card", 0.71)  # as DIET read it
    assert "联系电话" in reply and elderly.values()["street"] == "赭山街道赭山社区"


def test_voice_punctuation_does_not_spoil_a_name(elderly):
    assert "身份证号" in elderly.say("张桂兰。")
    assert elderly.values()["elder_name"] == "张桂兰"


def test_a_booking_after_a_service_question_names_what_it_took_over(use_catalogue_db):
    chat = Chat(use_catalogue_db, current_service="passport", district="无为")
    text = "\n".join(m["text"] for m in chat.start("我要预约", "book_appointment"))
    assert "办理事项：普通护照签发（刚才问的）" in text
    assert "芜湖市无为市" in text  # the hall's address, not just the district
    assert "（第3步，共6步）哪天去" in text
    back = chat.say("上一步", "form_back", 1.0)
    assert "您之前填的是：无为市" in back


# --- outside flows: the 办理 button and the same option matcher ------------------------------

def tracker(text: str, intent: str, confidence: float = 0.9, **slots: Any) -> Tracker:
    values = {"district": None, "current_service": None, "pending_choice": None, **slots}
    return Tracker("tester", values, latest(text, intent, confidence), [], False, None, {}, "action_listen")


def test_the_apply_hint_comes_with_a_button():
    messages, _ = run(ActionAnswerService(), tracker("高龄津贴怎么申请", "svc_elderly_allowance", district="镜湖"))
    hint = [m for m in messages if "回复“办理”" in (m.get("text") or "")]
    assert hint and hint[-1]["buttons"] == [{"title": "办理", "payload": "办理"}]


def test_the_apply_button_joins_the_district_question_so_both_can_be_tapped():
    messages, _ = run(ActionAnswerService(), tracker("高龄津贴怎么申请", "svc_elderly_allowance"))
    last = messages[-1]
    assert "哪个区县" in last["text"] and "回复“办理”" in last["text"]
    assert len(last["buttons"]) == 8 and last["buttons"][-1]["payload"] == "办理"
    assert all("回复“办理”" not in (m.get("text") or "") for m in messages[:-1])


@pytest.mark.parametrize("said", ["两", "二号", "选二"])
def test_a_number_nlu_did_not_recognise_still_picks_the_pending_option(said):
    pending = {"kind": "service", "options": ["sbk-apply", "hf-rent"],
               "labels": ["社会保障卡申领", "住房公积金租房提取"]}
    messages, _ = run(ActionClarify(), tracker(said, "nlu_fallback", 0.3, pending_choice=pending))
    assert messages[0]["text"].startswith("【住房公积金租房提取】")


def test_an_old_district_name_picks_the_district_outside_flows():
    pending = {"kind": "district", "options": ["jinghu", "wanzhi"], "labels": ["镜湖区", "湾沚区"]}
    messages, _ = run(ActionResolveChoice(), tracker("芜湖县", "choose_number", current_service="idcard",
                                                     pending_choice=pending))
    assert "在湾沚区" in messages[0]["text"]


def test_a_draft_of_a_flow_no_longer_registered_ends_politely(elderly):
    """A draft saved by a release that had a flow this one lacks: a kind reply, the draft gone."""
    from bot.flows.drafts import save_draft
    from bot.replies import FLOW_UNKNOWN

    sessions = session_factory(elderly.db_url)
    draft_id = elderly.slots["flow_state"]["draft"]
    save_draft(sessions, sender_id=elderly.sender, draft_id=draft_id,
               state={"flow": "retired-flow", "values": {"elder_name": "王秀英"}, "asked": [], "stage": "asking",
                      "current": "elder_name", "instance": "x"})
    reply = elderly.say("王秀英")
    assert reply == FLOW_UNKNOWN
    assert elderly.slots["flow_state"] is None
    assert load_draft(sessions, sender_id=elderly.sender, draft_id=draft_id) is None

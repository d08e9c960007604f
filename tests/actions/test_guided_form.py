"""The guided form's actions fed trackers the way Rasa does, with what NLU gave the tester (issue 20).

Every message reaches validate_guided_form while a flow runs; the intents and
confidences below are what the trained model gave these phrasings.
"""
from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import ActionClarify, ActionResolveChoice
from actions.guided_form import ActionAskFlowDone, ActionStartFlow, ValidateGuidedForm
from actions.service_answer import ActionAnswerService
from bot.db import session_factory
from bot.flows.drafts import load_draft
from tests.support.ids import id_number

pytestmark = pytest.mark.usefixtures("use_catalogue_db")

ELDER_ID = id_number("19400315")
UNSURE = {"intent": "nlu_fallback", "confidence": 0.3}  # names, digits: what DIET makes of them


def latest(text: str, intent: str | None, confidence: float, **extra: Any) -> dict[str, Any]:
    return {"text": text, "intent": {"name": intent, "confidence": confidence, **extra.pop("intent_extra", {})},
            "intent_ranking": extra.pop("ranking", [{"name": intent, "confidence": confidence}]),
            "entities": [], **extra}


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


class Chat:
    """One conversation: starts a flow, then feeds the form one message at a time."""

    def __init__(self, db_url: str, **slots: Any) -> None:
        self.db_url = db_url
        self.sender = f"test-{uuid.uuid4().hex[:10]}"
        self.slots: dict[str, Any] = {"district": None, "current_service": None, "pending_choice": None,
                                      "offered_flow": None, "flow_state": None, **slots}

    def tracker(self, message: dict[str, Any]) -> Tracker:
        events = [{"event": "user", "text": message["text"], "parse_data": message}]
        return Tracker(self.sender, dict(self.slots), message, events, False, None,
                       {"name": "guided_form"} if self.slots.get("flow_state") else {}, "action_listen")

    def start(self, text: str, intent: str) -> list[dict[str, Any]]:
        messages, events = run(ActionStartFlow(), self.tracker(latest(text, intent, 1.0)))
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return messages + self.ask()

    def ask(self) -> list[dict[str, Any]]:
        messages, _ = run(ActionAskFlowDone(), self.tracker(latest("", None, 0.0)))
        return messages

    def say(self, text: str, intent: str = UNSURE["intent"], confidence: float = UNSURE["confidence"],
            **extra: Any) -> str:
        dispatcher = CollectingDispatcher()
        result = asyncio.run(ValidateGuidedForm().validate_flow_done(
            text, dispatcher, self.tracker(latest(text, intent, confidence, **extra)), {}))
        self.slots.update({k: v for k, v in result.items() if k != "flow_done"})
        messages = dispatcher.messages + (self.ask() if result.get("flow_done") is None else [])
        self.last = messages
        return "\n".join(m.get("text") or "" for m in messages)

    def values(self) -> dict[str, Any]:
        state = load_draft(session_factory(self.db_url), sender_id=self.sender,
                           draft_id=self.slots["flow_state"]["draft"])
        return state["values"]


@pytest.fixture()
def elderly(use_catalogue_db) -> Chat:
    chat = Chat(use_catalogue_db, current_service="elderly-allowance")
    chat.start("办理", "start_application")
    chat.say("1", "choose_number", 1.0)
    return chat


def test_handoff_mid_flow_says_how_to_reach_a_person_and_asks_again(elderly):
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

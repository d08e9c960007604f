"""Actions run against a real SQLite catalogue, fed a tracker, checked on events and messages."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import ActionClarify, ActionInformDistrict, ActionResolveChoice, candidate_services
from actions.general import ActionGreet, ActionUnusableInput
from actions.service_answer import ActionAnswerService


def tracker(text: str = "", intent: str | None = None, ranking=None, **slots) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9} if intent else {},
              "intent_ranking": ranking or [], "entities": []}
    return Tracker("tester", {"district": None, "current_service": None, "pending_choice": None, **slots},
                   latest, [], False, None, {}, "action_listen")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def slot(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else "<unset>"


pytestmark = pytest.mark.usefixtures("use_catalogue_db")


def test_answer_without_district_asks_for_it():
    messages, events = run(ActionAnswerService(), tracker("社保卡怎么办", "svc_sbk_apply"))
    assert messages[0]["text"].startswith("【社会保障卡申领】")
    assert "以窗口最新要求为准" in messages[0]["text"]
    assert "哪个区县" in messages[1]["text"] and len(messages[1]["buttons"]) == 7
    assert slot(events, "current_service") == "sbk-apply"
    assert slot(events, "pending_choice")["kind"] == "district"


def test_answer_with_known_district_includes_the_hall_and_asks_nothing():
    messages, events = run(ActionAnswerService(), tracker("身份证怎么换", "svc_idcard", district="镜湖"))
    assert len(messages) == 1
    assert "办理地点（镜湖区）" in messages[0]["text"]
    assert slot(events, "district") == "镜湖区"
    assert slot(events, "pending_choice") is None


def test_online_service_without_district_does_not_ask_for_it():
    messages, events = run(ActionAnswerService(), tracker("公积金租房提取", "svc_hf_rent"))
    assert len(messages) == 1
    assert "网上就能办" in messages[0]["text"]
    assert slot(events, "pending_choice") is None


def test_district_pick_by_number_shows_hall_for_current_service():
    pending = {"kind": "district", "options": ["jinghu", "yijiang"], "labels": ["镜湖区", "弋江区"]}
    messages, events = run(ActionResolveChoice(),
                           tracker("第二个", "choose_number", current_service="idcard", pending_choice=pending))
    assert "【居民身份证申领换领】在弋江区" in messages[0]["text"]
    assert SlotSet("district", "弋江区") in events


def test_choice_out_of_range_asks_again_and_keeps_the_choice():
    pending = {"kind": "service", "options": ["sbk-apply", "hf-rent"],
               "labels": ["社会保障卡申领", "住房公积金租房提取"]}
    messages, events = run(ActionResolveChoice(), tracker("5", "choose_number", pending_choice=pending))
    assert "1 到 2" in messages[0]["text"]
    assert events == []


def test_clarify_offers_at_most_three_services_from_the_ranking():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "svc_hf_rent", "confidence": 0.3},
               {"name": "greet", "confidence": 0.2}, {"name": "svc_hf_buy", "confidence": 0.25},
               {"name": "svc_hf_retire", "confidence": 0.15}, {"name": "svc_hf_loan", "confidence": 0.14}]
    messages, events = run(ActionClarify(), tracker("公积金取钱", "nlu_fallback", ranking))
    text = messages[0]["text"]
    assert text.startswith("我不太确定")
    assert "1. 住房公积金租房提取\n2. 住房公积金购房提取\n3. 住房公积金退休提取" in text
    assert "住房公积金个人贷款申请" not in text
    assert slot(events, "pending_choice")["options"] == ["hf-rent", "hf-buy", "hf-retire"]


def test_clarify_without_candidates_says_it_did_not_understand():
    messages, _ = run(ActionClarify(), tracker("啊", "nlu_fallback", [{"name": "greet", "confidence": 0.3}]))
    assert "没太明白" in messages[0]["text"] and "12345" in messages[0]["text"]


def test_candidate_services_ignores_low_confidence():
    assert candidate_services([{"name": "svc_idcard", "confidence": 0.01}]) == []


def test_candidate_services_is_relative_to_the_best_service():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "svc_hf_loan", "confidence": 0.08},
               {"name": "svc_hf_certificate", "confidence": 0.07}, {"name": "greet", "confidence": 0.07},
               {"name": "svc_hf_retire", "confidence": 0.06}, {"name": "svc_idcard", "confidence": 0.05}]
    assert candidate_services(ranking) == ["hf-loan", "hf-certificate", "hf-retire"]
    weak_second = [{"name": "svc_hf_buy", "confidence": 0.4}, {"name": "svc_hf_rent", "confidence": 0.1}]
    assert candidate_services(weak_second) == ["hf-buy"]


def test_inform_district_without_service_remembers_it():
    messages, events = run(ActionInformDistrict(), tracker("我在南陵", "inform_district", district="南陵"))
    assert "南陵县" in messages[0]["text"]
    assert SlotSet("district", "南陵县") in events


def test_greet_offers_the_menu():
    messages, events = run(ActionGreet(), tracker("你好", "greet"))
    assert "1. 社会保障卡申领" in messages[0]["text"]
    assert slot(events, "pending_choice")["kind"] == "service"


@pytest.mark.parametrize("text, expected", [("", "还没有输入"), ("😀", "表情"), ("hello", "中文")])
def test_unusable_input(text, expected):
    messages, _ = run(ActionUnusableInput(), tracker(text, "unusable_input"))
    assert expected in messages[0]["text"]


def test_unusable_input_trusts_the_guard_over_the_normalised_text():
    t = tracker("", "unusable_input")
    t.latest_message["input_problem"] = "no_words"
    messages, _ = run(ActionUnusableInput(), t)
    assert "表情" in messages[0]["text"]


def test_database_failure_becomes_a_polite_reply(monkeypatch, tmp_path):
    from actions import runtime

    monkeypatch.setenv("GOV_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    runtime.catalogue.cache_clear()
    messages, events = run(ActionAnswerService(), tracker("社保卡", "svc_sbk_apply"))
    assert "系统有点忙" in messages[0]["text"]
    assert events == []


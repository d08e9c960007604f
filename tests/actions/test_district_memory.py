"""A message that changes the remembered district says so (issue 20, item 12).

Rasa fills the district slot from the message before the action runs, so the trackers
here hold the new value in the slot and the old one only in the events before the
latest user message, as Rasa sends them.
"""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import ActionClarify, ActionInformDistrict
from actions.district_memory import district_change, value_before_latest_message
from actions.service_answer import ActionAnswerService

pytestmark = pytest.mark.usefixtures("use_catalogue_db")


def tracker(text: str, intent: str, named: str | None, before: str | None, **slots) -> Tracker:
    """The latest message names district ``named`` (None: none); ``before`` was remembered."""
    events: list[dict] = [{"event": "user", "text": "社保卡怎么办理"}]
    if before:
        events.append({"event": "slot", "name": "district", "value": before})
    events.append({"event": "user", "text": text})
    if named:
        events.append({"event": "slot", "name": "district", "value": named})
    entities = [{"entity": "district", "value": named}] if named else []
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "intent_ranking": [],
              "entities": entities}
    values = {"district": named or before, "current_service": None, "pending_choice": None, **slots}
    return Tracker("tester", values, latest, events, False, None, {}, "action_listen")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return [m.get("text") or "" for m in dispatcher.messages], events


def test_value_before_the_latest_message_ignores_the_slot_it_just_filled():
    assert value_before_latest_message(tracker("我搬到无为了", "x", "无为", "镜湖区")) == "镜湖区"
    assert value_before_latest_message(tracker("我搬到无为了", "x", "无为", None)) is None


def test_change_is_reported_with_both_districts():
    change = asyncio.run(district_change(tracker("我搬到无为了", "x", "无为", "镜湖区")))
    assert (change.before.name, change.now.name) == ("镜湖区", "无为市")
    assert change.text().startswith("好的，记住了，您在无为市（原来是镜湖区）")


def test_naming_the_remembered_district_again_is_no_change():
    assert asyncio.run(district_change(tracker("无为社保卡怎么办", "x", "无为", "无为市"))) is None


def test_a_message_without_a_district_is_no_change():
    assert asyncio.run(district_change(tracker("社保卡怎么办", "x", None, "镜湖区"))) is None


def test_moving_message_confirms_the_new_district_before_the_choices():
    texts, _ = run(ActionClarify(), tracker("我搬到无为了", "ask_family_moving", "无为", "镜湖区"))
    assert texts[0].startswith("好的，记住了，您在无为市（原来是镜湖区）")
    assert "1. 户口迁移" in texts[1]


def test_moving_message_as_first_district_is_confirmed_too():
    texts, _ = run(ActionClarify(), tracker("我搬到无为了", "ask_family_moving", "无为", None))
    assert texts[0] == "好的，记住了，您在无为市。"


def test_moving_message_answers_a_pending_district_question():
    pending = {"kind": "district", "options": ["jinghu", "wuwei"], "labels": ["镜湖区", "无为市"]}
    texts, events = run(ActionClarify(), tracker("我搬到无为了", "ask_family_moving", "无为", None,
                                                 current_service="sbk-apply", pending_choice=pending))
    assert "【社会保障卡申领】在无为市" in texts[0]
    assert SlotSet("pending_choice", None) in events


def test_fallback_with_a_new_district_confirms_it():
    texts, _ = run(ActionClarify(), tracker("无为那个啥", "nlu_fallback", "无为", "镜湖区"))
    assert texts[0].startswith("好的，记住了，您在无为市（原来是镜湖区）")


def test_service_question_naming_another_district_confirms_the_change_first():
    texts, events = run(ActionAnswerService(), tracker("那无为社保卡怎么办", "svc_sbk_apply", "无为", "镜湖区"))
    assert texts[0].startswith("好的，记住了，您在无为市（原来是镜湖区）")
    assert texts[1].startswith("【社会保障卡申领】") and "办理地点（无为市）" in texts[1]
    assert SlotSet("district", "无为市") in events


def test_service_question_with_a_first_district_shows_it_in_the_answer_only():
    texts, _ = run(ActionAnswerService(), tracker("我在无为,社保卡怎么办", "svc_sbk_apply", "无为", None))
    assert texts[0].startswith("【社会保障卡申领】") and "办理地点（无为市）" in texts[0]
    assert not any(t.startswith("好的，记住了") for t in texts)


def test_informing_another_district_with_a_service_confirms_then_shows_the_hall():
    texts, _ = run(ActionInformDistrict(), tracker("我在弋江", "inform_district", "弋江", "镜湖区",
                                                  current_service="idcard"))
    assert texts[0].startswith("好的，记住了，您在弋江区（原来是镜湖区）")
    assert "【居民身份证申领换领】在弋江区" in texts[1]


def test_informing_another_district_without_a_service_says_both():
    texts, _ = run(ActionInformDistrict(), tracker("我在弋江", "inform_district", "弋江", "镜湖区"))
    assert len(texts) == 1 and "弋江区（原来是镜湖区）" in texts[0]

"""A generic question offers its family of services as numbered choices (issue 20, item 9)."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import ActionClarify, ActionResolveChoice

pytestmark = pytest.mark.usefixtures("use_catalogue_db")

# What DIET gave these phrasings before the family intents: one service well ahead.
CONFIDENT_GUESS = [{"name": "svc_hf_retire", "confidence": 0.46}, {"name": "svc_hf_buy", "confidence": 0.25}]


def tracker(text: str, intent: str, **slots) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "intent_ranking": [{"name": intent, "confidence": 0.9}] + CONFIDENT_GUESS, "entities": []}
    values = {"district": None, "current_service": None, "pending_choice": None, **slots}
    return Tracker("tester", values, latest, [], False, None, {}, "action_listen")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def pending(events) -> dict:
    return [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "pending_choice"][-1]


def test_withdrawal_question_offers_all_three_withdrawals_rent_included():
    messages, events = run(ActionClarify(), tracker("公积金怎么提取", "ask_family_hf_withdraw"))
    text = messages[0]["text"]
    assert "1. 住房公积金租房提取\n2. 住房公积金购房提取\n3. 住房公积金退休提取" in text
    assert [b["payload"] for b in messages[0]["buttons"]] == ["1", "2", "3"]
    assert pending(events) == {"kind": "service", "options": ["hf-rent", "hf-buy", "hf-retire"],
                               "labels": ["住房公积金租房提取", "住房公积金购房提取", "住房公积金退休提取"]}


def test_vague_certificate_request_offers_common_certificates():
    messages, _ = run(ActionClarify(), tracker("办证", "ask_family_certificate"))
    text = messages[0]["text"]
    assert "没太明白" not in text
    assert "1. 居民身份证申领换领\n2. 居住证申领\n3. 普通护照签发" in text


def test_lost_household_register_offers_household_services_not_real_estate():
    messages, _ = run(ActionClarify(), tracker("户口本丢了", "ask_family_hukou"))
    text = messages[0]["text"]
    assert "1. 户口迁移\n2. 新生儿出生登记" in text
    assert "不动产" not in text
    assert "派出所" in text  # where a lost 户口簿 is replaced, outside the catalogue


def test_a_family_choice_picked_by_number_answers_that_service():
    _, events = run(ActionClarify(), tracker("我想把公积金取出来", "ask_family_hf_withdraw"))
    messages, _ = run(ActionResolveChoice(), tracker("1", "choose_number", pending_choice=pending(events)))
    assert messages[0]["text"].startswith("【住房公积金租房提取】")

"""Two failures in a row offer a person (or 留言 out of hours); "1" then queues the conversation."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.choices import ActionClarify, ActionResolveChoice
from actions.handoff import LEAVE_CHOICE
from actions.handoff_offer import PERSON_CHOICE, ActionAskRephrase, previous_turn_failed
from bot import replies
from bot.db import session_factory
from bot.handoff import desk
from bot.handoff.service import pending_handoff
from tests.support.form_chat import latest, run

pytestmark = pytest.mark.usefixtures("use_catalogue_db")

WEDNESDAY_10 = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)
SUNDAY_10 = datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc)
UNCLEAR = "那个东西我上次弄了一半"


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": latest(text, "nlu_fallback", 0.2)}


def turn(text: str, action: str, said: str) -> list[dict[str, Any]]:
    """One earlier turn: the resident's message, the action that answered, what it said."""
    return [user(text), {"event": "action", "name": action}, {"event": "bot", "text": said},
            {"event": "action", "name": "action_listen"}]


def not_understood(text: str) -> list[dict[str, Any]]:
    return turn(text, "action_clarify", replies.NOT_UNDERSTOOD)


def answered(text: str) -> list[dict[str, Any]]:
    return turn(text, "action_answer_service", "【社会保障卡申领】…")


def rephrased(text: str) -> list[dict[str, Any]]:
    return turn(text, "utter_ask_rephrase", "不好意思没理解对。")


def tracker(history: list[dict[str, Any]], text: str, intent: str = "nlu_fallback", sender: str | None = None,
            **slots: Any) -> Tracker:
    message = latest(text, intent, 0.2 if intent == "nlu_fallback" else 1.0, ranking=[])
    return Tracker(sender or f"web:{uuid.uuid4().hex}", {"district": None, "current_service": None,
                                                          "pending_choice": None, **slots},
                   message, [*history, {"event": "user", "text": text, "parse_data": message}], False, None, {},
                   "action_listen")


@pytest.fixture()
def clock(monkeypatch):
    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(desk, "now", lambda: moment)

    monkeypatch.delenv(desk.HOURS_ENV, raising=False)
    set_to(WEDNESDAY_10)
    return set_to


def test_only_a_turn_that_asked_to_rephrase_right_before_counts():
    assert previous_turn_failed([*not_understood("a"), user("b")])
    assert previous_turn_failed([*rephrased("a"), user("b")])
    assert not previous_turn_failed([*not_understood("a"), *answered("b"), user("c")])
    assert not previous_turn_failed([user("a")]) and not previous_turn_failed([])


def test_the_first_failure_only_asks_again(clock):
    messages, events = run(ActionClarify(), tracker(answered("社保卡怎么办"), UNCLEAR))
    assert [m["text"] for m in messages] == [replies.NOT_UNDERSTOOD]
    assert events == [{"event": "slot", "timestamp": None, "name": "pending_choice", "value": None}]


def test_the_second_failure_in_a_row_offers_a_person_and_one_queues(clock, use_catalogue_db):
    sender = f"web:{uuid.uuid4().hex}"
    messages, events = run(ActionClarify(), tracker(not_understood("我那个事"), UNCLEAR, sender=sender))
    assert messages[0]["text"] == replies.NOT_UNDERSTOOD
    assert "还是没能帮上您" in messages[1]["text"] and "回复 1 或“转人工”" in messages[1]["text"]
    assert messages[1]["buttons"] == [{"title": "1. 转人工", "payload": "转人工"}]
    assert events[-1]["value"] == PERSON_CHOICE

    messages, events = run(ActionResolveChoice(), tracker([], "1", "choose_number", sender=sender,
                                                          pending_choice=PERSON_CHOICE))
    assert "已为您转人工" in messages[0]["text"] and events[-1] == {"event": "pause", "timestamp": None}
    assert pending_handoff(session_factory(use_catalogue_db), conversation_id=sender).status == "queued"


def test_out_of_hours_the_second_failure_offers_a_message_instead(clock):
    clock(SUNDAY_10)
    messages, events = run(ActionClarify(), tracker(rephrased("都不是"), UNCLEAR))
    assert "现在不是人工服务时间，可以留言" in messages[1]["text"]
    assert messages[1]["buttons"] == [{"title": "1. 留言", "payload": "留言"}]
    assert events[-1]["value"] == LEAVE_CHOICE


def test_none_of_the_choices_twice_offers_a_person(clock):
    first, events = run(ActionAskRephrase(), tracker(answered("公积金"), "都不是", "deny"))
    assert [m.get("response") for m in first] == ["utter_ask_rephrase"] and events[-1]["value"] is None
    second, events = run(ActionAskRephrase(), tracker(not_understood("我要那个卡"), "都不是", "deny"))
    assert [m.get("response") for m in second][0] == "utter_ask_rephrase"
    assert "转人工" in second[1]["text"] and events[-1]["value"] == PERSON_CHOICE

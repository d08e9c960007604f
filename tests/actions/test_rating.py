"""好差评 in the conversation (actions/rating.py): when the assistant invites a rating, how the
answer is read (number, words, a tapped button), refusals, and the reason asked after a poor one."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy import select

from actions.choices import ActionClarify, ActionResolveChoice
from actions.guided_form import ValidateGuidedForm
from actions.handoff_offer import ActionAskRephrase
from actions.rating import ActionGoodbye, ActionThank
from bot.db import session_factory
from bot.evaluation.levels import Level, PoorReason
from bot.evaluation.models import FollowUp, Rating, RatingInvitation
from bot.evaluation.texts import DECLINED, REASON_INTRO, THANKS
from bot.flows.definition import Rateable, SubmitResult
from tests.support.form_chat import Chat, latest, run

pytestmark = pytest.mark.usefixtures("use_catalogue_db")
SBK = "sbk-apply"


def tracker(text: str, intent: str, sender: str, active_loop: str | None = None, **slots: Any) -> Tracker:
    message = latest(text, intent, 1.0)
    return Tracker(sender, {"district": "镜湖区", "current_service": None, "pending_choice": None,
                            "flow_state": None, **slots},
                   message, [{"event": "user", "text": text, "parse_data": message}], False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def invited(sender: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Thanks after the 社保卡 answer: the invitation, and the pending choice it set."""
    messages, events = run(ActionThank(), tracker("谢谢", "thank", sender, current_service=SBK))
    return messages, slots_of(events)["pending_choice"]


def ratings_of(db_url: str, sender: str) -> list[Rating]:
    with session_factory(db_url)() as session:
        return list(session.execute(select(Rating).where(Rating.conversation_id == sender)).scalars())


@pytest.fixture()
def sender() -> str:
    return f"web:{uuid.uuid4().hex[:12]}"


def test_thanks_after_a_service_answer_invites_one_rating_with_five_numbered_levels(sender):
    messages, pending = invited(sender)
    assert messages[0]["response"] == "utter_thank"
    assert "关于“社会保障卡申领”的答复满意吗" in messages[1]["text"]
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "1. 非常满意", "2. 满意", "3. 基本满意", "4. 不满意", "5. 非常不满意"]
    assert [b["payload"] for b in messages[1]["buttons"]] == ["1", "2", "3", "4", "5"]
    assert pending["kind"] == "rating"
    again, events = run(ActionGoodbye(), tracker("再见", "goodbye", sender, current_service=SBK))
    assert [m.get("response") for m in again] == ["utter_goodbye"] and events == []  # once per service


def test_no_invitation_without_a_service_answer_or_inside_a_flow(sender):
    messages, events = run(ActionThank(), tracker("谢谢", "thank", sender))
    assert len(messages) == 1 and events == []
    messages, events = run(ActionThank(), tracker("谢谢", "thank", sender, active_loop="guided_form",
                                                  current_service=SBK, flow_state={"draft": "d"}))
    assert len(messages) == 1 and events == []


@pytest.mark.parametrize(("said", "intent", "level"), [
    ("1", "choose_number", Level.VERY_SATISFIED),  # typed, or the tapped button's payload
    ("2", "choose_number", Level.SATISFIED),
    ("3", "choose_number", Level.BASICALLY_SATISFIED),
    ("满意", "choose_number", Level.SATISFIED),  # an exact command word (bot/nlu/commands.py)
    ("还行", "choose_number", Level.BASICALLY_SATISFIED),
    ("很满意！", "nlu_fallback", Level.VERY_SATISFIED),  # words the classifier could not place
])
def test_each_good_level_by_number_or_words(sender, catalogue_db_url, said, intent, level):
    _, pending = invited(sender)
    action = ActionResolveChoice() if intent == "choose_number" else ActionClarify()
    messages, events = run(action, tracker(said, intent, sender, pending_choice=pending))
    assert [m["text"] for m in messages] == [THANKS] and slots_of(events) == {"pending_choice": None}
    [rating] = ratings_of(catalogue_db_url, sender)
    assert (rating.level, rating.service_id, rating.channel, rating.district) == (level, SBK, "webchat", "镜湖区")


def test_satisfied_said_as_thanks_is_a_rating_not_a_second_invitation(sender, catalogue_db_url):
    _, pending = invited(sender)
    messages, _ = run(ActionThank(), tracker("满意", "thank", sender, current_service=SBK, pending_choice=pending))
    assert [m["text"] for m in messages] == [THANKS]
    assert ratings_of(catalogue_db_url, sender)[0].level == Level.SATISFIED


@pytest.mark.parametrize(("said", "intent", "action"), [("不评了", "choose_number", ActionResolveChoice),
                                                        ("不用了", "deny", ActionAskRephrase)])
def test_a_refusal_is_respected_for_the_rest_of_the_conversation(sender, catalogue_db_url, said, intent, action):
    _, pending = invited(sender)
    messages, _ = run(action(), tracker(said, intent, sender, pending_choice=pending))
    assert [m["text"] for m in messages] == [DECLINED]
    messages, events = run(ActionThank(), tracker("谢谢", "thank", sender, current_service="hf-rent"))
    assert len(messages) == 1 and events == []  # another service: still no invitation
    assert ratings_of(catalogue_db_url, sender) == []


@pytest.mark.parametrize(("said", "level"), [("4", Level.DISSATISFIED), ("非常不满意", Level.VERY_DISSATISFIED)])
def test_a_poor_rating_asks_why_then_says_who_follows_up_and_offers_a_person(sender, catalogue_db_url, said, level):
    _, pending = invited(sender)
    messages, events = run(ActionResolveChoice(), tracker(said, "choose_number", sender, pending_choice=pending))
    assert messages[0]["text"].startswith(REASON_INTRO)
    assert any(e["event"] == "followup" and e["name"] == "guided_form" for e in events)
    chat = Chat(catalogue_db_url)
    chat.sender, chat.slots["flow_state"] = sender, slots_of(events)["flow_state"]
    assert "主要是哪方面的问题" in chat.ask()[0]["text"]
    assert "请简单说说" in chat.say("5")  # 其他
    done = chat.say("窗口电话13812345678一直没人接")
    assert "市人力资源和社会保障局会在5个工作日内" in done and "转人工" in done
    [rating] = ratings_of(catalogue_db_url, sender)
    assert (rating.level, rating.reason, rating.reason_text) == (level, PoorReason.OTHER.value,
                                                                 "窗口电话13812345678一直没人接")
    with session_factory(catalogue_db_url)() as session:
        assert session.scalar(select(FollowUp.status).where(FollowUp.rating_id == rating.id)) == "verifying"


def test_a_listed_reason_needs_no_more_words(sender, catalogue_db_url):
    _, pending = invited(sender)
    _, events = run(ActionResolveChoice(), tracker("4", "choose_number", sender, pending_choice=pending))
    chat = Chat(catalogue_db_url)
    chat.sender, chat.slots["flow_state"] = sender, slots_of(events)["flow_state"]
    assert "核实处理" in chat.say("材料说得不清楚")
    assert ratings_of(catalogue_db_url, sender)[0].reason == PoorReason.UNCLEAR_MATERIALS.value


def test_a_submitted_application_is_offered_for_rating_with_its_receipt(sender, catalogue_db_url):
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    result = SubmitResult("提交成功！", rateable=Rateable("application", "elderly-allowance", "2611 2904 37"))
    slots = asyncio.run(ValidateGuidedForm._invite(dispatcher, tracker("确认", "affirm", sender,
                                                                        active_loop="guided_form"), result))
    assert slots["pending_choice"]["kind"] == "rating"
    assert "“高龄津贴申领”的申请办理满意吗" in dispatcher.messages[0]["text"]
    with session_factory(catalogue_db_url)() as session:
        invitation = session.execute(select(RatingInvitation).where(
            RatingInvitation.conversation_id == sender)).scalar_one()
    assert (invitation.subject, invitation.reference) == ("application:2611 2904 37", "2611 2904 37")

"""转人工 end to end: the real Rasa server, action server and database, over REST and the web chat.

The test plays the agent through the hand-off service (bot/handoff/), as the console will,
and closes through Rasa's HTTP API (bot/handoff/handback.py). The contract of issue 16: while
a person has the conversation the assistant answers nothing, and every message reaches them.
"""
from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from bot.db import session_factory
from bot.evaluation.models import Rating
from bot.evaluation.texts import THANKS, invitation_text
from bot.handoff import queue, service, tickets
from bot.handoff.handback import RasaApi, close_and_hand_back
from bot.handoff.models import HandoffRequest
from bot.handoff.texts import CANCELLED, HANDED_BACK, TO_MESSAGE
from tests.support.webchat_client import Page, run
from tests.support.wechat_fakes import WeChatServer, reply_content

pytestmark = pytest.mark.e2e
QUEUED = re.compile(r"^已为您转人工：您排在第\d+位，预计等待约\d+分钟。.*“不等了”或“回到机器人”。$")
SBK = "【社会保障卡申领】"


@pytest.fixture()
def desk(catalogue_db_url):
    """The hand-off tables the stack writes (same database, same key files)."""
    return session_factory(catalogue_db_url)


def tracker(stack, conversation: str) -> dict:
    response = requests.get(f"{stack.rasa_url}/conversations/{conversation}/tracker",
                            params={"token": stack.api_token}, timeout=30)
    response.raise_for_status()
    return response.json()


def ratings_of(desk, conversation: str) -> list[Rating]:
    with desk() as session:
        return list(session.execute(select(Rating).where(Rating.conversation_id == conversation)).scalars())


def pending(desk, sender: str):
    return service.pending_handoff(desk, conversation_id=f"rest:{sender}")


def test_asking_for_a_person_queues_and_says_place_wait_and_the_way_back(stack, sender, desk):
    messages = stack.say(sender, "我要跟工作人员说")
    assert len(messages) == 1 and QUEUED.match(messages[0]["text"])
    request = pending(desk, sender)
    assert (request.status, request.channel) == ("queued", "rest")
    assert tracker(stack, f"rest:{sender}")["paused"] is True


def test_while_queued_a_service_question_gets_no_answer_and_reaches_the_agent_masked(stack, sender, desk):
    assert SBK in stack.text(sender, "社保卡怎么办理")
    stack.say(sender, "2")  # 弋江区
    stack.say(sender, "找人工")
    assert stack.say(sender, "社保卡丢了怎么补办") == []
    assert stack.say(sender, "我的身份证340202194001011239，电话13812345678") == []
    assert stack.say(sender, "<b>急</b>") == []

    entry = next(e for e in queue.list_queue(desk) if e.request.conversation_id == f"rest:{sender}")
    assert (entry.request.channel, entry.request.district, entry.service_name) == ("rest", "弋江区", "社会保障卡申领")
    assert [m.text for m in entry.last_messages] == [
        "社保卡丢了怎么补办", "我的身份证340202********1239，电话138****5678", "<b>急</b>"]
    events = tracker(stack, f"rest:{sender}")["events"]
    after_pause = events[next(i for i, e in enumerate(events) if e["event"] == "pause"):]
    assert [e["event"] for e in after_pause] == ["pause", "user", "user", "user"]  # logged, never answered


def test_leaving_the_queue_cancels_and_the_assistant_answers_again_every_time(stack, sender, desk):
    for _ in range(2):  # a hand-off is not once per visitor
        assert QUEUED.match(stack.text(sender, "转人工"))
        assert stack.text(sender, "不等了") == CANCELLED
        assert pending(desk, sender) is None  # cancelled and handed back
        assert SBK in stack.text(sender, "社保卡怎么办理")


def test_an_agent_claims_replies_and_closes_then_the_assistant_answers_again(stack, sender, desk):
    stack.say(sender, "转人工")
    rid = pending(desk, sender).id
    service.claim(desk, request_id=rid, agent="zhang")
    assert stack.say(sender, "不等了") == []  # with an agent, the words are the agent's to read
    service.reply(desk, request_id=rid, agent="zhang", text="您好，我是工作人员小张。")
    assert stack.say(sender, "补办社保卡要带什么") == []

    done = close_and_hand_back(desk, RasaApi(stack.rasa_url, stack.api_token), request_id=rid, agent="zhang",
                               note="已告知补卡材料")
    assert done.resumed
    state = tracker(stack, f"rest:{sender}")
    assert state["paused"] is False
    said = HANDED_BACK + "\n" + invitation_text("人工服务")  # 好差评: the hand-off is rated once
    assert [(e["event"], e.get("text") or e.get("name")) for e in state["events"][-4:]] == [
        ("resume", None), ("bot", said), ("slot", "pending_choice"), ("action", "action_listen")]
    assert [m.direction for m in queue.transcript(desk, request_id=rid)] == \
        ["resident", "agent", "resident", "system"]
    assert stack.text(sender, "2") == THANKS  # 满意, for this hand-off
    [rating] = ratings_of(desk, f"rest:{sender}")
    assert (rating.level, rating.subject, rating.reference) == (4, f"handoff:{rid}", f"转人工-{rid}")
    assert SBK in stack.text(sender, "社保卡怎么办理")


def test_a_hand_back_that_missed_rasa_happens_at_the_residents_next_message(stack, sender, desk):
    stack.say(sender, "转人工")
    rid = pending(desk, sender).id
    service.claim(desk, request_id=rid, agent="zhang")
    assert not close_and_hand_back(desk, None, request_id=rid, agent="zhang", note="已解答").resumed
    messages = stack.say(sender, "社保卡怎么办理")
    assert messages[0]["text"] == HANDED_BACK and SBK in messages[1]["text"]
    assert pending(desk, sender) is None
    assert SBK in stack.text(sender, "社保卡怎么办理")  # and once only


def test_the_web_chat_pauses_and_resumes_the_same_way(stack, desk):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("转人工")
        await page.say("身份证怎么换")
        await page.say("回到机器人")
        await page.say("身份证怎么换")
        await page.close()
        return page

    page = run(scenario())
    shown = [(m["role"], m["text"]) for m in page.merged()]
    assert shown[0] == ("user", "转人工") and QUEUED.match(shown[1][1])
    assert shown[2:5] == [("user", "身份证怎么换"), ("user", "回到机器人"), ("bot", CANCELLED)]
    assert shown[5] == ("user", "身份证怎么换") and shown[6][1].startswith("【居民身份证申领换领】")
    assert service.pending_handoff(desk, conversation_id=page.conversation) is None  # cancelled, handed back
    with desk() as session:
        request = session.execute(select(HandoffRequest).where(
            HandoffRequest.conversation_id == page.conversation)).scalar_one()
    assert (request.status, request.channel) == ("cancelled", "webchat")
    assert [m.text for m in queue.transcript(desk, request_id=request.id)] == ["身份证怎么换"]


def test_clearing_the_web_chat_during_a_hand_off_withdraws_it(stack, desk):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("转人工")
        await page.say("清除记录")
        await page.say("确定清除", display="1. 确定清除", payload=True)
        await page.wait(lambda: page.cleared)
        await page.close()
        return page

    page = run(scenario())
    with desk() as session:
        request = session.execute(select(HandoffRequest).where(
            HandoffRequest.conversation_id == page.conversation)).scalar_one()
    assert (request.status, request.resumed_at is not None) == ("cancelled", True)
    assert stack.count_events(page.conversation, "user") == 0


def test_wechat_menu_hand_off_stays_silent_until_the_resident_goes_back(stack, wechat_api, sender, desk):
    server = WeChatServer()

    def send(body: str) -> tuple[str, list[str]]:
        """The passive reply's text ("" for WeChat's "success") and what went through the API."""
        sent_before = len(wechat_api.texts_to(sender))
        query = server.query()
        body, query = server.encrypt(body, query)
        response = requests.post(f"{stack.rasa_url}/webhooks/wechat/webhook", params=query,
                                 data=body.encode("utf-8"), timeout=30)
        assert response.status_code == 200
        passive = reply_content(server.decrypt_reply(response.text)) if response.text.startswith("<xml") else ""
        return passive, wechat_api.texts_to(sender)[sent_before:]

    queued, _ = send(server.event(sender, "CLICK", EventKey="MINE_HUMAN"))  # the 人工服务 menu
    assert QUEUED.match(queued)
    assert send(server.text(sender, "身份证过期了怎么换")) == ("", [])  # no passive reply, no API message
    assert send(server.text(sender, "回到机器人")) == (CANCELLED, [])
    assert "【居民身份证申领换领】" in send(server.text(sender, "身份证过期了怎么换"))[0]
    with desk() as session:
        request = session.execute(select(HandoffRequest).where(
            HandoffRequest.conversation_id == f"wechat:{sender}")).scalar_one()
    assert (request.channel, request.status) == ("wechat", "cancelled")
    assert [m.text for m in queue.transcript(desk, request_id=request.id)] == ["身份证过期了怎么换"]


def test_a_resident_tired_of_waiting_leaves_a_message_and_can_ask_about_it(stack, sender, desk):
    assert "可以回复“留言”" in stack.text(sender, "转人工")
    started = stack.text(sender, "留言")  # the gate leaves the queue; the assistant starts the 留言 flow
    assert started.startswith(TO_MESSAGE) and "我们来留言" in started and "（第1步，共2步）" in started
    assert pending(desk, sender) is None
    assert "（第2步，共2步）" in stack.text(sender, "13912345678")
    assert "· 回电号码：139****5678" in stack.text(sender, "补办的社保卡什么时候能拿到？")
    done = stack.text(sender, "1")
    assert "留言成功。留言编号：LY " in done
    [ticket] = tickets.tickets_of_conversation(desk, conversation_id=f"rest:{sender}")
    assert ticket.reason == "no_agent" and ticket.display in done
    assert ticket.display in stack.text(sender, "查留言")
    assert ticket.display not in stack.text(f"{sender}-other", "查留言")

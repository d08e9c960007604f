"""Staff replies of a 转人工 reach the resident through their own channel, end to end.

The real Rasa server (with its delivery loop, channels/handoff_delivery.py), action server
and database; the agent is played through the hand-off service, as the console does, and
closes through Rasa's HTTP API (bot/handoff/handback.py). WeChat's customer-service API is
the local fake (tests/support/wechat_fakes.py).
"""
from __future__ import annotations

import time

import pytest
import requests

from bot.db import session_factory
from bot.handoff import queue, service
from bot.handoff.handback import RasaApi, close_and_hand_back
from bot.handoff.texts import HANDED_BACK
from tests.support.webchat_client import Page, run
from tests.support.wechat_fakes import WeChatServer

pytestmark = pytest.mark.e2e
WAIT_S = 30.0  # an upper bound for a failing test, not a timing assumption


@pytest.fixture()
def desk(catalogue_db_url):
    return session_factory(catalogue_db_url)


def claim(desk, conversation: str) -> int:
    rid = service.pending_handoff(desk, conversation_id=conversation).id
    service.claim(desk, request_id=rid, agent="zhang")
    return rid


def delivered(desk, rid: int) -> bool:
    return all(m.delivered_at for m in queue.transcript(desk, request_id=rid) if m.direction != "resident")


def wait_until(condition, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_rest_integrators_read_staff_replies_in_the_tracker(stack, sender, desk):
    stack.say(sender, "转人工")
    rid = claim(desk, f"rest:{sender}")
    mid = service.reply(desk, request_id=rid, agent="zhang", text="您登记的电话13812345678对吗？").id
    wait_until(lambda: delivered(desk, rid))
    events = requests.get(f"{stack.rasa_url}/conversations/rest:{sender}/tracker",
                          params={"token": stack.api_token}, timeout=30).json()["events"]
    staff = [(e["text"], e["metadata"]["handoff"]) for e in events
             if e["event"] == "bot" and "handoff" in e["metadata"]]
    assert staff == [("您登记的电话138****5678对吗？", {"message_id": mid, "agent": "工作人员"})]
    assert stack.say(sender, "好的") == []  # still with the agent: the assistant stays silent


def test_the_web_chat_shows_staff_replies_live_after_a_reconnect_and_the_hand_back(stack, desk):
    async def scenario() -> tuple[Page, Page, list[dict]]:
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("转人工")
        rid = claim(desk, page.conversation)
        service.reply(desk, request_id=rid, agent="zhang", text="您好，我是工作人员。")
        await page.wait(lambda: any(m.get("author") for m in page.merged()), WAIT_S)
        await page.close()
        service.reply(desk, request_id=rid, agent="zhang", text="请带身份证原件。")
        await page.wait(lambda: delivered(desk, rid), WAIT_S)
        back = Page(stack.rasa_url)
        await back.open(token=page.token, last_seen=max(m["ts"] for m in page.merged()))
        missed = list(back.batches[0])
        close_and_hand_back(desk, RasaApi(stack.rasa_url, stack.api_token), request_id=rid, agent="zhang",
                            note="已告知材料")
        await back.wait(lambda: any(m["text"].startswith(HANDED_BACK) for m in back.merged()), WAIT_S)
        await back.say("社保卡怎么办理")
        await back.wait(lambda: any(m["text"].startswith("【社会保障卡申领】") for m in back.merged()), WAIT_S)
        await back.close()
        return page, back, missed

    page, back, missed = run(scenario())
    live = [(m["text"], m["author"]) for m in page.merged() if m.get("author")]
    assert live == [("您好，我是工作人员。", "工作人员")]
    assert [(m["text"], m["author"]) for m in missed] == [("请带身份证原件。", "工作人员")]
    staff_ids = [m["id"] for batch in page.batches + back.batches for m in batch if m.get("author")]
    assert len(staff_ids) == len(set(staff_ids)) == 2  # each staff message reached the pages once
    assert len([m for batch in back.batches for m in batch if m["text"].startswith(HANDED_BACK)]) == 1


def test_wechat_staff_replies_go_through_the_customer_service_api(stack, wechat_api, sender, desk):
    server = WeChatServer()
    body, query = server.encrypt(server.text(sender, "转人工"), server.query())
    assert requests.post(f"{stack.rasa_url}/webhooks/wechat/webhook", params=query, data=body.encode("utf-8"),
                         timeout=30).status_code == 200
    rid = claim(desk, f"wechat:{sender}")
    service.reply(desk, request_id=rid, agent="zhang", text="您好，请问办理什么业务？")
    wait_until(lambda: delivered(desk, rid))
    assert wechat_api.texts_to(sender) == ["【工作人员】您好，请问办理什么业务？"]

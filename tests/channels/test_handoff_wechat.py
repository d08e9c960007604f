"""Staff messages over WeChat's customer-service API (channels/wechat/handoff.py), within its rules.

The real API client (channels/wechat/api.py) talks to the local fake WeChat API
(tests/support/wechat_fakes.py), driven by the delivery loop with the test's database and
Rasa's agent from tests/support/rasa_double.py, whose tracker says when the resident
last wrote.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

import pytest
from sqlalchemy import update

from bot.handoff import outbox, queue, service
from bot.handoff.models import HandoffMessage
from bot.handoff.texts import HANDED_BACK
from channels import paused_tracker
from channels.handoff_delivery import DeliveryLoop, DeliverySettings
from channels.wechat.api import WeChatApi
from channels.wechat.handoff import WeChatDeliverer
from channels.wechat.missed import MissedParts
from channels.wechat.render import MAX_TEXT_BYTES
from channels.wechat.settings import WeChatSettings
from tests.support.rasa_double import RasaAgent, conversations_of
from tests.support.wechat_fakes import APPID, APPSECRET, TOKEN, FakeWeChatApi

OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
CONVERSATION = f"wechat:{OPENID}"
HOUR = 3600.0


@pytest.fixture()
def api():
    with FakeWeChatApi() as fake:
        yield fake


@pytest.fixture()
def wechat(api, handoff_sessions):
    """(deliver everything due, the agent, the missed parts): one Rasa node's WeChat delivery."""
    agent = RasaAgent()
    settings = WeChatSettings(token=TOKEN, appid=APPID, appsecret=APPSECRET, api_base=api.base,
                              http_retries=0, http_timeout_s=3.0)
    missed = MissedParts()
    deliverer = WeChatDeliverer(conversations_of(agent), WeChatApi(settings).send_text, missed,
                                lambda: handoff_sessions)
    loop = DeliveryLoop(lambda: handoff_sessions, DeliverySettings(poll_s=0.01))
    loop.add("wechat", deliverer)

    async def deliver_all() -> None:
        while await loop.poll():
            await loop.drain()

    return (lambda: asyncio.run(deliver_all())), agent, missed


def claimed(sessions) -> int:
    rid = service.request_handoff(sessions, conversation_id=CONVERSATION, channel="wechat").request.id
    service.claim(sessions, request_id=rid, agent="zhang")
    return rid


def reply(sessions, rid: int, text: str) -> int:
    return service.reply(sessions, request_id=rid, agent="zhang", text=text).id


def outcome(sessions, rid: int, message_id: int) -> tuple[bool, str | None]:
    shown = next(m for m in queue.transcript(sessions, request_id=rid) if m.id == message_id)
    return shown.delivered_at is not None, shown.delivery_error


def staff_events(agent: RasaAgent) -> list[dict]:
    return [e for e in asyncio.run(agent.events(CONVERSATION)) if (e.get("metadata") or {}).get("handoff")]


def test_a_long_reply_goes_through_the_api_split_and_headed(wechat, api, handoff_sessions):
    deliver, agent, _ = wechat
    asyncio.run(agent.said(CONVERSATION, "材料有哪些"))
    lines = [f"第{n:02d}项：居民身份证原件及复印件一份，户口簿原件，近期一寸免冠照片两张。" for n in range(50)]
    rid = claimed(handoff_sessions)
    mid = reply(handoff_sessions, rid, "\n".join(lines))
    deliver()

    sent = api.texts_to(OPENID)
    assert len(sent) >= 3 and all(len(part.encode("utf-8")) <= MAX_TEXT_BYTES for part in sent)
    assert sent[0].startswith("【工作人员】第00项") and "（未完，后续内容稍后发送）" in sent[0]
    headings = [part.split("\n")[0] for part in sent[1:]]
    assert headings == [f"（续上条 {n}/{len(sent)}）" for n in range(2, len(sent) + 1)]
    assert all(line in "\n".join(sent) for line in lines)  # nothing lost at the cuts
    assert outcome(handoff_sessions, rid, mid) == (True, None)
    assert [e["text"] for e in staff_events(agent)] == ["\n".join(lines)]  # in the tracker once, unheaded


def test_the_hand_back_is_sent_as_the_assistants_words_and_not_appended_again(wechat, api, handoff_sessions):
    deliver, agent, _ = wechat
    asyncio.run(agent.said(CONVERSATION, "转人工"))
    rid = claimed(handoff_sessions)
    service.close(handoff_sessions, request_id=rid, agent="zhang", note="已解答")
    asyncio.run(paused_tracker.hand_back(agent, CONVERSATION, HANDED_BACK))  # not paused here: nothing added
    service.mark_resumed(handoff_sessions, request_id=rid)
    deliver()
    assert api.texts_to(OPENID) == [HANDED_BACK]
    assert [e for e in asyncio.run(agent.events(CONVERSATION)) if e["event"] == "bot"] == []


def test_outside_the_48_hours_nothing_is_called_and_45015_is_recorded(wechat, api, handoff_sessions):
    deliver, agent, _ = wechat
    asyncio.run(agent.said(CONVERSATION, "转人工", timestamp=time.time() - 49 * HOUR))
    rid = claimed(handoff_sessions)
    late = reply(handoff_sessions, rid, "您好，还在吗？")
    deliver()
    assert outcome(handoff_sessions, rid, late) == (True, "wechat:45015")
    assert api.sent == [] and staff_events(agent) == []

    asyncio.run(agent.said(CONVERSATION, "在的"))  # the resident writes again: the window reopens
    again = reply(handoff_sessions, rid, "好的，请说")
    deliver()
    assert outcome(handoff_sessions, rid, again) == (True, None)
    assert api.texts_to(OPENID) == ["【工作人员】好的，请说"]


def test_at_most_five_per_resident_message_then_45047_until_the_resident_writes(wechat, api, handoff_sessions):
    deliver, agent, _ = wechat
    asyncio.run(agent.said(CONVERSATION, "我想问一下"))
    rid = claimed(handoff_sessions)
    ids = [reply(handoff_sessions, rid, f"第{n}条") for n in range(1, 7)]
    deliver()
    assert [outcome(handoff_sessions, rid, mid) for mid in ids] == [(True, None)] * 5 + [(True, "wechat:45047")]
    assert len(api.texts_to(OPENID)) == 5

    asyncio.run(agent.said(CONVERSATION, "嗯"))
    more = reply(handoff_sessions, rid, "第7条")
    deliver()
    assert outcome(handoff_sessions, rid, more) == (True, None)
    assert api.texts_to(OPENID)[-1] == "【工作人员】第7条"


@pytest.mark.parametrize("code", [45015, 45047])
def test_the_apis_refusal_is_recorded_with_its_code(wechat, api, handoff_sessions, code):
    deliver, agent, _ = wechat
    asyncio.run(agent.said(CONVERSATION, "转人工"))
    rid = claimed(handoff_sessions)
    mid = reply(handoff_sessions, rid, "您好")
    api.errors = [code]
    deliver()
    assert outcome(handoff_sessions, rid, mid) == (True, f"wechat:{code}")
    assert api.sent == []


def test_an_unreachable_api_is_tried_again_and_the_message_arrives_once(wechat, api, handoff_sessions, monkeypatch,
                                                                        caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(outbox, "BACKOFF_S", (3600.0,))
    deliver, agent, _ = wechat
    asyncio.run(agent.said(CONVERSATION, "转人工"))
    rid = claimed(handoff_sessions)
    mid = reply(handoff_sessions, rid, "请把电话13812345678告诉窗口")
    api.go_offline()
    deliver()
    assert outcome(handoff_sessions, rid, mid) == (False, None)  # waiting for its retry
    api.go_online()
    backoff_passes(handoff_sessions, mid)
    deliver()
    assert outcome(handoff_sessions, rid, mid) == (True, None)
    assert api.texts_to(OPENID) == ["【工作人员】请把电话138****5678告诉窗口"]
    assert len(staff_events(agent)) == 1  # the tracker append of the first attempt is not repeated
    assert "13812345678" not in caplog.text and "告诉窗口" not in caplog.text
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("channels.", "bot.")))
    assert OPENID not in ours  # Rasa's own debug lines name conversations; ours shorten the openid
    assert "will be tried again (wechat:unreachable)" in caplog.text


def backoff_passes(sessions, message_id: int) -> None:
    """An hour later, as far as the message's retry is concerned."""
    with sessions.begin() as session:
        session.execute(update(HandoffMessage).where(HandoffMessage.id == message_id)
                        .values(delivery_due_at=datetime(2000, 1, 1)))


def test_a_part_that_fails_after_the_first_arrived_is_kept_for_zai_shuo_yi_bian(wechat, api, handoff_sessions):
    deliver, agent, missed = wechat
    asyncio.run(agent.said(CONVERSATION, "材料有哪些"))
    rid = claimed(handoff_sessions)
    mid = reply(handoff_sessions, rid, "\n".join(f"第{n:02d}项：居民身份证原件及复印件一份。" for n in range(90)))
    api.errors = [0, 45047]  # WeChat's "ok" for the first part, then a refusal
    deliver()
    assert outcome(handoff_sessions, rid, mid) == (True, "wechat:45047")
    kept = asyncio.run(missed.take(OPENID))
    assert kept and kept[0].startswith("（续上条 2/")

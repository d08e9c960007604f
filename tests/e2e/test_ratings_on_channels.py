"""好差评 end to end on the resident channels (issue 17): every level by number, by words and by
button, through the real WeChat and web chat channels, the real Rasa and action servers and the
database the ratings land in.

Each case is a fresh conversation that asks for a service, thanks the assistant (the invitation
with the five national levels: numbered lines on WeChat, buttons on the web chat) and answers it.
What the actions do with an answer is tests/actions/test_rating.py; this pins that the channels
carry the invitation and the answers there and back, and that the rating is stored with the
channel and the service it was about. All cases share the session's stack (tests/conftest.py):
one invitation is allowed per service and conversation, so a fresh openid or page keeps them apart.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.db import session_factory
from bot.evaluation.levels import Level, PoorReason
from bot.evaluation.models import Rating, RatingInvitation
from bot.evaluation.texts import REASON_INTRO, REASON_QUESTION, THANKS
from channels.wechat.identity import conversation_id
from tests.support.webchat_client import Page, run
from tests.support.wechat_fakes import FakeWeChatApi, WeChatServer, reply_content, settled_texts

pytestmark = pytest.mark.e2e
wechat = WeChatServer()

QUESTION = "社保卡怎么办理"
SERVICE = "sbk-apply"  # 社会保障卡申领, the service QUESTION is answered with
INVITED = "您对这次关于“社会保障卡申领”的答复满意吗"
LEVELS = ["1. 非常满意", "2. 满意", "3. 基本满意", "4. 不满意", "5. 非常不满意"]
REASONS = ["1. 答非所问", "2. 材料说得不清楚", "3. 流程太复杂", "4. 等太久", "5. 其他"]
#: The number a resident answers with, and the level it stands for (the offered order, issue 17).
BY_NUMBER = [("1", Level.VERY_SATISFIED), ("2", Level.SATISFIED), ("3", Level.BASICALLY_SATISFIED),
             ("4", Level.DISSATISFIED), ("5", Level.VERY_DISSATISFIED)]
#: Words a resident types instead, the level they name.
BY_WORDS = [("满意", Level.SATISFIED), ("非常不满意", Level.VERY_DISSATISFIED), ("一般", Level.BASICALLY_SATISFIED)]


@pytest.fixture(scope="module")
def db(catalogue_db_url):
    """The application database the stack writes ratings into."""
    return session_factory(catalogue_db_url)


def ratings_of(db, conversation: str) -> list[tuple[int, str, str | None]]:
    """(level, channel, service id) of each rating the conversation left."""
    with db() as session:
        rows = session.execute(select(Rating.level, Rating.channel, Rating.service_id)
                               .where(Rating.conversation_id == conversation).order_by(Rating.id)).all()
    return [tuple(row) for row in rows]


def invitations_of(db, conversation: str) -> int:
    with db() as session:
        return len(session.execute(select(RatingInvitation.id)
                                   .where(RatingInvitation.conversation_id == conversation)).all())


def numbered_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if re.match(r"^\s*\d\. ", line)]


# -- WeChat: WeChat's servers played by wechatpy, its API by a local HTTP server ------------
class WeChatResident:
    """One WeChat user (a fresh openid) writing to the official account."""

    def __init__(self, stack, api: FakeWeChatApi) -> None:
        self.stack, self.api = stack, api
        self.openid = f"o{uuid.uuid4().hex[:27]}"
        self.conversation = conversation_id(self.openid)

    def say(self, text: str) -> str:
        """The whole reply: the passive one and what followed through the customer-service API."""
        before = len(self.api.texts_to(self.openid))
        body, query = wechat.encrypt(wechat.text(self.openid, text), wechat.query())
        response = requests.post(f"{self.stack.rasa_url}/webhooks/wechat/webhook", params=query,
                                 data=body.encode("utf-8"), timeout=30)
        assert response.status_code == 200
        passive = reply_content(wechat.decrypt_reply(response.text)) if response.text.startswith("<xml") else ""
        return "\n".join([passive, *settled_texts(self.api, self.openid)[before:]])

    def invited(self) -> str:
        """Ask for the service, then thank: the reply to 谢谢."""
        assert "【社会保障卡申领】" in self.say(QUESTION)
        return self.say("谢谢")


@pytest.fixture()
def resident(stack, wechat_api) -> WeChatResident:
    """A fresh openid per test: one invitation per service and conversation, so no case sees another's."""
    return WeChatResident(stack, wechat_api)


def test_wechat_invitation_arrives_as_five_numbered_lines(resident, db):
    reply = resident.invited()
    assert INVITED in reply and "回复数字" in reply
    assert numbered_lines(reply.split(INVITED, 1)[1]) == LEVELS
    assert invitations_of(db, resident.conversation) == 1 and ratings_of(db, resident.conversation) == []


@pytest.mark.parametrize(("said", "level"), BY_NUMBER + BY_WORDS)
def test_wechat_each_level_by_number_or_words_is_stored(resident, db, said, level):
    resident.invited()
    reply = resident.say(said)
    assert ratings_of(db, resident.conversation) == [(level, "wechat", SERVICE)]
    if level.is_poor:
        assert REASON_INTRO in reply and REASON_QUESTION in reply and THANKS not in reply
        assert numbered_lines(reply.split(REASON_QUESTION, 1)[1]) == REASONS
    else:
        assert THANKS in reply and REASON_QUESTION not in reply


def test_wechat_a_poor_rating_takes_its_reason_and_names_who_follows_up(resident, db):
    resident.invited()
    resident.say("4")
    done = resident.say("2")  # 材料说得不清楚
    assert "市人力资源和社会保障局" in done and "核实处理" in done and "转人工" in done
    with db() as session:
        reason = session.scalar(select(Rating.reason).where(Rating.conversation_id == resident.conversation))
    assert reason == PoorReason.UNCLEAR_MATERIALS.value


# -- web chat: the socket.io protocol, played by python-socketio as the page -----------------
async def turn(page: Page, text: str, **extra: Any) -> list[dict[str, Any]]:
    """Send one message; the assistant's messages of that turn (they come as one batch)."""
    before = len(page.batches)
    assert await page.say(text, **extra) == {"ok": True}
    await page.wait(lambda: len(page.batches) > before)
    return [m for batch in page.batches[before:] for m in batch if m["role"] == "bot"]


async def invited_page(stack) -> tuple[Page, dict[str, Any]]:
    """A fresh page that asked for the service and thanked: the page, and the invitation."""
    page = Page(stack.rasa_url)
    await page.open()
    answer = await turn(page, QUESTION)
    assert answer and answer[0]["text"].startswith("【社会保障卡申领】")
    thanked = await turn(page, "谢谢")
    return page, next(m for m in thanked if INVITED in m["text"])


def webchat_rating(stack, answer: str, tapped: bool) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """(conversation, invitation, reply) after answering the invitation with ``answer``: a tapped
    button's title (sent as the page sends a tap: its payload, the title shown) or typed text."""
    async def scenario():
        page, invitation = await invited_page(stack)
        try:
            if tapped:
                button = next(b for b in invitation["buttons"] if b["title"] == answer)
                reply = await turn(page, button["payload"], display=button["title"], payload=True)
            else:
                reply = await turn(page, answer)
        finally:
            await page.close()
        return page.conversation, invitation, reply

    return run(scenario())


def assert_acknowledged(reply: list[dict[str, Any]], level: Level) -> None:
    texts = "\n".join(m["text"] for m in reply)
    if level.is_poor:
        assert REASON_INTRO in texts
        question = next(m for m in reply if REASON_QUESTION in m["text"])
        assert [b["title"] for b in question["buttons"]] == REASONS
    else:
        assert THANKS in texts and not any(m["buttons"] for m in reply)


@pytest.mark.parametrize("button, level", list(zip(LEVELS, [level for _, level in BY_NUMBER], strict=True)))
def test_webchat_each_level_by_its_button_is_stored(stack, db, button, level):
    conversation, invitation, reply = webchat_rating(stack, button, tapped=True)
    assert [b["title"] for b in invitation["buttons"]] == LEVELS
    assert [b["payload"] for b in invitation["buttons"]] == ["1", "2", "3", "4", "5"]
    assert ratings_of(db, conversation) == [(level, "webchat", SERVICE)]
    assert_acknowledged(reply, level)


@pytest.mark.parametrize(("typed", "level"), [("3", Level.BASICALLY_SATISFIED), ("非常满意", Level.VERY_SATISFIED),
                                              ("不满意", Level.DISSATISFIED)])
def test_webchat_a_level_typed_as_number_or_words_is_stored(stack, db, typed, level):
    conversation, _, reply = webchat_rating(stack, typed, tapped=False)
    assert ratings_of(db, conversation) == [(level, "webchat", SERVICE)]
    assert_acknowledged(reply, level)


# -- one rating per service and conversation -------------------------------------------------
def test_wechat_thanks_again_after_rating_gets_no_second_invitation(resident, db):
    resident.invited()
    resident.say("1")
    again = resident.say("谢谢")
    assert "不客气" in again and "满意吗" not in again and numbered_lines(again) == []
    assert invitations_of(db, resident.conversation) == 1
    assert ratings_of(db, resident.conversation) == [(Level.VERY_SATISFIED, "wechat", SERVICE)]


def test_webchat_thanks_again_after_rating_gets_no_second_invitation(stack, db):
    async def scenario():
        page, invitation = await invited_page(stack)
        try:
            button = invitation["buttons"][1]
            await turn(page, button["payload"], display=button["title"], payload=True)
            return page.conversation, await turn(page, "谢谢")
        finally:
            await page.close()

    conversation, again = run(scenario())
    assert again and not any("满意吗" in m["text"] or m["buttons"] for m in again)
    assert invitations_of(db, conversation) == 1
    assert ratings_of(db, conversation) == [(Level.SATISFIED, "webchat", SERVICE)]

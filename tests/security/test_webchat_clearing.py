"""清除记录 on a shared phone: asked once, then the conversation and its drafts are gone."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db import session_factory
from bot.flows.drafts import FlowDraft
from channels.webchat import clearing
from tests.support.webchat_client import Page, run

pytestmark = pytest.mark.e2e


def drafts_of(db_url: str, conversation: str) -> int:
    with session_factory(db_url)() as session:
        return session.scalar(select(func.count()).select_from(FlowDraft).where(FlowDraft.sender_id == conversation))


def stored_events(stack, conversation: str) -> int:
    return sum(stack.count_events(conversation, kind) for kind in ("user", "bot", "action", "slot"))


async def half_filled_application(page: Page) -> None:
    await page.open()
    for text in ("高龄津贴怎么申请", "办理", "1", "王秀英"):
        await page.say(text)


def test_clearing_asks_once_then_erases_the_conversation_and_its_drafts(stack, catalogue_db_url):
    async def scenario():
        page = Page(stack.rasa_url)
        await half_filled_application(page)
        state = {"drafts": drafts_of(catalogue_db_url, page.conversation),
                 "events": stored_events(stack, page.conversation)}
        asked = await page.say("清除记录")
        await page.wait(lambda: any(m["text"] == clearing.CONFIRM for m in page.merged()))
        state["events_while_asking"] = stored_events(stack, page.conversation)
        done = await page.say("确定清除", display="1. 确定清除", payload=True)
        await page.wait(lambda: page.cleared)
        await page.close()
        back = Page(stack.rasa_url)
        await back.open(token=page.token)  # someone later trying the old token on this phone
        await back.close()
        return page, state, asked, done, back

    page, state, asked, done, back = run(scenario())
    assert state["drafts"] == 1 and state["events"] > 0
    assert asked == {"ok": True} and state["events_while_asking"] == state["events"]  # only asked
    confirm = next(m for m in page.merged() if m["text"] == clearing.CONFIRM)
    assert [b["payload"] for b in confirm["buttons"]] == ["确定清除", "不清除"]
    assert done == {"ok": True, "cleared": True}
    assert stored_events(stack, page.conversation) == 0
    assert drafts_of(catalogue_db_url, page.conversation) == 0
    assert back.batches[0] == []  # nothing left to read back


def test_declining_keeps_everything(stack, catalogue_db_url):
    async def scenario():
        page = Page(stack.rasa_url)
        await half_filled_application(page)
        before = stored_events(stack, page.conversation)
        await page.say("清除记录")
        ack = await page.say("不清除", payload=True)
        await page.wait(lambda: any(m["text"] == clearing.DECLINED for m in page.merged()))
        await page.say("再说一遍")
        await page.close()
        return page, before, ack

    page, before, ack = run(scenario())
    assert ack == {"ok": True} and not page.cleared
    assert stored_events(stack, page.conversation) > before
    assert drafts_of(catalogue_db_url, page.conversation) == 1
    assert "身份证号" in [m["text"] for m in page.merged() if m["role"] == "bot"][-1]

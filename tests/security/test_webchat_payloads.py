"""Typed text is text in the web chat: "/restart" and '/intent{...}' are not commands."""
from __future__ import annotations

import json

import pytest

from tests.support.webchat_client import Page, run

pytestmark = pytest.mark.e2e


def users(page: Page) -> list:
    return [m for m in page.merged() if m["role"] == "user"]


def test_restart_typed_mid_flow_is_answered_and_loses_nothing(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        for text in ("高龄津贴怎么申请", "办理", "1", "王秀英"):
            await page.say(text)
        before = len(page.merged())
        ack = await page.say("/restart")
        await page.wait(lambda: len(page.merged()) > before + 1)
        answer = [m["text"] for m in page.merged()[before:] if m["role"] == "bot"]
        await page.say("再说一遍")
        await page.close()
        return page, ack, answer

    page, ack, answer = run(scenario())
    assert ack == {"ok": True} and answer  # answered, not silently wiped
    typed = users(page)[-2]
    assert typed["display"] == "/restart" and typed["text"] == "restart"  # shown as typed, understood as words
    last = [m["text"] for m in page.merged() if m["role"] == "bot"][-1]
    assert "（第3步" in last and "身份证号" in last  # still at the ID step: the answers so far are kept


def test_a_typed_payload_sets_no_slot_and_a_tap_flag_does_not_make_it_one(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say('/greet{"district":"火星区"}')
        await page.say('/inform_district{"district":"火星区"}', payload=True)  # not an offered button
        await page.say("社保卡怎么办理")
        await page.close()
        return page

    page = run(scenario())
    assert district_values(stack, page.conversation) == []
    assert "哪个区县" in page.merged()[-1]["text"]


def district_values(stack, conversation: str) -> list:
    import sqlite3

    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute("select data from events where sender_id = ? and type_name = 'slot'", (conversation,))
        events = [json.loads(data) for (data,) in rows]
    return [e["value"] for e in events if e.get("name") == "district"]


def test_the_opening_greet_is_a_payload_only_on_a_new_conversation(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("/greet", payload=True)
        await page.say("/greet", payload=True)
        await page.close()
        return page

    page = run(scenario())
    texts = [m["text"] for m in page.merged()]
    assert "芜湖市政务服务助手" in texts[1]  # the welcome menu
    assert users(page)[1]["text"] == "greet"  # the second time it is only a word


def test_an_event_with_no_payload_or_extra_arguments_is_answered(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        acks = [await page.sio.call("user_uttered", timeout=20),
                await page.sio.call("user_uttered", ({"message": "你好"}, "extra"), timeout=20)]
        await page.close()
        return acks

    assert run(scenario()) == [{"ok": False, "error": "bad_request"}, {"ok": False, "error": "bad_session"}]

"""The web chat's socket.io protocol against the real servers (python-socketio as the page).

Browser behaviour is in tests/web/; this pins the server's side of the contract:
server-issued session tokens, history from the tracker, stable ids, resend deduplication,
replies not lost offline. Attacks on the sessions are in tests/security/.
"""
from __future__ import annotations

import pytest

from tests.support.proxy import CuttableProxy
from tests.support.webchat_client import Page, run

pytestmark = pytest.mark.e2e


def test_new_session_gets_a_token_for_a_server_made_conversation_and_empty_history(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.close()
        return page

    page = run(scenario())
    assert page.fresh is True and page.conversation.startswith("web:") and len(page.conversation) == 36
    assert page.batches == [[]]


def test_reconnecting_renews_the_token_and_keeps_the_conversation(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("你好")
        await page.close()
        again = Page(stack.rasa_url)
        await again.open(token=page.token)
        await again.say("谢谢")
        await again.close()
        return page, again

    page, again = run(scenario())
    assert again.fresh is False and again.token != page.token and again.conversation == page.conversation
    assert [m["text"] for m in again.batches[0] if m["role"] == "user"] == ["你好"]
    assert stack.count_events(page.conversation, "user") == 2


def test_a_service_answer_comes_with_its_card_and_stable_ids(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        ack = await page.say("社保卡怎么办理", client_id="client-0001-abcdef")
        await page.wait(lambda: any(m["role"] == "bot" for m in page.merged()))
        await page.close()
        return page, ack

    page, ack = run(scenario())
    assert ack == {"ok": True}
    messages = page.merged()
    assert messages[0]["role"] == "user" and messages[0]["client_id"] == "client-0001-abcdef"
    answer = next(m for m in messages if m["role"] == "bot")
    assert answer["text"].startswith("【社会保障卡申领】")
    card = answer["custom"]
    assert card["type"] == "service_card" and card["service"]["name"] == "社会保障卡申领"
    assert card["service"]["materials"] and "以窗口最新要求为准" in card["service"]["notice"]
    district_question = messages[-1]
    assert "哪个区县" in district_question["text"] and len(district_question["buttons"]) == 7


def test_resent_message_is_processed_once_and_reload_returns_the_same_history(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        first = await page.say("公积金租房提取要带什么", client_id="resend-test-0001")
        again = await page.say("公积金租房提取要带什么", client_id="resend-test-0001")
        await page.close()
        reloaded = Page(stack.rasa_url)
        await reloaded.open(token=page.token)
        await reloaded.close()
        return page, first, again, reloaded

    page, first, again, reloaded = run(scenario())
    assert first == again == {"ok": True}
    assert stack.count_events(page.conversation, "user") == 1
    assert [m["id"] for m in reloaded.merged()] == [m["id"] for m in page.merged()]


def test_reply_produced_while_offline_arrives_after_reconnect(stack):
    """The page sends, then loses the downlink before any reply can reach it (certain, not timed)."""
    proxy = CuttableProxy(int(stack.rasa_url.rsplit(":", 1)[1]))

    async def scenario():
        page = Page(proxy.url)
        await page.open()
        await page.say("你好")
        last_seen = max(m["ts"] for m in page.merged())
        bots_before = stack.count_events(page.conversation, "bot")
        batches_before = len(page.batches)
        proxy.mute_downstream()  # offline from here: the message still leaves, nothing comes back
        await page.sio.emit("user_uttered", {"token": page.token, "message": "身份证过期了怎么换",
                                             "client_id": "offline-0000001"})
        await page.wait(lambda: stack.count_events(page.conversation, "bot") > bots_before)
        received_while_offline = [m["text"] for b in page.batches[batches_before:] for m in b]
        await page.close()
        back = Page(stack.rasa_url)
        await back.open(token=page.token, last_seen=last_seen)
        await back.close()
        return back, received_while_offline

    try:
        back, received_while_offline = run(scenario())
    finally:
        proxy.close()
    assert received_while_offline == []
    messages = back.merged()
    assert messages[0]["role"] == "user" and messages[0]["text"] == "身份证过期了怎么换"
    answers = [m for m in messages if m["role"] == "bot" and "居民身份证" in m["text"]]
    assert len(answers) == 1  # arrives once


def test_button_display_is_kept_and_personal_data_masked(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("社保卡怎么办理")
        await page.say("2", display="2. 弋江区")
        await page.say("我的电话13812345678", display="我的电话13812345678")
        await page.close()
        reloaded = Page(stack.rasa_url)
        await reloaded.open(token=page.token)
        await reloaded.close()
        return reloaded

    messages = run(scenario()).merged()
    users = [m for m in messages if m["role"] == "user"]
    assert users[1]["text"] == "2" and users[1]["display"] == "2. 弋江区"
    assert "13812345678" not in str(messages) and "138****5678" in users[2]["text"]


@pytest.mark.parametrize("payload, error", [
    ({"token": "valid", "message": 42}, "bad_request"),
    ({"message": "你好"}, "bad_session"),
    ({"token": "not a token", "message": "你好"}, "bad_session"),
    ({"session_id": "0123456789abcdef", "message": "你好"}, "bad_session"),  # the old protocol's raw id
])
def test_malformed_messages_get_an_error_ack(stack, payload, error):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        ack = await page.sio.call("user_uttered", {**payload, "token": page.token} if payload.get("token") == "valid"
                                  else payload, timeout=10)
        await page.close()
        return ack

    assert run(scenario()) == {"ok": False, "error": error}


def test_page_is_served_or_explains_how_to_build_it(stack):
    import requests

    resp = requests.get(f"{stack.rasa_url}/chat/", timeout=10)
    assert resp.status_code in (200, 503)
    assert "芜湖政务服务助手" in resp.text
    assert requests.get(f"{stack.rasa_url}/chat/assets/../../credentials.yml", timeout=10).status_code == 404

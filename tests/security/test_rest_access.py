"""Attacks on the REST channel: no token from outside, shared or foreign conversations, huge bodies."""
from __future__ import annotations

import uuid

import pytest
import requests

from channels.rest.endpoint import conversation_id
from tests.security.guarded import REST_TOKEN, client_address, rest
from tests.support.webchat_client import Page, run

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"sec-{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789abcdef"])
def test_from_elsewhere_without_the_token_is_401_and_nothing_is_processed(guarded_stack, token):
    sender = new_sender()
    resp = rest(guarded_stack, sender, "查进度", address=client_address(), token=token)
    assert resp.status_code == 401 and resp.json() == {"error": "unauthorized"}
    assert guarded_stack.count_events(conversation_id(sender), "user") == 0


def test_from_elsewhere_with_the_token_is_answered(guarded_stack):
    resp = rest(guarded_stack, new_sender(), "社保卡怎么办理", address=client_address(), token=REST_TOKEN)
    assert resp.status_code == 200 and "【社会保障卡申领】" in resp.json()[0]["text"]


def test_local_tools_need_no_token(guarded_stack):
    resp = rest(guarded_stack, new_sender(), "你好")
    assert resp.status_code == 200 and "芜湖市政务服务助手" in resp.json()[0]["text"]


def test_a_client_cannot_pretend_to_be_local_through_the_proxy(guarded_stack):
    resp = rest(guarded_stack, new_sender(), "你好", address="127.0.0.1, " + client_address())
    assert resp.status_code == 401


@pytest.mark.parametrize("body", [{"message": "查进度"}, {"sender": "", "message": "查进度"}, {"sender": "me"}])
def test_no_sender_is_400_never_a_shared_default_conversation(stack, body):
    before = stack.count_events("default", "user") + stack.count_events(conversation_id("default"), "user")
    resp = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    assert resp.status_code == 400
    assert stack.count_events("default", "user") + stack.count_events(conversation_id("default"), "user") == before


def test_a_rest_sender_cannot_reach_a_web_conversation(stack):
    async def resident():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("社保卡怎么办理")
        await page.close()
        return page

    page = run(resident())
    for sender in (page.conversation, f"wechat:o{uuid.uuid4().hex[:12]}"):
        reply = stack.say(sender, "我在镜湖区")
        assert reply and reply[0]["recipient_id"] == sender
        assert stack.count_events(f"rest:{sender}", "user") == 1  # its own conversation
    assert stack.count_events(page.conversation, "user") == 1  # the resident's is untouched

    async def reload():
        again = Page(stack.rasa_url)
        await again.open(token=page.token)
        await again.close()
        return again

    users = [m["text"] for m in run(reload()).merged() if m["role"] == "user"]
    assert users == ["社保卡怎么办理"]


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/webhooks/wechat/webhook",
                                  "/socket.io/?EIO=4&transport=polling&sid=x"])
def test_a_100_kb_body_is_413_on_every_channel(stack, path):
    body = b'{"sender":"big","message":"' + b"x" * 100_000 + b'"}'
    resp = requests.post(f"{stack.rasa_url}{path}", data=body, timeout=30,
                         headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert stack.count_events(conversation_id("big"), "user") == 0

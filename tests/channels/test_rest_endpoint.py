"""The REST webhook's rules (channels/rest/endpoint.py) with a small assistant double."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from channels.client_address import TrustedProxies
from channels.limits import TOO_FAST, LimitSettings, MessageLimits
from channels.rest.endpoint import RestEndpoint, conversation_id, load_token

TOKEN = "integration-token-0123456789"
OUTSIDE = "203.0.113.5"


class Assistant:
    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.events: dict[str, list[dict[str, Any]]] = {}

    async def __call__(self, conversation: str, text: str) -> list[dict[str, Any]]:
        self.calls.append((conversation, text))
        return [{"recipient_id": conversation, "text": f"收到：{text}"}]

    async def read(self, conversation: str) -> list[dict[str, Any]]:
        return self.events.get(conversation, [])


def make(token=TOKEN, proxies="127.0.0.1", **limits):
    assistant = Assistant()
    endpoint = RestEndpoint(token=token, proxies=TrustedProxies.parse(proxies),
                            limits=MessageLimits(LimitSettings(**limits)), events=assistant.read,
                            assistant=assistant)
    return endpoint, assistant


def call(endpoint, body, peer="127.0.0.1", forwarded=None, authorization=None):
    return asyncio.run(endpoint.handle(peer=peer, forwarded_for=forwarded, authorization=authorization, body=body))


def test_loopback_works_without_a_token_as_before():
    endpoint, assistant = make()
    reply = call(endpoint, {"sender": "me", "message": "你好"})
    assert reply.status == 200 and reply.body == [{"recipient_id": "me", "text": "收到：你好"}]
    assert assistant.calls == [("rest:me", "你好")]


@pytest.mark.parametrize("authorization", [None, "", "Bearer wrong-token-0123456789", f"Basic {TOKEN}", TOKEN])
def test_from_elsewhere_without_the_token_nothing_is_processed(authorization):
    endpoint, assistant = make()
    for peer, forwarded in (("198.51.100.7", None), ("127.0.0.1", OUTSIDE)):
        reply = call(endpoint, {"sender": "me", "message": "查进度"}, peer, forwarded, authorization)
        assert reply.status == 401 and "Bearer" in reply.headers["WWW-Authenticate"]
    assert assistant.calls == []


def test_from_elsewhere_with_the_token():
    endpoint, assistant = make()
    reply = call(endpoint, {"sender": "me", "message": "你好"}, "127.0.0.1", OUTSIDE, f"Bearer {TOKEN}")
    assert reply.status == 200 and assistant.calls == [("rest:me", "你好")]


def test_without_a_configured_token_only_loopback_gets_in():
    endpoint, _ = make(token=None)
    assert call(endpoint, {"sender": "me", "message": "你好"}, "198.51.100.7", None, "Bearer ").status == 401
    assert call(endpoint, {"sender": "me", "message": "你好"}).status == 200


def test_a_forged_forwarded_header_from_an_untrusted_peer_does_not_make_it_local():
    endpoint, _ = make()
    assert call(endpoint, {"sender": "me", "message": "你好"}, "198.51.100.7", "127.0.0.1").status == 401


@pytest.mark.parametrize("body", [
    {"message": "你好"}, {"sender": "", "message": "你好"}, {"sender": "   ", "message": "你好"},
    {"sender": 7, "message": "你好"}, {"sender": "x" * 129, "message": "你好"},
    {"sender": "me"}, {"sender": "me", "message": None}, ["me", "你好"], None,
])
def test_malformed_bodies_are_400_and_never_a_shared_default(body):
    endpoint, assistant = make()
    assert call(endpoint, body).status == 400
    assert assistant.calls == []


@pytest.mark.parametrize("sender", ["web:0123456789abcdef0123456789abcdef", "wechat:oABC123", "rest:x", "default"])
def test_senders_live_in_their_own_namespace(sender):
    endpoint, assistant = make()
    reply = call(endpoint, {"sender": sender, "message": "查进度"})
    assert assistant.calls == [(f"rest:{sender}", "查进度")] == [(conversation_id(sender), "查进度")]
    assert reply.body[0]["recipient_id"] == sender


def test_typed_payloads_become_text_and_offered_buttons_pass():
    endpoint, assistant = make()
    call(endpoint, {"sender": "me", "message": "/restart"})
    call(endpoint, {"sender": "me", "message": '/greet{"district":"镜湖区"}'})
    assistant.events["rest:me"] = [{"event": "bot", "data": {"buttons": [{"title": "办理", "payload": "/affirm"}]}}]
    call(endpoint, {"sender": "me", "message": "/affirm"})
    assert [text for _, text in assistant.calls] == ["restart", 'greet{"district":"镜湖区"}', "/affirm"]


def test_rate_limits_apply_to_callers_from_elsewhere_only():
    endpoint, _ = make(conversation_burst=2, conversation_per_min=0)
    auth = f"Bearer {TOKEN}"
    statuses = [call(endpoint, {"sender": "busy", "message": "你好"}, "127.0.0.1", OUTSIDE, auth).status
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = call(endpoint, {"sender": "busy", "message": "你好"}, "127.0.0.1", OUTSIDE, auth)
    assert limited.body == [{"recipient_id": "busy", "text": TOO_FAST}] and "Retry-After" not in limited.headers
    assert call(endpoint, {"sender": "calm", "message": "你好"}, "127.0.0.1", OUTSIDE, auth).status == 200
    assert all(call(endpoint, {"sender": "busy", "message": "你好"}).status == 200 for _ in range(5))  # loopback


def test_retry_after_says_when_to_come_back():
    endpoint, _ = make(conversation_burst=1, conversation_per_min=6)
    auth = f"Bearer {TOKEN}"
    call(endpoint, {"sender": "a", "message": "你好"}, "127.0.0.1", OUTSIDE, auth)
    limited = call(endpoint, {"sender": "a", "message": "你好"}, "127.0.0.1", OUTSIDE, auth)
    assert limited.status == 429 and 1 <= int(limited.headers["Retry-After"]) <= 10


def test_a_failing_assistant_is_a_500_not_a_crash():
    async def broken(conversation, text):
        raise RuntimeError("boom")

    endpoint = RestEndpoint(token=None, proxies=TrustedProxies(), limits=MessageLimits(LimitSettings()),
                            events=Assistant().read, assistant=broken)
    assert call(endpoint, {"sender": "me", "message": "你好"}).status == 500


def test_token_configuration(tmp_path):
    path = tmp_path / "rest_token"
    path.write_text(TOKEN + "\n")
    assert load_token({"REST_TOKEN_FILE": str(path)}) == TOKEN
    assert load_token({"REST_TOKEN": "env-token-0123456789", "REST_TOKEN_FILE": str(path)}) == "env-token-0123456789"
    assert load_token({}, configured=TOKEN) == TOKEN
    assert load_token({"REST_TOKEN": ""}) is None
    with pytest.raises(ValueError):
        load_token({"REST_TOKEN": "short"})

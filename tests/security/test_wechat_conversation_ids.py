"""WeChat conversations live in their own namespace of Rasa sender ids (issue 11 item 1).

The sender id is formed from the openid only after the request passed every check, as
"wechat:<openid>", a prefix no other channel issues; an openid that could smuggle
another namespace in is refused.
"""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import UserMessage

from channels.wechat.channel import WeChatInput
from channels.wechat.identity import conversation_id
from tests.support.wechat_endpoint import make
from tests.support.wechat_fakes import AES_KEY, APPID, APPSECRET, TOKEN, WeChatServer

wechat = WeChatServer()


def test_the_channel_hands_rasa_the_namespaced_id():
    seen = []
    channel = WeChatInput.from_credentials({"token": TOKEN, "appid": APPID, "appsecret": APPSECRET,
                                            "aes_key": AES_KEY})

    async def on_new_message(message: UserMessage) -> None:
        seen.append((message.sender_id, message.input_channel))

    channel.blueprint(on_new_message)
    body, query = wechat.encrypt(wechat.text("oResident_1", "你好"), wechat.query())
    asyncio.run(channel.endpoint.handle_post(query, body.encode()))
    assert seen == [(conversation_id("oResident_1"), "wechat")] == [("wechat:oResident_1", "wechat")]


@pytest.mark.parametrize("openid", ["rest:o1", "wechat:o1", "o 1", "o1\nx", "张三"])
def test_a_sender_that_is_not_an_openid_is_refused(openid):
    endpoint, assistant = make()
    reply = asyncio.run(endpoint.handle_post(wechat.query(), wechat.text(openid, "你好").encode()))
    assert reply.status == 400 and assistant.calls == []

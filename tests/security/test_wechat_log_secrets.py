"""No WeChat credential reaches a log, even while WeChat's API is unreachable (issue 20).

urllib3 logs "Retrying (…) after connection broken by …: <url>" for every failed
connection, and WeChat's URLs carry the AppSecret (token API) and the access token
(customer-service API). The endpoint is built by the channel, as Rasa builds it, so the
filter the channel installs is the one under test; logs are captured at DEBUG.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from channels.wechat.channel import WeChatInput
from tests.support.wechat_fakes import (
    AES_KEY,
    APPID,
    APPSECRET,
    TOKEN,
    FakeWeChatApi,
    WeChatServer,
)

wechat = WeChatServer()


def channel_endpoint(api_base: str) -> Any:
    """The endpoint the channel serves, answering every message late (all through the API)."""
    channel = WeChatInput.from_credentials({"token": TOKEN, "appid": APPID, "appsecret": APPSECRET,
                                            "aes_key": AES_KEY, "api_base": api_base,
                                            "reply_deadline_s": 0, "http_retries": 2})

    async def assistant(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "收到")

    channel.blueprint(assistant)
    return channel.endpoint


def ask(endpoint, openid: str) -> None:
    async def scenario():
        body, query = wechat.encrypt(wechat.text(openid, "社保卡怎么办"), wechat.query())
        await endpoint.handle_post(query, body.encode())
        await endpoint.drain()

    asyncio.run(scenario())


def logged(caplog) -> str:
    """Everything the handlers saw: messages and tracebacks."""
    return "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)


@pytest.fixture
def api():
    with FakeWeChatApi() as server:
        yield server


def test_appsecret_is_not_logged_when_the_token_api_is_unreachable(api, caplog):
    caplog.set_level(logging.DEBUG)
    endpoint = channel_endpoint(api.base)
    api.go_offline()
    ask(endpoint, "o-secret")

    text = logged(caplog)
    assert "Retrying" in text and "/cgi-bin/token?" in text  # the URL was logged…
    assert "secret=***" in text
    assert APPSECRET not in text and AES_KEY not in text and TOKEN not in text  # …without credentials


def test_access_token_is_not_logged_when_the_customer_service_api_goes_down(api, caplog):
    caplog.set_level(logging.DEBUG)
    endpoint = channel_endpoint(api.base)
    ask(endpoint, "o-token")  # delivered: a token was issued
    assert api.texts_to("o-token") == ["收到"] and api.valid_tokens
    api.go_offline()
    ask(endpoint, "o-token")

    text = logged(caplog)
    assert "Retrying" in text and "/cgi-bin/message/custom/send?" in text
    assert "access_token=***" in text
    assert not any(token in text for token in api.valid_tokens)
    assert APPSECRET not in text


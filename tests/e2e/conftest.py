"""A real running assistant (action server + Rasa with REST and WeChat channels) for e2e tests."""
from __future__ import annotations

import uuid
from typing import Optional

import pytest

from bot.stack import latest_model, running_stack
from tests.channels.wechat_fakes import AES_KEY, APPID, APPSECRET, TOKEN, FakeWeChatApi


def wechat_credentials(api_base: str, reply_deadline_s: Optional[float] = None) -> str:
    """credentials.yml text: REST plus the WeChat channel talking to a fake WeChat API."""
    text = (f"rest:\nchannels.wechat.WeChatInput:\n  token: {TOKEN}\n  appid: {APPID}\n"
            f"  appsecret: {APPSECRET}\n  aes_key: {AES_KEY}\n  api_base: {api_base}\n")
    if reply_deadline_s is not None:
        text += f"  reply_deadline_s: {reply_deadline_s}\n"
    return text


def _model():
    try:
        return latest_model()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def wechat_api():
    """WeChat's token and customer-service APIs, played by a local HTTP server."""
    with FakeWeChatApi() as api:
        yield api


@pytest.fixture(scope="session")
def stack(tmp_path_factory, catalogue_db_url, wechat_api):
    with running_stack(tmp_path_factory.mktemp("stack"), _model(), catalogue_db_url,
                       credentials=wechat_credentials(wechat_api.base)) as running:
        yield running


@pytest.fixture()
def sender() -> str:
    """A fresh conversation id per test."""
    return f"test-{uuid.uuid4().hex[:12]}"

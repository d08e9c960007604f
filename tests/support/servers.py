"""Credentials and model for the real servers the e2e and browser tests start."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.stack import latest_model
from tests.support.wechat_fakes import AES_KEY, APPID, APPSECRET, TOKEN


def all_channels(api_base: str, reply_deadline_s: float | None = None) -> str:
    """credentials.yml text: REST, the web chat, WeChat talking to a fake WeChat API, the public results."""
    text = (f"channels.rest.RestInput:\nchannels.webchat.WebChatInput:\n  socketio_path: /socket.io\n"
            "channels.public_results.PublicResultsInput:\n"
            f"channels.wechat.WeChatInput:\n  token: {TOKEN}\n  appid: {APPID}\n"
            f"  appsecret: {APPSECRET}\n  aes_key: {AES_KEY}\n  api_base: {api_base}\n")
    if reply_deadline_s is not None:
        text += f"  reply_deadline_s: {reply_deadline_s}\n"
    return text


def trained_model() -> Path:
    try:
        return latest_model()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))

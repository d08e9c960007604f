"""Choosing the channels' stores from GOV_REDIS_URL (channels/shared_state.py).

Unset: memory, exactly as one process always worked, without importing redis. Set: Redis
for every channel, or a start that fails loudly; never a quiet fallback to memory.
"""
from __future__ import annotations

import logging
import subprocess
import sys

import pytest
import socketio

from bot.config import PROJECT_ROOT
from channels.limits import InProcess, LimitSettings, MemoryTokenBuckets
from channels.redis_limits import RedisTokenBuckets
from channels.shared_state import SharedState, SharedStateError, redacted, shared_state
from channels.webchat.redis_claims import RedisMessageClaims
from channels.wechat.choices import MemoryChoices
from channels.wechat.missed import MissedParts
from channels.wechat.nonces import MemoryNonceStore
from channels.wechat.redis_choices import RedisChoices
from channels.wechat.redis_missed import RedisMissedParts
from channels.wechat.redis_nonces import RedisNonceStore
from channels.wechat.redis_token import RedisAccessToken
from channels.wechat.redis_turns import RedisTurns
from channels.wechat.settings import WeChatSettings

UNREACHABLE = "redis://:s3cret-pw@127.0.0.1:1/0"


def test_without_the_variable_everything_stays_in_memory_and_redis_is_not_imported():
    code = """
import sys
from channels.limits import InProcess, LimitSettings, MemoryTokenBuckets
from channels.shared_state import shared_state
from channels.wechat.choices import MemoryChoices
from channels.wechat.missed import MissedParts
from channels.wechat.nonces import MemoryNonceStore

state = shared_state({"GOV_REDIS_URL": "  "})
limits = state.message_limits(LimitSettings(), "rest")
assert not state.shared
assert isinstance(limits.conversations, InProcess) and isinstance(limits.addresses, InProcess)
assert isinstance(limits.conversations.limiter, MemoryTokenBuckets)
assert isinstance(state.nonce_store(), MemoryNonceStore)
assert state.wechat_turns(60) is None and state.socketio_manager() is None
assert isinstance(state.wechat_choices(), MemoryChoices) and isinstance(state.wechat_missed(), MissedParts)
assert state.webchat_claims() is None
from channels.wechat.settings import WeChatSettings
assert state.wechat_access_token(WeChatSettings(appid="wx1", appsecret="s")) is None
print(sorted(name for name in sys.modules if name.split(".")[0] == "redis"))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(PROJECT_ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_urls_are_shown_without_their_password():
    assert redacted("redis://:pw@10.0.0.5:6379/0") == "redis://:***@10.0.0.5:6379/0"
    assert redacted("rediss://gov:pw@redis.internal/1") == "rediss://gov:***@redis.internal/1"
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert redacted("s3cret-pw") == "<not a URL>"


@pytest.mark.parametrize("url", [UNREACHABLE, "http://:s3cret-pw@127.0.0.1:6379/0", "s3cret-pw"])
def test_an_unusable_url_stops_the_start_naming_redis_and_the_url_but_not_the_password(url, caplog):
    with caplog.at_level(logging.CRITICAL, logger="channels.shared_state"):
        with pytest.raises(SharedStateError) as raised:
            shared_state({"GOV_REDIS_URL": url})
    message = str(raised.value)
    assert "GOV_REDIS_URL" in message and "Redis at" in message
    assert "s3cret-pw" not in message and "s3cret-pw" not in caplog.text
    assert [r.levelname for r in caplog.records] == ["CRITICAL"] and "Redis at" in caplog.text
    if url == UNREACHABLE:
        assert "redis://:***@127.0.0.1:1/0" in message and "ConnectionError" in message


def test_with_the_variable_every_store_is_in_redis(redis_url):
    state = shared_state({"GOV_REDIS_URL": redis_url})
    limits = state.message_limits(LimitSettings(), "webchat")
    manager = state.socketio_manager()
    assert state.shared
    assert isinstance(limits.conversations, RedisTokenBuckets) and isinstance(limits.addresses, RedisTokenBuckets)
    assert isinstance(state.nonce_store(), RedisNonceStore)
    assert isinstance(state.wechat_turns(60), RedisTurns)
    assert isinstance(state.wechat_choices(), RedisChoices) and isinstance(state.wechat_missed(), RedisMissedParts)
    assert isinstance(state.webchat_claims(), RedisMessageClaims)
    assert isinstance(manager, socketio.AsyncRedisManager) and manager.channel == "gov:webchat:socketio"
    token = state.wechat_access_token(WeChatSettings(appid="wx1", appsecret="s"))
    assert isinstance(token, RedisAccessToken) and token.key.startswith("gov:wechat:token:")


def test_the_in_memory_state_is_what_one_process_had():
    state = SharedState.in_memory()
    limits = state.message_limits(LimitSettings(), "webchat")
    assert isinstance(limits.addresses, InProcess) and isinstance(limits.addresses.limiter, MemoryTokenBuckets)
    assert isinstance(state.nonce_store(), MemoryNonceStore) and state.wechat_turns(60) is None
    assert isinstance(state.wechat_choices(), MemoryChoices) and isinstance(state.wechat_missed(), MissedParts)
    assert state.webchat_claims() is None
    assert state.wechat_access_token(WeChatSettings(appid="wx1", appsecret="s")) is None


# -- the channels ask it --------------------------------------------------------------------
def channels():
    from channels.rest.channel import RestInput
    from channels.webchat.channel import WebChatInput
    from channels.wechat.channel import WeChatInput
    from tests.support.wechat_fakes import APPID, APPSECRET, TOKEN

    return {"rest": RestInput(), "webchat": WebChatInput(),
            "wechat": WeChatInput.from_credentials({"token": TOKEN, "appid": APPID, "appsecret": APPSECRET})}


async def nothing(message) -> None:
    return None


@pytest.mark.parametrize("name", ["rest", "webchat", "wechat"])
def test_every_channel_refuses_to_start_on_an_unreachable_redis(name, monkeypatch, tmp_path):
    monkeypatch.setenv("GOV_REDIS_URL", UNREACHABLE)
    monkeypatch.setenv("WEBCHAT_SECRET", "x" * 32)
    with pytest.raises(SharedStateError, match="Redis at redis://:\\*\\*\\*@127.0.0.1:1/0"):
        channels()[name].blueprint(nothing)


def test_the_channels_use_redis_when_it_is_set(redis_url, monkeypatch):
    monkeypatch.setenv("GOV_REDIS_URL", redis_url)
    monkeypatch.setenv("WEBCHAT_SECRET", "x" * 32)
    built = channels()
    for channel in built.values():
        channel.blueprint(nothing)
    assert isinstance(built["webchat"].sio.manager, socketio.AsyncRedisManager)
    assert isinstance(built["webchat"].claims, RedisMessageClaims)
    endpoint = built["wechat"].endpoint
    assert isinstance(endpoint._nonces, RedisNonceStore) and isinstance(endpoint._shared, RedisTurns)
    assert isinstance(endpoint._choices, RedisChoices) and isinstance(endpoint._missed, RedisMissedParts)
    api = endpoint._outbox._send_text.__self__  # WeChatApi.send_text
    assert isinstance(api._client._shared, RedisAccessToken)

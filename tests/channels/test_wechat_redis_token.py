"""WeChat's access token shared by the nodes of a cluster (channels/wechat/redis_token.py).

Each "node" is a WeChatApi with its own Redis connection, against one FakeWeChatApi that
counts the tokens it issues. Where the order matters (both nodes asking at once, a refusal
arriving after the other node replaced the token), the fake holds a request at a gate and
the test opens it once the other node is where it should be, instead of sleeping.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
import requests

from channels.redis_keys import digest
from channels.wechat import redis_token
from channels.wechat.api import WeChatApi, WeChatApiError
from channels.wechat.redis_token import RedisAccessToken, token_ttl_s
from channels.wechat.settings import WeChatSettings
from tests.support.race import race
from tests.support.redis_server import keys_under
from tests.support.wechat_fakes import APPID, APPSECRET, FakeWeChatApi

TOKEN_PATH = "/cgi-bin/token"
SEND_PATH = "/cgi-bin/message/custom/send"


def settings_for(base: str, retries: int = 2) -> WeChatSettings:
    return WeChatSettings.from_credentials({"token": "t", "appid": APPID, "appsecret": APPSECRET,
                                            "api_base": base, "http_timeout_s": 2.0, "http_retries": retries})


@contextmanager
def nodes(url: str, prefix: str, base: str, n: int = 2, retries: int = 2,
          sleeps: list[Callable[[float], None]] | None = None) -> Iterator[list[WeChatApi]]:
    """``n`` WeChatApi objects sharing the token through Redis, each with its own connection;
    ``sleeps[i]`` replaces node i's pause between reads (to see that it is waiting)."""
    clients = [redis.Redis.from_url(url) for _ in range(n)]
    try:
        yield [WeChatApi(settings_for(base, retries),
                         RedisAccessToken(client, APPID, prefix=prefix, lock_ttl_s=10,
                                          sleep=sleeps[i] if sleeps else time.sleep))
               for i, client in enumerate(clients)]
    finally:
        for client in clients:
            client.close()


def stored(url: str, prefix: str) -> bytes | None:
    with redis.Redis.from_url(url) as client:
        return client.get(f"{prefix}wechat:token:{digest(APPID)}")


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failures


@pytest.fixture
def fake() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as server:
        yield server


# -- one fetch for the cluster ---------------------------------------------------------------
def test_two_nodes_fetch_the_token_once_and_keep_it_under_a_hashed_key(redis_url, redis_prefix, fake):
    with nodes(redis_url, redis_prefix, fake.base) as (a, b):
        a.send_text("o-a", "甲节点")
        b.send_text("o-b", "乙节点")
        b.send_text("o-b", "乙节点第二条")

    assert fake.tokens_issued == 1
    assert [m["text"]["content"] for m in fake.sent] == ["甲节点", "乙节点", "乙节点第二条"]
    keys = keys_under(redis_url, redis_prefix)
    assert list(keys) == [f"{redis_prefix}wechat:token:{digest(APPID)}"]  # the lock is gone
    assert APPID not in next(iter(keys))
    assert 7200 - redis_token.MARGIN_S - 60 < next(iter(keys.values())) <= 7200 - redis_token.MARGIN_S
    assert stored(redis_url, redis_prefix) == fake.tokens[0].encode()


def test_two_nodes_asking_at_the_same_moment_fetch_once(redis_url, redis_prefix, fake):
    """A's fetch is held at WeChat until B is seen waiting (or, were there no lock, B's own
    fetch arrives): then both send with the one token."""
    b_waiting = threading.Event()

    def b_sleep(seconds: float) -> None:
        b_waiting.set()
        time.sleep(seconds)

    gate = fake.hold(TOKEN_PATH)
    with nodes(redis_url, redis_prefix, fake.base, sleeps=[time.sleep, b_sleep]) as (a, b):
        a_thread, a_failures = in_thread(lambda: a.send_text("o-a", "甲"))
        try:
            assert gate.wait_arrived(1)
            b_thread, b_failures = in_thread(lambda: b.send_text("o-b", "乙"))
            deadline = time.monotonic() + 10
            while not b_waiting.is_set() and gate.arrived < 2 and time.monotonic() < deadline:
                b_waiting.wait(0.05)
        finally:
            gate.open()
        a_thread.join(15)
        b_thread.join(15)

    assert a_failures == [] and b_failures == []
    assert b_waiting.is_set() and gate.arrived == 1
    assert fake.tokens_issued == 1
    assert sorted(m["touser"] for m in fake.sent) == ["o-a", "o-b"]


def test_many_senders_on_two_nodes_at_once_fetch_once(redis_url, redis_prefix, fake):
    with nodes(redis_url, redis_prefix, fake.base) as (a, b):
        sent, _, errors = race(8, lambda i: (a, b)[i % 2].send_text(f"o-{i}", f"消息{i}"), WeChatApiError)

    assert errors == [] and len(sent) == 8
    assert fake.tokens_issued == 1
    assert len(fake.sent) == 8


# -- refused tokens ------------------------------------------------------------------------
def test_a_refused_token_is_replaced_once_for_the_cluster(redis_url, redis_prefix, fake):
    with nodes(redis_url, redis_prefix, fake.base) as (a, b):
        a.send_text("o-a", "先拿令牌")
        fake.errors = [40001]  # WeChat no longer takes the stored token
        a.send_text("o-a", "刷新后送达")
        b.send_text("o-b", "用新令牌")

    assert fake.tokens_issued == 2
    assert stored(redis_url, redis_prefix) == fake.tokens[1].encode()
    assert [m["text"]["content"] for m in fake.sent] == ["先拿令牌", "刷新后送达", "用新令牌"]


@pytest.mark.parametrize("errcode", [40001, 42001])
def test_a_refusal_on_node_a_does_not_drop_the_token_node_b_fetched_since(redis_url, redis_prefix, fake, errcode):
    """A's call carries token 1 and is held at WeChat; B's call is refused, B replaces the
    token with token 2; then A's call is refused too. A must not drop token 2."""
    with nodes(redis_url, redis_prefix, fake.base) as (a, b):
        a.send_text("o-a", "先拿令牌")
        gate = fake.hold(SEND_PATH)
        a_thread, a_failures = in_thread(lambda: a.send_text("o-a", "甲的消息"))
        try:
            assert gate.wait_arrived(1)
            fake.errors = [errcode]
            b.send_text("o-b", "乙的消息")  # refused with token 1, sent with token 2
            assert stored(redis_url, redis_prefix) == fake.tokens[1].encode()
            fake.errors = [errcode]  # for A's held call, which carries token 1
        finally:
            gate.open()
        a_thread.join(15)

    assert a_failures == []
    assert fake.tokens_issued == 2  # a third would mean A threw away B's token
    assert stored(redis_url, redis_prefix) == fake.tokens[1].encode()
    assert fake.texts_to("o-a") == ["先拿令牌", "甲的消息"] and fake.texts_to("o-b") == ["乙的消息"]


# -- expiry, failures, the lock ---------------------------------------------------------------
def test_the_stored_token_expires_before_wechats_and_is_fetched_again(redis_url, redis_prefix, fake):
    assert token_ttl_s(7200) == 7200 - redis_token.MARGIN_S
    assert token_ttl_s(400) == 200 and token_ttl_s(1) == 1
    fake.expires_in = 2  # stored for 1 s
    with nodes(redis_url, redis_prefix, fake.base) as (a, b):
        a.send_text("o-a", "第一次")
        deadline = time.monotonic() + 10
        while stored(redis_url, redis_prefix) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored(redis_url, redis_prefix) is None
        b.send_text("o-b", "过期后")

    assert fake.tokens_issued == 2
    assert fake.texts_to("o-b") == ["过期后"]


def test_a_failed_fetch_releases_the_lock_and_the_next_node_fetches(redis_url, redis_prefix, fake):
    with nodes(redis_url, redis_prefix, fake.base, retries=1) as (a, b):
        fake.http_failures = 2  # A's fetch and its one retry
        with pytest.raises(WeChatApiError):
            a.send_text("o-a", "不会送达")
        assert keys_under(redis_url, redis_prefix) == {}  # neither token nor lock left behind
        b.send_text("o-b", "送达")

    assert fake.tokens_issued == 1 and fake.texts_to("o-b") == ["送达"]


def test_a_lock_left_by_a_dead_node_expires_and_another_node_fetches(redis_url, redis_prefix, fake):
    with redis.Redis.from_url(redis_url) as client:
        client.set(f"{redis_prefix}wechat:token-lock:{digest(APPID)}", "dead-node", px=300)
    with nodes(redis_url, redis_prefix, fake.base, n=1) as (a,):
        a.send_text("o-a", "锁过期后送达")

    assert fake.tokens_issued == 1 and fake.texts_to("o-a") == ["锁过期后送达"]


def test_a_node_never_releases_a_lock_that_another_node_holds(redis_url, redis_prefix):
    """The fetch outlived the lock and another node took it: the first leaves it alone."""
    with redis.Redis.from_url(redis_url) as client:
        store = RedisAccessToken(client, APPID, prefix=redis_prefix, lock_ttl_s=10)

        def slow_fetch() -> tuple[str, int]:
            client.set(store.lock_key, "other-node", px=10_000)  # as if ours expired and was taken
            return "a-fetched-token-value", 7200

        assert store.get(slow_fetch) == "a-fetched-token-value"
        assert client.get(store.lock_key) == b"other-node"


def test_redis_down_is_an_api_error_and_no_token_of_the_nodes_own(fake):
    api = WeChatApi(settings_for(fake.base),
                    RedisAccessToken(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1), APPID))
    with pytest.raises(WeChatApiError, match="Redis failed"):
        api.send_text("o-a", "不会送达")
    assert fake.tokens_issued == 0 and fake.sent == []


# -- the token is a secret --------------------------------------------------------------------
def logged(caplog) -> str:
    return "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)


def test_a_token_read_from_redis_is_redacted_like_a_fetched_one(redis_url, redis_prefix, fake, caplog):
    """Another process fetched the token and stored it: this node never fetched it, and still
    keeps it out of its logs, its errors and its tracebacks."""
    caplog.set_level(logging.DEBUG)
    token = requests.get(f"{fake.base}{TOKEN_PATH}", timeout=5, params={
        "grant_type": "client_credential", "appid": APPID, "secret": APPSECRET}).json()["access_token"]
    with redis.Redis.from_url(redis_url) as client:
        client.set(f"{redis_prefix}wechat:token:{digest(APPID)}", token, ex=600)

    with nodes(redis_url, redis_prefix, fake.base, n=1, retries=1) as (b,):
        b.send_text("o-b", "用别人取的令牌")
        logging.getLogger("channels.wechat.api").warning("a careless line quoting %s", token)
        fake.errors = [40001] * 5  # refused, renewed, refused again: an error
        with pytest.raises(WeChatApiError) as refused:
            b.send_text("o-b", "不会送达")
        fake.go_offline()  # urllib3 logs the URLs it retries
        with pytest.raises(WeChatApiError) as unreachable:
            b.send_text("o-b", "不会送达")
        logging.getLogger("channels.wechat.api").error("failed", exc_info=(type(unreachable.value),
                                                                         unreachable.value, None))

    assert fake.tokens_issued == 2 and fake.texts_to("o-b") == ["用别人取的令牌"]
    text = logged(caplog)
    assert "a careless line quoting ***" in text and "access_token=***" in text and "Retrying" in text
    for secret in (*fake.tokens, APPSECRET):
        assert secret not in text
        assert secret not in str(refused.value) and secret not in str(unreachable.value)


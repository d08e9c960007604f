"""WeChatApi against a real local HTTP server (FakeWeChatApi): tokens, refresh, retries, timeouts."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from channels.wechat.api import WeChatApi, WeChatApiError
from channels.wechat.settings import WeChatSettings
from tests.support.wechat_fakes import APPID, APPSECRET, FakeWeChatApi

OPENID = "o_resident_1"


def make_api(base: str, *, timeout_s: float = 2.0, retries: int = 2,
             appsecret: str = APPSECRET) -> WeChatApi:
    """A WeChatApi pointed at ``base``, built the way the channel builds it."""
    settings = WeChatSettings.from_credentials({
        "token": "t", "appid": APPID, "appsecret": appsecret, "api_base": base,
        "http_timeout_s": timeout_s, "http_retries": retries})
    return WeChatApi(settings)


@pytest.fixture
def fake() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as server:
        yield server


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_token_is_fetched_once_and_cached(fake: FakeWeChatApi) -> None:
    """Two sends share one access token; both messages arrive intact."""
    api = make_api(fake.base)
    api.send_text(OPENID, "您好，社保卡办理需要身份证。")
    api.send_text("o_resident_2", "第二条消息")

    assert fake.tokens_issued == 1
    assert [(m["touser"], m["msgtype"], m["text"]["content"]) for m in fake.sent] == [
        (OPENID, "text", "您好，社保卡办理需要身份证。"),
        ("o_resident_2", "text", "第二条消息"),
    ]


@pytest.mark.parametrize("errcode", [42001, 40001])
def test_expired_token_is_refreshed_once_then_delivered(fake: FakeWeChatApi, errcode: int) -> None:
    """A token-expiry answer triggers one new token and the resend succeeds."""
    api = make_api(fake.base)
    fake.errors = [errcode]

    api.send_text(OPENID, "办理进度：已受理")

    assert fake.tokens_issued == 2
    assert fake.texts_to(OPENID) == ["办理进度：已受理"]


def test_token_kept_refused_gives_up_after_one_refresh(fake: FakeWeChatApi) -> None:
    """A token the server keeps refusing does not loop: one refresh, then an error."""
    api = make_api(fake.base)
    fake.errors = [40001] * 10

    with pytest.raises(WeChatApiError) as caught:
        api.send_text(OPENID, "不会送达")

    assert caught.value.errcode == 40001
    assert fake.tokens_issued == 2
    assert fake.sent == []
    assert len(fake.errors) == 8  # exactly two POSTs were made


def test_other_errcode_raises_without_refreshing(fake: FakeWeChatApi) -> None:
    """45015 (the resident's 48 h window closed) is not a token problem."""
    api = make_api(fake.base)
    fake.errors = [45015]

    with pytest.raises(WeChatApiError) as caught:
        api.send_text(OPENID, "超时的回复")

    assert caught.value.errcode == 45015
    assert fake.tokens_issued == 1
    assert fake.sent == []


def test_transient_503s_are_retried(fake: FakeWeChatApi) -> None:
    """Two 503s within two retries: the request goes through."""
    api = make_api(fake.base, retries=2)
    api.send_text(OPENID, "先拿令牌")  # token cached, so the 503s hit the send
    fake.http_failures = 2

    api.send_text(OPENID, "重试后送达")

    assert fake.http_failures == 0
    assert fake.texts_to(OPENID) == ["先拿令牌", "重试后送达"]
    assert fake.tokens_issued == 1


def test_503s_on_token_fetch_are_retried(fake: FakeWeChatApi) -> None:
    """The token fetch has the same retries as the API calls."""
    api = make_api(fake.base, retries=2)
    fake.http_failures = 2

    api.send_text(OPENID, "令牌重试后送达")

    assert fake.tokens_issued == 1
    assert fake.texts_to(OPENID) == ["令牌重试后送达"]


def test_503s_beyond_retries_raise(fake: FakeWeChatApi) -> None:
    """More 503s than retries: WeChatApiError, nothing delivered."""
    api = make_api(fake.base, retries=2)
    api.send_text(OPENID, "先拿令牌")
    fake.http_failures = 5

    with pytest.raises(WeChatApiError):
        api.send_text(OPENID, "不会送达")

    assert fake.http_failures == 2  # 1 try + 2 retries used three
    assert fake.texts_to(OPENID) == ["先拿令牌"]


def test_503s_on_token_fetch_beyond_retries_raise(fake: FakeWeChatApi) -> None:
    """A token API that stays down is a WeChatApiError too."""
    api = make_api(fake.base, retries=1)
    fake.http_failures = 5

    with pytest.raises(WeChatApiError):
        api.send_text(OPENID, "不会送达")
    assert fake.tokens_issued == 0


def test_slow_api_times_out() -> None:
    """A send slower than http_timeout_s fails well before the server answers (a bound, not speed)."""
    with FakeWeChatApi(send_delay_s=2) as slow:
        api = make_api(slow.base, timeout_s=0.3, retries=2)
        started = time.monotonic()
        with pytest.raises(WeChatApiError):
            api.send_text(OPENID, "太慢了")
        elapsed = time.monotonic() - started

    assert elapsed < 1.8


def test_unreachable_api_raises_wechat_error() -> None:
    """Nothing listening: a WeChatApiError, not a raw requests exception."""
    api = make_api(f"http://127.0.0.1:{closed_port()}", timeout_s=1.0, retries=1)

    with pytest.raises(WeChatApiError) as caught:
        api.send_text(OPENID, "无人接收")
    assert caught.value.errcode is None


def test_wrong_appsecret_is_refused(fake: FakeWeChatApi) -> None:
    """The token API's 40125 surfaces as WeChatApiError with that errcode."""
    api = make_api(fake.base, appsecret="wrong-secret")

    with pytest.raises(WeChatApiError) as caught:
        api.send_text(OPENID, "不会送达")

    assert caught.value.errcode == 40125
    assert fake.tokens_issued == 0
    assert fake.sent == []


class _DownAfterPop(list):
    """Scripted errcodes that take the API down (one 503) once an errcode is used."""

    def __init__(self, fake: FakeWeChatApi, errcodes: list[int]) -> None:
        super().__init__(errcodes)
        self._fake = fake

    def pop(self, index: int = -1) -> int:
        value = super().pop(index)
        self._fake.http_failures = 1
        return value


def test_failed_refresh_is_a_wechat_error(fake: FakeWeChatApi) -> None:
    """Token expired, then the refresh gets a 503: still a WeChatApiError, not requests.HTTPError."""
    api = make_api(fake.base, retries=0)
    api.send_text(OPENID, "先拿令牌")
    fake.errors = _DownAfterPop(fake, [42001])

    with pytest.raises(WeChatApiError):
        api.send_text(OPENID, "不会送达")
    assert fake.tokens_issued == 1
    assert fake.texts_to(OPENID) == ["先拿令牌"]


def test_concurrent_senders_fetch_one_token(fake: FakeWeChatApi) -> None:
    """Eight threads sending at once with no token yet: one token fetch (the lock)."""
    api = make_api(fake.base)
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def send(n: int) -> None:
        start.wait()
        try:
            api.send_text(f"o_user_{n}", f"消息{n}")
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert failures == []
    assert fake.tokens_issued == 1
    assert sorted(m["touser"] for m in fake.sent) == sorted(f"o_user_{n}" for n in range(8))

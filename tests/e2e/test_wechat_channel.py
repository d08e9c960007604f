"""The WeChat channel inside the real Rasa server, with the real action server and database.

WeChat's side is played by wechatpy (signing, AES) and a local HTTP server for the
customer-service API (tests/support/wechat_fakes.py).
"""
from __future__ import annotations

import time

import pytest
import requests

from bot.stack import running_stack
from channels.wechat import texts
from channels.wechat.identity import conversation_id
from tests.support.servers import all_channels, trained_model
from tests.support.wechat_fakes import (
    AES_KEY,
    APPSECRET,
    TOKEN,
    FakeWeChatApi,
    WeChatServer,
    reply_content,
    settled_texts,
)

pytestmark = pytest.mark.e2e
wechat = WeChatServer()
NOTICE = "以窗口最新要求为准"


def hook(stack) -> str:
    return f"{stack.rasa_url}/webhooks/wechat/webhook"


def post(stack, body: str, query=None, encrypted: bool = True):
    """As WeChat posts: in safe mode (the test servers have an AES key), unless told otherwise."""
    query = query or wechat.query()
    if encrypted:
        body, query = wechat.encrypt(body, query)
    return requests.post(hook(stack), params=query, data=body.encode("utf-8"), timeout=30)


def passive_text(resp) -> str:
    return reply_content(wechat.decrypt_reply(resp.text)) if resp.text.startswith("<xml") else ""


def replies(stack, api, openid: str, body: str) -> tuple:
    """(passive reply, the texts the channel sent through the API for this message)."""
    before = len(api.texts_to(openid))
    resp = post(stack, body)
    assert resp.status_code == 200
    return passive_text(resp), settled_texts(api, openid)[before:]


def whole_reply(stack, api, openid: str, body: str) -> str:
    """Passive reply plus any continuation the channel sent through the API, as one text."""
    passive, later = replies(stack, api, openid, body)
    return "\n".join([passive, *later])


def test_server_verification(stack):
    ok = requests.get(hook(stack), params=wechat.query(echostr="8364729101"), timeout=10)
    assert (ok.status_code, ok.text) == (200, "8364729101")
    forged = requests.get(hook(stack), params={**wechat.query(echostr="1"), "signature": "0" * 40}, timeout=10)
    assert forged.status_code == 403


def test_text_question_gets_the_whole_answer_and_a_number_picks_the_district(stack, wechat_api, sender):
    passive, later = replies(stack, wechat_api, sender, wechat.text(sender, "社保卡怎么办理"))
    text = "\n".join([passive, *later])
    for part in ("【社会保障卡申领】", "要带的材料", NOTICE, "哪个区县", "1. 镜湖区", "回复数字"):
        assert part in text, part
    # the question arrives for certain: in the passive reply, after the shortened answer
    assert passive.startswith("【社会保障卡申领】") and passive.rstrip().endswith("7. 无为市")
    assert "哪个区县" in passive
    if later:
        assert texts.TRUNCATED in passive and later[0].startswith("（续上条 2/")
    hall = whole_reply(stack, wechat_api, sender, wechat.text(sender, "2"))
    assert "弋江区" in hall and "地址" in hall


def test_safe_mode_conversation(stack, wechat_api, sender):
    text = whole_reply(stack, wechat_api, sender, wechat.text(sender, "你好"))
    assert "芜湖市政务服务助手" in text and "1. 社会保障卡申领" in text


def test_plaintext_is_refused_when_the_aes_key_is_set(stack, sender):
    resp = post(stack, wechat.text(sender, "你好"), encrypted=False)
    assert resp.status_code == 403 and stack.count_events(conversation_id(sender), "user") == 0


def test_subscribe_gets_the_welcome_menu(stack, wechat_api, sender):
    text = whole_reply(stack, wechat_api, sender, wechat.event(sender, "subscribe"))
    assert "芜湖市政务服务助手" in text and "回复数字" in text


def test_menu_click_reaches_the_assistant(stack, wechat_api, sender):
    text = whole_reply(stack, wechat_api, sender, wechat.event(sender, "CLICK", EventKey="GUIDE_IDCARD"))
    assert "【居民身份证" in text


def test_voice_with_and_without_recognition(stack, wechat_api, sender):
    heard = whole_reply(stack, wechat_api, sender, wechat.message(sender, "voice", MediaId="m", Format="amr",
                                                                  Recognition="身份证过期了怎么换？"))
    assert "【居民身份证" in heard
    unheard = whole_reply(stack, wechat_api, sender, wechat.message(sender, "voice", MediaId="m", Format="amr"))
    assert "打字" in unheard


def test_location_picks_the_nearest_hall_and_the_district_is_remembered(stack, wechat_api, sender):
    text = whole_reply(stack, wechat_api, sender, wechat.message(
        sender, "location", Location_X="30.925", Location_Y="118.33", Scale="15", Label="南陵县籍山镇"))
    assert "南陵县" in text and "地址" in text
    answer = whole_reply(stack, wechat_api, sender, wechat.text(sender, "社保卡怎么办理"))
    assert "办理地点（南陵县）" in answer and "哪个区县" not in answer


def test_unsupported_image_gets_a_polite_answer(stack, wechat_api, sender):
    text = whole_reply(stack, wechat_api, sender, wechat.message(sender, "image", PicUrl="http://x/y.jpg", MediaId="m"))
    assert "暂不支持图片消息" in text


def test_replayed_msgid_is_processed_once(stack, sender):
    body = wechat.text(sender, "公积金租房提取要带什么", wechat.next_msg_id())
    first, again = post(stack, body), post(stack, body)
    assert passive_text(first) == passive_text(again) != ""
    assert stack.count_events(conversation_id(sender), "user") == 1


def test_a_used_nonce_with_another_body_is_refused(stack, sender):
    query = wechat.query()
    first = post(stack, wechat.text(sender, "你好"), query=dict(query))
    swapped = post(stack, wechat.text(sender, "取消预约"), query=dict(query))
    assert (first.status_code, swapped.status_code) == (200, 403)
    assert stack.count_events(conversation_id(sender), "user") == 1


def test_the_conversation_is_stored_under_the_wechat_namespace(stack, sender):
    post(stack, wechat.text(sender, "你好"))
    assert stack.count_events(conversation_id(sender), "user") == 1
    assert stack.count_events(sender, "user") == 0  # a bare openid names no WeChat conversation


def test_forged_and_hostile_requests_are_refused_and_leave_no_trace(stack, sender):
    forged = post(stack, wechat.text(sender, "你好"), query={**wechat.query(), "signature": "f" * 40})
    stale = post(stack, wechat.text(sender, "你好"), query=wechat.query(timestamp=int(time.time()) - 3600))
    xxe = post(stack, f"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xml><FromUserName>{sender}</FromUserName><MsgType>text</MsgType><Content>&x;</Content><MsgId>9</MsgId></xml>""")
    malformed = post(stack, "<xml><MsgType>text</MsgType><Content>未闭合")
    assert [r.status_code for r in (forged, stale, xxe, malformed)] == [403, 403, 400, 400]
    assert stack.count_events(conversation_id(sender), "user") == 0
    assert passive_text(post(stack, wechat.text(sender, "你好")))  # still serving


@pytest.fixture(scope="module")
def hasty_stack(tmp_path_factory, catalogue_db_url):
    """A server whose reply deadline every answer misses: all replies go through the API."""
    with FakeWeChatApi() as api:
        with running_stack(tmp_path_factory.mktemp("hasty"), trained_model(), catalogue_db_url,
                           credentials=all_channels(api.base, reply_deadline_s=0.001)) as running:
            yield running, api


def test_late_reply_answers_success_in_time_and_arrives_through_the_api(hasty_stack, sender):
    stack, api = hasty_stack
    started = time.monotonic()
    resp = post(stack, wechat.text(sender, "社保卡怎么办理"))
    elapsed = time.monotonic() - started
    assert (resp.status_code, resp.text) == (200, "success")
    assert elapsed < 4.0  # WeChat would have waited 5 s
    deadline = time.monotonic() + 30
    while not any("哪个区县" in t for t in api.texts_to(sender)) and time.monotonic() < deadline:
        time.sleep(0.2)
    delivered = "\n".join(api.texts_to(sender))
    assert "【社会保障卡申领】" in delivered and NOTICE in delivered and "哪个区县" in delivered


# -- WeChat's API unreachable: residents are told, credentials stay out of the log -------------
@pytest.fixture(scope="module")
def flaky_api_stack(tmp_path_factory, catalogue_db_url):
    """A server whose customer-service API can be switched off (its port closed)."""
    with FakeWeChatApi() as api:
        with running_stack(tmp_path_factory.mktemp("flaky"), trained_model(), catalogue_db_url,
                           credentials=all_channels(api.base)) as running:
            yield running, api


def wait_for_log(stack, needle: str, count: int, timeout_s: float = 60.0) -> None:
    """Until the server log holds ``needle`` ``count`` times (deliveries run in the background)."""
    deadline = time.monotonic() + timeout_s
    while stack.log_text().count(needle) < count:
        assert time.monotonic() < deadline, f"{needle!r} not logged {count} times"
        time.sleep(0.2)


def test_unreachable_api_is_announced_resent_and_leaks_no_credential(flaky_api_stack, sender):
    stack, api = flaky_api_stack
    kept = "kept for the resident"
    api.go_offline()
    first = passive_text(post(stack, wechat.text(sender, "社保卡丢了怎么补办")))
    assert texts.TRUNCATED in first and "回复“办理”" in first  # the next step came in the passive reply
    wait_for_log(stack, kept, 1)  # the token API was unreachable: the rest is kept

    api.go_online()
    told = passive_text(post(stack, wechat.text(sender, "你好")))
    assert told.endswith(texts.MISSED_NOTICE)
    resent, later = replies(stack, api, sender, wechat.text(sender, "再说一遍"))
    assert resent.startswith(texts.RESENT) and "（续上条 2/" in resent
    assert all(part.startswith("（续上条 ") for part in later)
    delivered = replies(stack, api, sender, wechat.text(sender, "社保卡怎么办理"))[1]
    assert delivered and api.valid_tokens  # an access token is in use now

    api.go_offline()
    passive_text(post(stack, wechat.text(sender, "社保卡怎么办理")))
    wait_for_log(stack, kept, 2)  # the customer-service API was unreachable
    log = stack.log_text()
    assert "secret=***" in log and "access_token=***" in log  # the URLs were logged, redacted
    for credential in (APPSECRET, TOKEN, AES_KEY, *api.valid_tokens):
        assert credential not in log

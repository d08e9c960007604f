"""The WeChat webhook logic, driven the way WeChat's servers drive it (wechatpy as client).

The assistant here is a small async double so each rule of the protocol is pinned on its
own; tests/e2e/test_wechat_channel.py runs the same protocol against the real servers.
"""
from __future__ import annotations

import asyncio
import re
import time

import pytest

from channels.wechat import texts
from channels.wechat.endpoint import SUCCESS, WeChatEndpoint
from channels.wechat.identity import conversation_id
from channels.wechat.menu import load_menu
from channels.wechat.render import MAX_TEXT_BYTES
from channels.wechat.settings import DEFAULT_MENU, WeChatSettings
from tests.support.wechat_endpoint import (
    APPLY_HINT,
    DISTRICT_QUESTION,
    LONG_ANSWER,
    FakeAssistant,
    answer_text,
    headings,
    long_turn,
    make,
    numbered,
)
from tests.support.wechat_fakes import TOKEN, FakeWeChatApi, WeChatServer, _sign, reply_content


def post(endpoint, query, body):
    return asyncio.run(endpoint.handle_post(query, body.encode() if isinstance(body, str) else body))


wechat = WeChatServer()


# -- server verification ------------------------------------------------------------------
def test_get_verification_echoes_echostr():
    endpoint, _ = make()
    reply = endpoint.handle_get(wechat.query(echostr="4713220530786651845"))
    assert (reply.status, reply.body) == (200, "4713220530786651845")


@pytest.mark.parametrize("tamper", ["forged", "missing", "stale", "wrong_token"])
def test_get_verification_refuses_bad_signatures(tamper):
    endpoint, _ = make()
    query = {"forged": lambda: {**wechat.query(echostr="e"), "signature": "0" * 40},
             "missing": lambda: {k: v for k, v in wechat.query(echostr="e").items() if k != "signature"},
             "stale": lambda: wechat.query(timestamp=int(time.time()) - 3600, echostr="e"),
             "wrong_token": lambda: WeChatServer(token="other").query(echostr="e")}[tamper]()
    reply = endpoint.handle_get(query)
    assert reply.status == 403 and "e" != reply.body


def test_unconfigured_channel_answers_404():
    endpoint = WeChatEndpoint(WeChatSettings.from_credentials({}), FakeAssistant(), {})
    assert endpoint.handle_get(wechat.query(echostr="e")).status == 404
    assert post(endpoint, wechat.query(), wechat.text("o1", "你好")).status == 404


# -- plaintext and safe mode --------------------------------------------------------------
def test_plaintext_text_goes_to_the_assistant_and_comes_back_as_a_passive_reply():
    endpoint, assistant = make()
    reply = post(endpoint, wechat.query(), wechat.text("openid-1", "社保卡怎么办"))
    assert reply.status == 200 and reply.content_type.startswith("application/xml")
    assert reply_content(reply.body) == "收到：社保卡怎么办"
    assert "<ToUserName><![CDATA[openid-1]]></ToUserName>" in reply.body  # addressed back
    assert (assistant.calls[0][:2] == (conversation_id("openid-1"), "社保卡怎么办")
            == ("wechat:openid-1", "社保卡怎么办"))
    assert assistant.calls[0][2]["wechat"]["msg_type"] == "text"


@pytest.mark.parametrize("compatible", [False, True])
def test_safe_and_compatible_mode_decrypt_and_reply_encrypted(compatible):
    endpoint, assistant = make(safe=True)
    xml = wechat.text("openid-2", "公积金提取")
    body, query = wechat.encrypt(xml, wechat.query())
    if compatible:  # compatible mode also carries the plaintext fields; only Encrypt is trusted
        body = body.replace("</xml>", "<Content><![CDATA[伪造的明文]]></Content></xml>")
    reply = post(endpoint, query, body)
    assert reply.status == 200 and "<Encrypt>" in reply.body and "收到" not in reply.body
    assert reply_content(wechat.decrypt_reply(reply.body)) == "收到：公积金提取"
    assert [c[1] for c in assistant.calls] == ["公积金提取"]


@pytest.mark.parametrize("tamper", ["msg_signature", "url_signature", "stale", "other_appid", "garbage"])
def test_safe_mode_refuses_tampered_messages(tamper):
    endpoint, assistant = make(safe=True)
    query = wechat.query(timestamp=int(time.time()) - 3600) if tamper == "stale" else wechat.query()
    sender = WeChatServer(appid="wxotherappid00000") if tamper == "other_appid" else wechat
    body, query = sender.encrypt(wechat.text("o", "你好"), query)
    if tamper == "msg_signature":
        query["msg_signature"] = "f" * 40
    if tamper == "url_signature":
        query["signature"] = "f" * 40
    if tamper == "garbage":
        garbage = "QUFBQUFBQUFBQUFBQUFBQQ=="  # validly signed, but not a ciphertext of ours
        body = re.sub(r"<Encrypt><!\[CDATA\[.*?\]\]>", f"<Encrypt><![CDATA[{garbage}]]>", body)
        query["msg_signature"] = _sign(TOKEN, query["timestamp"], query["nonce"], garbage)
    reply = post(endpoint, query, body)
    assert reply.status in (400, 403) and reply.status == (400 if tamper == "garbage" else 403)
    assert assistant.calls == []


def test_encrypted_message_without_an_aes_key_is_refused():
    endpoint, assistant = make()
    body, query = wechat.encrypt(wechat.text("o", "你好"), wechat.query())
    assert post(endpoint, query, body).status == 403 and assistant.calls == []


@pytest.mark.parametrize("tamper", ["forged", "missing", "stale"])
def test_plaintext_with_bad_signature_is_refused_and_not_processed(tamper):
    endpoint, assistant = make()
    query = wechat.query(timestamp=int(time.time()) - 3600) if tamper == "stale" else wechat.query()
    if tamper == "forged":
        query["signature"] = "a" * 40
    if tamper == "missing":
        del query["signature"]
    assert post(endpoint, query, wechat.text("o", "你好")).status == 403
    assert assistant.calls == []


# -- message types ------------------------------------------------------------------------
@pytest.mark.parametrize("heard, said", [("社保卡丢了怎么办。", "社保卡丢了怎么办"), ("张桂兰。", "张桂兰"),
                                         ("我叫李明。", "我叫李明"), ("身份证过期了怎么换？ ", "身份证过期了怎么换")])
def test_voice_uses_wechats_recognition_without_its_closing_punctuation(heard, said):
    endpoint, assistant = make()
    reply = post(endpoint, wechat.query(), wechat.message("o", "voice", MediaId="m", Format="amr",
                                                           Recognition=heard))
    assert reply_content(reply.body) == f"收到：{said}"
    assert assistant.calls[0][1] == said
    assert assistant.calls[0][2]["wechat"]["msg_type"] == "voice"


def test_voice_without_recognition_asks_to_type():
    endpoint, assistant = make()
    reply = post(endpoint, wechat.query(), wechat.message("o", "voice", MediaId="m", Format="amr"))
    assert reply_content(reply.body) == texts.VOICE_NOT_RECOGNISED and assistant.calls == []


def test_subscribe_gets_the_welcome_menu():
    endpoint, assistant = make()
    post(endpoint, wechat.query(), wechat.event("o", "subscribe"))
    assert assistant.calls[0][1] == "/greet"


def test_menu_click_sends_the_payload_from_menu_yml():
    endpoint, assistant = make()
    post(endpoint, wechat.query(), wechat.event("o", "CLICK", EventKey="MINE_PROGRESS"))
    assert assistant.calls[0][1] == load_menu(DEFAULT_MENU).payloads()["MINE_PROGRESS"] == "/check_progress"


def test_unknown_menu_key_gets_a_polite_answer():
    endpoint, assistant = make()
    reply = post(endpoint, wechat.query(), wechat.event("o", "CLICK", EventKey="NO_SUCH_KEY"))
    assert reply_content(reply.body) == texts.UNKNOWN_MENU and assistant.calls == []


def test_location_in_wuhu_names_the_nearest_hall_and_tells_the_assistant_the_district():
    endpoint, assistant = make()
    reply = post(endpoint, wechat.query(), wechat.message("o", "location", Location_X="31.35",
                                                           Location_Y="118.37", Scale="15", Label="赭山公园"))
    content = reply_content(reply.body)
    assert "赭山公园" in content and "镜湖区政务服务中心" in content and "九华中路168号" in content
    assert content.endswith("收到：镜湖区")
    assert assistant.calls[0][1] == "镜湖区"


def test_location_outside_wuhu_asks_for_the_district():
    endpoint, assistant = make()
    reply = post(endpoint, wechat.query(), wechat.message("o", "location", Location_X="39.9",
                                                           Location_Y="116.4", Scale="15", Label="北京"))
    assert reply_content(reply.body) == texts.OUTSIDE_WUHU and assistant.calls == []


@pytest.mark.parametrize("msg_type, fields, kind", [
    ("image", {"PicUrl": "http://x/y.jpg", "MediaId": "m"}, "图片"),
    ("video", {"MediaId": "m", "ThumbMediaId": "t"}, "视频"),
    ("link", {"Title": "t", "Description": "d", "Url": "http://x"}, "链接"),
    ("hologram", {}, "这类"),
])
def test_unsupported_types_get_a_polite_alternative(msg_type, fields, kind):
    endpoint, assistant = make()
    content = reply_content(post(endpoint, wechat.query(), wechat.message("o", msg_type, **fields)).body)
    assert f"暂不支持{kind}消息" in content and "转人工" in content
    assert assistant.calls == []


def test_background_events_get_success_and_no_processing():
    endpoint, assistant = make()
    for event in ("unsubscribe", "LOCATION", "VIEW"):
        reply = post(endpoint, wechat.query(), wechat.event("o", event, Latitude="31.3", Longitude="118.3",
                                                             Precision="10", EventKey="http://x"))
        assert (reply.status, reply.body) == (200, SUCCESS)
    assert assistant.calls == []


def test_typed_payloads_are_treated_as_text():
    endpoint, assistant = make()
    post(endpoint, wechat.query(), wechat.text("o", '/inform_district{"district":"镜湖区"}'))
    assert not assistant.calls[0][1].startswith("/")


def test_numbers_answer_buttons_whose_payload_is_not_a_number():
    assistant = FakeAssistant()
    assistant.replies["要办理吗"] = [{"text": "现在办理吗？",
                                     "buttons": [{"title": "办理", "payload": "/start_application"},
                                                 {"title": "不用", "payload": "/deny"}]}]
    endpoint, _ = make(assistant)
    first = reply_content(post(endpoint, wechat.query(), wechat.text("o", "要办理吗")).body)
    assert "1. 办理" in first and "回复数字" in first
    post(endpoint, wechat.query(), wechat.text("o", "2"))
    assert assistant.calls[-1][1] == "/deny"


# -- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize("body, status", [
    (b"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>""", 400),
    (b"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xml><MsgType>text</MsgType><FromUserName>o</FromUserName><Content>&d;</Content></xml>""", 400),
    (b"<xml><MsgType>text</MsgType><Content>unclosed", 400),
    (b"", 400),
    (b"<xml><Content>no type</Content></xml>", 400),
    (b"<xml><MsgType>text</MsgType><Content>" + "长".encode() * 30_000 + b"</Content></xml>", 413),
])
def test_unsafe_malformed_or_oversized_bodies_are_refused(body, status):
    endpoint, assistant = make()
    assert post(endpoint, wechat.query(), body).status == status
    assert assistant.calls == []


def test_xxe_inside_a_safe_mode_envelope_is_refused_too():
    endpoint, assistant = make(safe=True)
    xxe = """<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>&x;</Content><MsgId>5</MsgId></xml>"""
    body, query = wechat.encrypt(xxe, wechat.query())
    assert post(endpoint, query, body).status == 400 and assistant.calls == []


def test_reply_text_cannot_break_out_of_cdata():
    assistant = FakeAssistant()
    assistant.replies["x"] = [{"text": "a]]><Injected>1</Injected><![CDATA[b\x00"}]
    endpoint, _ = make(assistant)
    reply = post(endpoint, wechat.query(), wechat.text("o", "x"))
    assert reply_content(reply.body) == "a]]><Injected>1</Injected><![CDATA[b"


def test_assistant_failure_gets_an_apology():
    async def broken(sender, text, metadata):
        raise RuntimeError("model not loaded")

    endpoint, _ = make(broken)
    assert reply_content(post(endpoint, wechat.query(), wechat.text("o", "你好")).body) == texts.ASSISTANT_FAILED


# -- retries and the 5-second rule --------------------------------------------------------
def test_a_replayed_msgid_is_processed_once_and_gets_the_same_reply():
    endpoint, assistant = make()

    async def scenario():
        msg_id = wechat.next_msg_id()
        first = await endpoint.handle_post(wechat.query(), wechat.text("o", "你好", msg_id).encode())
        again = await endpoint.handle_post(wechat.query(), wechat.text("o", "你好", msg_id).encode())
        return first, again

    first, again = asyncio.run(scenario())
    assert reply_content(first.body) == reply_content(again.body) == "收到：你好"
    assert len(assistant.calls) == 1


def test_retried_event_with_same_sender_and_create_time_is_processed_once():
    endpoint, assistant = make()

    async def scenario():
        created = int(time.time())
        for _ in range(3):
            await endpoint.handle_post(wechat.query(), wechat.event("o", "subscribe", create_time=created).encode())

    asyncio.run(scenario())
    assert len(assistant.calls) == 1


def test_concurrent_retries_share_one_processing():
    endpoint, assistant = make(FakeAssistant(delay_s=0.3))

    async def scenario():
        body = wechat.text("o", "慢一点", wechat.next_msg_id()).encode()
        return await asyncio.gather(*(endpoint.handle_post(wechat.query(), body) for _ in range(3)))

    replies = asyncio.run(scenario())
    assert {reply_content(r.body) for r in replies} == {"收到：慢一点"}
    assert len(assistant.calls) == 1


def test_slow_reply_answers_success_in_time_and_arrives_through_the_customer_service_api():
    with FakeWeChatApi() as api:
        endpoint, assistant = make(FakeAssistant(delay_s=1.0), api_base=api.base, reply_deadline_s=0.2)

        async def scenario():
            body = wechat.text("openid-slow", "慢慢查", wechat.next_msg_id()).encode()
            started = time.monotonic()
            first = await endpoint.handle_post(wechat.query(), body)
            answered_after = time.monotonic() - started
            retry = await endpoint.handle_post(wechat.query(), body)  # WeChat's retry
            await endpoint.drain()
            return first, answered_after, retry

        first, answered_after, retry = asyncio.run(scenario())
        assert (first.status, first.body) == (200, SUCCESS)
        assert answered_after < 0.9  # within the deadline, long before the reply was ready
        assert retry.body == SUCCESS
        assert api.texts_to("openid-slow") == ["收到：慢慢查"]
        assert len(assistant.calls) == 1 and api.tokens_issued == 1


def test_slow_reply_in_safe_mode_still_answers_plain_success():
    with FakeWeChatApi() as api:
        endpoint, _ = make(FakeAssistant(delay_s=0.5), api_base=api.base, reply_deadline_s=0.1, safe=True)

        async def scenario():
            body, query = wechat.encrypt(wechat.text("o-safe", "慢"), wechat.query())
            reply = await endpoint.handle_post(query, body.encode())
            await endpoint.drain()
            return reply

        assert asyncio.run(scenario()).body == SUCCESS
        assert api.texts_to("o-safe") == ["收到：慢"]




def test_late_reply_without_api_credentials_is_kept_and_announced_on_the_next_message(caplog):
    endpoint, _ = make(FakeAssistant(delay_s=0.3), reply_deadline_s=0.05)

    async def scenario():
        late = await endpoint.handle_post(wechat.query(), wechat.text("o", "慢").encode())
        await endpoint.drain()
        endpoint.settings = WeChatSettings.from_credentials({"token": TOKEN})  # now in time
        return late, await endpoint.handle_post(wechat.query(), wechat.text("o", "你好").encode())

    late, following = asyncio.run(scenario())
    assert late.body == SUCCESS
    assert "kept for the resident" in caplog.text
    assert texts.MISSED_NOTICE in reply_content(following.body)


# -- long replies: the question in the passive reply, the rest marked ---------------------
def test_long_reply_keeps_the_question_in_the_passive_reply_and_numbers_the_rest():
    with FakeWeChatApi() as api:
        assistant = FakeAssistant()
        assistant.replies["材料"] = long_turn()
        endpoint, _ = make(assistant, api_base=api.base)

        async def scenario():
            reply = await endpoint.handle_post(wechat.query(), wechat.text("o-long", "材料").encode())
            await endpoint.drain()
            return reply

        passive = reply_content(asyncio.run(scenario()).body)
        rest = api.texts_to("o-long")
    assert len(passive.encode()) <= MAX_TEXT_BYTES
    assert rest and all(len(part.encode()) <= MAX_TEXT_BYTES for part in rest)
    assert passive.startswith("0. 需要携带的材料说明")
    assert passive.endswith(f"{texts.TRUNCATED}\n\n{APPLY_HINT}\n\n{DISTRICT_QUESTION}")
    assert headings(rest) == numbered(len(rest) + 1)
    assert answer_text(passive, rest) == LONG_ANSWER  # nothing lost, nothing reordered


def test_long_text_alone_is_marked_unfinished():
    with FakeWeChatApi() as api:
        assistant = FakeAssistant()
        assistant.replies["材料"] = [{"text": LONG_ANSWER}]
        endpoint, _ = make(assistant, api_base=api.base)

        async def scenario():
            reply = await endpoint.handle_post(wechat.query(), wechat.text("o-alone", "材料").encode())
            await endpoint.drain()
            return reply

        passive = reply_content(asyncio.run(scenario()).body)
        rest = api.texts_to("o-alone")
    assert passive.endswith(texts.TRUNCATED)
    assert answer_text(passive, rest) == LONG_ANSWER


def test_parts_the_api_could_not_send_are_announced_then_resent_on_request():
    with FakeWeChatApi() as api:
        assistant = FakeAssistant()
        assistant.replies["材料"] = long_turn()
        endpoint, _ = make(assistant, api_base=api.base)
        api.errors = [45047]  # WeChat refuses the first customer-service message

        async def scenario():
            first = await endpoint.handle_post(wechat.query(), wechat.text("o-miss", "材料").encode())
            await endpoint.drain()
            delivered_before = list(api.texts_to("o-miss"))
            following = await endpoint.handle_post(wechat.query(), wechat.text("o-miss", "你好").encode())
            again = await endpoint.handle_post(wechat.query(), wechat.text("o-miss", "再说一遍。").encode())
            await endpoint.drain()
            return first, delivered_before, following, again

        first, delivered_before, following, again = asyncio.run(scenario())
        resent_rest = api.texts_to("o-miss")
    passive, following, again = (reply_content(r.body) for r in (first, following, again))
    assert delivered_before == []
    assert following.startswith("收到：你好") and following.endswith(texts.MISSED_NOTICE)
    assert again.startswith(texts.RESENT + "\n")
    resent = [again.split("\n", 1)[1], *resent_rest]
    assert headings(resent) == numbered(len(resent) + 1)
    assert answer_text(passive, resent) == LONG_ANSWER
    assert [call[1] for call in assistant.calls] == ["材料", "你好"]  # the channel answered 再说一遍


def test_missed_parts_are_announced_once_and_forgotten_when_the_resident_moves_on():
    assistant = FakeAssistant()
    assistant.replies["材料"] = long_turn()
    endpoint, _ = make(assistant)  # no API credentials: every later part is missed

    async def scenario():
        replies = []
        for said in ("材料", "你好", "谢谢", "再说一遍"):
            replies.append(reply_content((await endpoint.handle_post(
                wechat.query(), wechat.text("o-on", said).encode())).body))
            await endpoint.drain()
        return replies

    _, first_after, second_after, repeat = asyncio.run(scenario())
    assert texts.MISSED_NOTICE in first_after
    assert texts.MISSED_NOTICE not in second_after
    assert repeat == "收到：再说一遍"  # no missed parts any more: the assistant's own 再说一遍


@pytest.mark.parametrize("heard, said", [("我叫李明！！", "我叫李明"), ("镜湖区…", "镜湖区"),
                                         ("回复“办理”", "回复“办理”"), ("。", None)])
def test_voice_keeps_closing_quotes_and_an_only_punctuation_recognition_asks_to_type(heard, said):
    endpoint, assistant = make()
    reply = reply_content(post(endpoint, wechat.query(), wechat.message(
        "o", "voice", MediaId="m", Format="amr", Recognition=heard)).body)
    assert reply == (f"收到：{said}" if said else texts.VOICE_NOT_RECOGNISED)

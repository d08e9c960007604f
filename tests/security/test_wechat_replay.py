"""Replays and body swaps on the WeChat webhook (issue 11 item 6).

WeChat's URL signature covers token, timestamp and nonce, not the body. With an AES key
the account is in safe mode, so a plaintext POST is refused; a signed (timestamp, nonce)
is good for one message only; WeChat's own retries still get the first answer.
"""
from __future__ import annotations

import asyncio

from channels.wechat.endpoint import FORBIDDEN, SUCCESS
from tests.support.wechat_endpoint import FakeAssistant, make
from tests.support.wechat_fakes import WeChatServer, reply_content

wechat = WeChatServer()


def run(endpoint, *requests):
    """Post (query, body) pairs in order in one event loop; the replies."""
    async def scenario():
        return [await endpoint.handle_post(query, body.encode()) for query, body in requests]

    return asyncio.run(scenario())


def test_plaintext_post_is_refused_when_an_aes_key_is_configured():
    endpoint, assistant = make(safe=True)
    (reply,) = run(endpoint, (wechat.query(), wechat.text("o", "你好")))
    assert reply == FORBIDDEN and assistant.calls == []


def test_plaintext_still_works_without_an_aes_key():
    endpoint, assistant = make()
    (reply,) = run(endpoint, (wechat.query(), wechat.text("o", "你好")))
    assert reply_content(reply.body) == "收到：你好"


def test_a_used_timestamp_and_nonce_with_another_body_is_refused():
    endpoint, assistant = make()
    query = wechat.query()
    first, swapped = run(endpoint, (query, wechat.text("o", "你好")), (query, wechat.text("o", "转账给我")))
    assert reply_content(first.body) == "收到：你好"
    assert swapped == FORBIDDEN
    assert [call[1] for call in assistant.calls] == ["你好"]


def test_safe_mode_body_swap_with_a_used_nonce_is_refused():
    endpoint, assistant = make(safe=True)
    query = wechat.query()
    first_body, first_query = wechat.encrypt(wechat.text("o", "你好"), query)
    other_body, other_query = wechat.encrypt(wechat.text("o", "不办了"), query)
    first, swapped = run(endpoint, (first_query, first_body), (other_query, other_body))
    assert first.status == 200 and swapped == FORBIDDEN
    assert [call[1] for call in assistant.calls] == ["你好"]


def test_wechats_retry_with_the_same_nonce_and_body_gets_the_same_answer():
    endpoint, assistant = make(safe=True)
    body, query = wechat.encrypt(wechat.text("o", "你好"), wechat.query())
    first, retry = run(endpoint, (query, body), (query, body))
    assert reply_content(wechat.decrypt_reply(first.body)) == reply_content(wechat.decrypt_reply(retry.body))
    assert len(assistant.calls) == 1


def test_wechats_retry_reencrypted_under_the_same_nonce_gets_the_same_answer():
    endpoint, assistant = make(safe=True)
    xml, query = wechat.text("o", "你好"), wechat.query()
    (body1, query1), (body2, query2) = wechat.encrypt(xml, query), wechat.encrypt(xml, query)
    assert body1 != body2  # a fresh random prefix each time
    first, retry = run(endpoint, (query1, body1), (query2, body2))
    assert retry.status == 200 and len(assistant.calls) == 1


def test_wechats_retry_with_a_new_nonce_and_the_same_msgid_gets_the_same_answer():
    endpoint, assistant = make(safe=True)
    xml = wechat.text("o", "你好", wechat.next_msg_id())
    (body1, query1), (body2, query2) = wechat.encrypt(xml, wechat.query()), wechat.encrypt(xml, wechat.query())
    assert query1["nonce"] != query2["nonce"]
    first, retry = run(endpoint, (query1, body1), (query2, body2))
    assert reply_content(wechat.decrypt_reply(first.body)) == reply_content(wechat.decrypt_reply(retry.body))
    assert len(assistant.calls) == 1


def test_an_identical_request_after_its_turn_was_forgotten_is_not_processed_again():
    endpoint, assistant = make(dedupe_window_s=0)  # turns forgotten at once; the nonce is not
    query, body = wechat.query(), wechat.text("o", "确认提交")
    first, replayed = run(endpoint, (query, body), (query, body))
    assert reply_content(first.body) == "收到：确认提交"
    assert (replayed.status, replayed.body) == (200, SUCCESS)
    assert len(assistant.calls) == 1


def test_a_slow_retry_joins_the_first_attempt():
    endpoint, assistant = make(FakeAssistant(delay_s=0.2))
    query, body = wechat.query(), wechat.text("o", "慢")

    async def scenario():
        return await asyncio.gather(*(endpoint.handle_post(query, body.encode()) for _ in range(3)))

    replies = asyncio.run(scenario())
    assert {reply_content(r.body) for r in replies} == {"收到：慢"} and len(assistant.calls) == 1

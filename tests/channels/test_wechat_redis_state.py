"""A resident's WeChat state across nodes: numbered choices and missed parts in Redis.

Each "node" is a WeChatEndpoint with its own Redis connection, as in a cluster of Rasa
processes (the way test_wechat_redis_turns.py builds them); the assistant double is
shared. The stores are also held to the memory stores' rules, side by side.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import redis

from channels.shared_state import SharedState
from channels.wechat import redis_choices, redis_missed, texts
from channels.wechat.choices import MemoryChoices
from channels.wechat.endpoint import WeChatEndpoint
from channels.wechat.missed import MAX_PARTS, MissedParts
from channels.wechat.redis_choices import RedisChoices
from channels.wechat.redis_missed import RedisMissedParts
from tests.support.redis_server import async_clients, keys_under
from tests.support.wechat_endpoint import (
    LONG_ANSWER,
    FakeAssistant,
    answer_text,
    headings,
    long_turn,
    make,
    numbered,
)
from tests.support.wechat_fakes import FakeWeChatApi, WeChatServer, reply_content

wechat = WeChatServer()
UNREACHABLE = "redis://127.0.0.1:1/0"
OFFER = [{"text": "现在办理吗？", "buttons": [{"title": "办理", "payload": "/start_application"},
                                         {"title": "不用", "payload": "/deny"}]}]


@asynccontextmanager
async def cluster(url: str, prefix: str, assistant: Any, n: int = 2, **settings: Any
                  ) -> AsyncIterator[list[WeChatEndpoint]]:
    async with async_clients(url, n) as clients:
        yield [make(assistant, state=SharedState(client, url, prefix=prefix), **settings)[0] for client in clients]


async def say(node: WeChatEndpoint, openid: str, text: str) -> str:
    reply = await node.handle_post(wechat.query(), wechat.text(openid, text).encode())
    await node.drain()
    return reply_content(reply.body)


# -- numbered choices ----------------------------------------------------------------------
def test_a_number_on_one_node_picks_from_the_list_another_node_offered(redis_url, redis_prefix):
    assistant = FakeAssistant()
    assistant.replies["要办理吗"] = OFFER

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant) as (a, b):
            offered = await say(a, "o-choose", "要办理吗")
            await say(b, "o-choose", "2")
            await say(a, "o-other", "2")  # another resident's "2" means nothing
            await say(b, "o-choose", "要办理吗")
            await say(b, "o-choose", "你好")  # a reply without choices drops the list everywhere
            await say(a, "o-choose", "1")
            return offered

    offered = asyncio.run(scenario())
    assert "1. 办理" in offered and "2. 不用" in offered
    assert [said for _, said, _ in assistant.calls] == ["要办理吗", "/deny", "2", "要办理吗", "你好", "1"]


def test_choices_live_a_day_under_a_key_without_the_openid_and_hold_payloads_only(redis_url, redis_prefix):
    assistant = FakeAssistant()
    assistant.replies["要办理吗"] = OFFER

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant, n=1) as (a,):
            await say(a, "o-keys-choice", "要办理吗")

    asyncio.run(scenario())
    stored = {key: ttl for key, ttl in keys_under(redis_url, redis_prefix).items() if ":wechat:choices:" in key}
    assert len(stored) == 1
    [(key, ttl)] = stored.items()
    assert "o-keys-choice" not in key and redis_choices.TTL_S - 60 < ttl <= redis_choices.TTL_S
    with redis.Redis.from_url(redis_url) as client:
        assert json.loads(client.get(key)) == {"1": "/start_application", "2": "/deny"}


# -- missed parts --------------------------------------------------------------------------
def test_what_one_node_could_not_deliver_is_announced_and_resent_by_another(redis_url, redis_prefix):
    assistant = FakeAssistant()
    assistant.replies["材料"] = long_turn()
    with FakeWeChatApi() as api:
        async def scenario():
            async with cluster(redis_url, redis_prefix, assistant, api_base=api.base) as (a, b):
                api.errors = [45047]  # WeChat refuses node A's first customer-service message
                passive = await say(a, "o-miss", "材料")
                delivered_before = list(api.texts_to("o-miss"))
                following = await say(b, "o-miss", "你好")
                again = await say(b, "o-miss", "再说一遍。")
                return passive, delivered_before, following, again

        passive, delivered_before, following, again = asyncio.run(scenario())
        resent_rest = api.texts_to("o-miss")
    assert delivered_before == []
    assert following.startswith("收到：你好") and following.endswith(texts.MISSED_NOTICE)
    assert again.startswith(texts.RESENT + "\n")
    resent = [again.split("\n", 1)[1], *resent_rest]
    assert headings(resent) == numbered(len(resent) + 1)
    assert answer_text(passive, resent) == LONG_ANSWER
    assert [said for _, said, _ in assistant.calls] == ["材料", "你好"]  # the channel answered 再说一遍


def test_the_notice_is_given_once_in_the_cluster_and_the_parts_go_when_the_resident_moves_on(
        redis_url, redis_prefix):
    assistant = FakeAssistant()
    assistant.replies["材料"] = long_turn()

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant) as (a, b):  # no API: later parts missed
            return [await say(node, "o-on", said) for node, said in ((a, "材料"), (b, "你好"), (a, "谢谢"),
                                                                      (b, "再说一遍"))]

    _, first_after, second_after, repeat = asyncio.run(scenario())
    assert texts.MISSED_NOTICE in first_after and texts.MISSED_NOTICE not in second_after
    assert repeat == "收到：再说一遍"  # nothing kept any more: the assistant's own 再说一遍


def test_missed_parts_live_two_hours_under_a_key_without_the_openid(redis_url, redis_prefix):
    assistant = FakeAssistant()
    assistant.replies["材料"] = long_turn()

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant, n=1) as (a,):
            await say(a, "o-keys-missed", "材料")

    asyncio.run(scenario())
    stored = {key: ttl for key, ttl in keys_under(redis_url, redis_prefix).items() if ":wechat:missed:" in key}
    assert len(stored) == 1
    [(key, ttl)] = stored.items()
    assert "o-keys-missed" not in key and redis_missed.TTL_S - 60 < ttl <= redis_missed.TTL_S


# -- the stores: Redis keeps the memory stores' rules ----------------------------------------
@asynccontextmanager
async def stores(kind: str, request: Any) -> AsyncIterator[tuple[Any, Any]]:
    """(missed parts, choices) in memory, or in the test Redis."""
    if kind == "memory":
        yield MissedParts(), MemoryChoices()
        return
    url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    async with async_clients(url) as [client]:
        yield RedisMissedParts(client, prefix=prefix), RedisChoices(client, prefix=prefix)


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_missed_parts_follow_one_rule_in_memory_and_in_redis(kind, request):
    odd = ['引号“”与 "quotes"', "斜杠 a/b 和反斜杠 \\", "emoji 🙂 与换行\n第二行", "x" * 3000]

    async def scenario():
        async with stores(kind, request) as (missed, _):
            await missed.add("o1", odd)
            told, told_again = await missed.notice_due("o1"), await missed.notice_due("o1")
            gone = await missed.take("o1")  # moved on: forgotten
            await missed.add("o1", [str(i) for i in range(MAX_PARTS + 3)])
            await missed.add("o2", odd)
            await missed.notice_due("o1")
            await missed.add("o1", ["again"])  # failed again: to be told again
            return told, told_again, gone, await missed.notice_due("o1"), await missed.take("o1"), \
                await missed.take("o1"), await missed.take("o2"), await missed.notice_due("nobody")

    told, told_again, gone, told_after_new, taken, taken_twice, other, nobody = asyncio.run(scenario())
    assert (told, told_again, gone) == (True, False, [])
    assert told_after_new and taken == [str(i) for i in range(4, MAX_PARTS + 3)] + ["again"]
    assert taken_twice == [] and other == odd and nobody is False


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_choices_follow_one_rule_in_memory_and_in_redis(kind, request):
    async def scenario():
        async with stores(kind, request) as (_, choices):
            await choices.remember("o1", {"8": "办理", "9": "/deny"})
            await choices.remember("o2", {"1": "/greet"})
            picked = await choices.payload("o1", "8"), await choices.payload("o1", "1")
            await choices.remember("o1", {})
            return picked, await choices.payload("o1", "8"), await choices.payload("o2", "1")

    assert asyncio.run(scenario()) == (("办理", None), None, "/greet")


def test_two_nodes_keeping_parts_at_once_lose_none(redis_url, redis_prefix):
    async def scenario():
        async with async_clients(redis_url, 2) as clients:
            a, b = (RedisMissedParts(client, prefix=redis_prefix) for client in clients)
            await asyncio.gather(a.add("o1", ["a1", "a2"]), b.add("o1", ["b1", "b2"]))
            return await a.take("o1")

    taken = asyncio.run(scenario())
    assert sorted(taken) == ["a1", "a2", "b1", "b2"]
    assert taken.index("a1") < taken.index("a2") and taken.index("b1") < taken.index("b2")


def test_when_redis_fails_the_turn_goes_on_without_choices_or_missed_parts(caplog):
    async def scenario():
        async with async_clients(UNREACHABLE, socket_connect_timeout=1) as [client]:
            missed, choices = RedisMissedParts(client), RedisChoices(client)
            await missed.add("o1", ["甲"])
            await choices.remember("o1", {"1": "/deny"})
            return await missed.notice_due("o1"), await missed.take("o1"), await choices.payload("o1", "1")

    with caplog.at_level(logging.ERROR, logger="channels.wechat"):
        assert asyncio.run(scenario()) == (False, [], None)
    assert caplog.text.count("Redis failed") == 5

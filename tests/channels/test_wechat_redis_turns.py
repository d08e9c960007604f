"""WeChat retries across nodes (channels/wechat/redis_turns.py with the endpoint).

Each "node" is a WeChatEndpoint with its own Redis connection, as in a cluster of Rasa
processes; the assistant double is shared so its calls count the turns run anywhere.
Where the order matters (a retry arriving while the turn runs), the test holds the turn
with an event and lets it go only once the other node is waiting, instead of sleeping.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import redis

from channels.shared_state import SharedState
from channels.wechat import texts
from channels.wechat.endpoint import SUCCESS, WeChatEndpoint
from channels.wechat.layout import ReplyPlan
from channels.wechat.redis_turns import decode, encode
from channels.wechat.replay import Settled
from tests.support.redis_server import async_clients, keys_under
from tests.support.wechat_endpoint import FakeAssistant, make
from tests.support.wechat_fakes import FakeWeChatApi, WeChatServer, reply_content

wechat = WeChatServer()


class HeldAssistant(FakeAssistant):
    """Starts each turn, then waits for ``release``: the test decides when the turn ends."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        self.calls.append((sender, text, metadata))
        self.started.set()
        await self.release.wait()
        return self.replies.get(text, [{"text": f"收到：{text}"}])


@asynccontextmanager
async def cluster(url: str, prefix: str, assistant: Any, settings: list[dict[str, Any]]
                  ) -> AsyncIterator[list[WeChatEndpoint]]:
    """One node per entry of ``settings`` (WeChat settings overrides), sharing one Redis."""
    async with async_clients(url, len(settings)) as clients:
        yield [make(assistant, state=SharedState(client, url, prefix=prefix), **overrides)[0]
               for client, overrides in zip(clients, settings, strict=True)]


def signal_when_called(node: WeChatEndpoint, method: str) -> asyncio.Event:
    """An event set when ``node``'s shared turns are asked ``method`` (known, outcome)."""
    called = asyncio.Event()
    shared = node._shared
    original = getattr(shared, method)

    async def wrapper(*args: Any) -> Any:
        called.set()
        return await original(*args)

    setattr(shared, method, wrapper)
    return called


def post(node: WeChatEndpoint, query: dict[str, str], body: str) -> Any:
    return node.handle_post(query, body.encode())


# -- the stored outcome ------------------------------------------------------------------
def test_outcomes_survive_the_round_trip_through_json():
    plan = ReplyPlan("第一段]]>\n“引号”", ("（续上条 2/2）\n其余",))
    assert decode(encode(plan)) == Settled(plan)
    assert decode(encode(None)) == Settled(None)
    assert decode('{"state": "running"}') is None


# -- one turn, two nodes -----------------------------------------------------------------
@pytest.mark.parametrize("same_nonce", [True, False], ids=["same-nonce", "new-nonce"])
def test_two_nodes_given_one_message_at_once_run_it_once_and_answer_alike(redis_url, redis_prefix, same_nonce):
    assistant = FakeAssistant(delay_s=0.05)
    body = wechat.text("openid-both", "你好", wechat.next_msg_id())

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant, [{}, {}]) as (a, b):
            query = wechat.query()
            return await asyncio.gather(post(a, query, body), post(b, query if same_nonce else wechat.query(), body))

    replies = asyncio.run(scenario())
    assert [reply_content(r.body) for r in replies] == ["收到：你好", "收到：你好"]
    assert len(assistant.calls) == 1


@pytest.mark.parametrize("safe", [False, True], ids=["plaintext", "safe-mode"])
def test_a_retry_on_another_node_while_the_turn_runs_waits_for_its_passive_reply(redis_url, redis_prefix, safe):
    assistant = HeldAssistant()
    xml = wechat.text("openid-wait", "社保卡", wechat.next_msg_id())

    def request() -> tuple[dict[str, str], str]:
        if safe:
            body, query = wechat.encrypt(xml, wechat.query())
            return query, body
        return wechat.query(), xml

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant, [{"safe": safe}, {"safe": safe}]) as (a, b):
            first = asyncio.ensure_future(post(a, *request()))
            await assistant.started.wait()
            following = signal_when_called(b, "outcome")
            retry = asyncio.ensure_future(post(b, *request()))
            await following.wait()  # b has found the turn running on a
            assistant.release.set()
            return await first, await retry

    first, retry = asyncio.run(scenario())
    contents = [reply_content(wechat.decrypt_reply(r.body) if safe else r.body) for r in (first, retry)]
    assert contents == ["收到：社保卡", "收到：社保卡"]
    assert len(assistant.calls) == 1


def test_a_retry_with_the_used_nonce_before_the_first_node_claims_the_turn_still_waits(redis_url, redis_prefix):
    """The first node records the (timestamp, nonce), then claims the turn: a retry with the
    same pair landing in between is no replay, and must not be answered as one."""
    assistant = FakeAssistant()
    body, query = wechat.text("openid-gap", "你好", wechat.next_msg_id()), wechat.query()

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant, [{}, {}]) as (a, b):
            claiming, may_claim = asyncio.Event(), asyncio.Event()
            original_claim = a._shared.claim

            async def held_claim(key: str) -> bool:
                claiming.set()
                await may_claim.wait()
                return await original_claim(key)

            a._shared.claim = held_claim
            looking = signal_when_called(b, "known")
            first = asyncio.ensure_future(post(a, query, body))
            await claiming.wait()  # a has recorded the nonce, not yet claimed the turn
            retry = asyncio.ensure_future(post(b, query, body))
            await looking.wait()  # b sees the pair used and no turn
            may_claim.set()
            return await first, await retry

    first, retry = asyncio.run(scenario())
    assert reply_content(first.body) == reply_content(retry.body) == "收到：你好"
    assert len(assistant.calls) == 1


def test_later_parts_are_sent_once_by_the_node_that_ran_the_turn(redis_url, redis_prefix):
    assistant = FakeAssistant()
    assistant.replies["材料"] = [{"text": "\n".join(f"{i}. " + "需要携带的材料说明" * 12 for i in range(30))},
                               {"text": "回复“办理”，我一步一步帮您填。"}]
    body = wechat.text("openid-long", "材料", wechat.next_msg_id())
    with FakeWeChatApi() as api:
        async def scenario():
            async with cluster(redis_url, redis_prefix, assistant, [{"api_base": api.base}] * 2) as (a, b):
                first = await post(a, wechat.query(), body)
                retry = await post(b, wechat.query(), body)  # WeChat did not get the first answer
                await a.drain()
                await b.drain()
                return first, retry

        first, retry = asyncio.run(scenario())
        later = api.texts_to("openid-long")
    assert reply_content(first.body) == reply_content(retry.body)
    assert texts.TRUNCATED in reply_content(first.body)
    assert later and len(later) == len(set(later))  # each later part once
    assert len(assistant.calls) == 1


def test_a_reply_handed_to_the_api_on_one_node_is_success_on_the_other(redis_url, redis_prefix):
    assistant = FakeAssistant(delay_s=0.5)
    body = wechat.text("openid-late", "慢慢查", wechat.next_msg_id())
    with FakeWeChatApi() as api:
        async def scenario():
            nodes = [{"api_base": api.base, "reply_deadline_s": 0.1}] * 2
            async with cluster(redis_url, redis_prefix, assistant, nodes) as (a, b):
                first = await post(a, wechat.query(), body)
                retry = await post(b, wechat.query(), body)
                await a.drain()
                await b.drain()
                return first, retry

        first, retry = asyncio.run(scenario())
        delivered = api.texts_to("openid-late")
    assert (first.body, retry.body) == (SUCCESS, SUCCESS)
    assert delivered == ["收到：慢慢查"]
    assert len(assistant.calls) == 1


def test_a_retry_whose_turn_is_still_running_at_its_deadline_gets_success_not_a_second_turn(
        redis_url, redis_prefix):
    assistant = HeldAssistant()
    body = wechat.text("openid-slow", "你好", wechat.next_msg_id())

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant, [{}, {"reply_deadline_s": 0.2}]) as (a, b):
            first = asyncio.ensure_future(post(a, wechat.query(), body))
            await assistant.started.wait()
            retry = await post(b, wechat.query(), body)  # b gives up at its deadline, a still runs
            assistant.release.set()
            return await first, retry

    first, retry = asyncio.run(scenario())
    assert reply_content(first.body) == "收到：你好" and retry.body == SUCCESS
    assert len(assistant.calls) == 1


def test_the_same_request_on_another_node_after_the_turn_is_forgotten_is_a_replay(redis_url, redis_prefix):
    assistant = FakeAssistant()
    body, query = wechat.text("openid-replay", "你好", wechat.next_msg_id()), wechat.query()

    async def scenario():
        async with cluster(redis_url, redis_prefix, assistant, [{}, {"reply_deadline_s": 0.2}]) as (a, b):
            first = await post(a, query, body)
            with redis.Redis.from_url(redis_url) as client:  # the window has passed
                client.delete(*client.keys(f"{redis_prefix}wechat:turn:*"))
            return first, await post(b, query, body)

    first, replayed = asyncio.run(scenario())
    assert reply_content(first.body) == "收到：你好" and replayed.body == SUCCESS
    assert len(assistant.calls) == 1


def test_turn_keys_expire_with_the_window_and_do_not_show_the_openid(redis_url, redis_prefix):
    async def scenario():
        async with cluster(redis_url, redis_prefix, FakeAssistant(), [{"dedupe_window_s": 30}]) as (a,):
            await post(a, wechat.query(), wechat.event("openid-keys", "subscribe"))

    asyncio.run(scenario())
    turns = {key: ttl for key, ttl in keys_under(redis_url, redis_prefix).items() if ":wechat:turn:" in key}
    assert len(turns) == 1
    assert all(0 < ttl <= 30 and "openid-keys" not in key for key, ttl in turns.items())

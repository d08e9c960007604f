"""Bursts on the REST channel get a polite 429; other residents and local tools are unaffected.

The guarded stack allows 3 messages per conversation and 5 per client address, with no
refill, so the counts below do not depend on the machine's speed.
"""
from __future__ import annotations

import uuid

import pytest

from channels.limits import TOO_FAST
from channels.rest.endpoint import conversation_id
from tests.security.guarded import REST_TOKEN, client_address, rest

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"burst-{uuid.uuid4().hex[:10]}"


def test_a_burst_in_one_conversation_is_refused_politely_and_others_are_unaffected(guarded_stack):
    flooder, address = new_sender(), client_address()
    statuses = [rest(guarded_stack, flooder, "你好", address=address, token=REST_TOKEN).status_code
                for _ in range(3)]
    limited = rest(guarded_stack, flooder, "你好", address=address, token=REST_TOKEN)
    assert statuses == [200, 200, 200] and limited.status_code == 429
    assert limited.json() == [{"recipient_id": flooder, "text": TOO_FAST}]
    assert guarded_stack.count_events(conversation_id(flooder), "user") == 3  # the 4th was not processed
    neighbour = rest(guarded_stack, new_sender(), "社保卡怎么办理", address=client_address(), token=REST_TOKEN)
    assert neighbour.status_code == 200 and "【社会保障卡申领】" in neighbour.json()[0]["text"]


def test_one_address_spreading_over_many_conversations_is_limited_too(guarded_stack):
    address = client_address()
    statuses = [rest(guarded_stack, new_sender(), "你好", address=address, token=REST_TOKEN).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert rest(guarded_stack, new_sender(), "你好", address=client_address(), token=REST_TOKEN).status_code == 200


def test_local_tools_are_not_rate_limited(guarded_stack):
    sender = new_sender()
    assert [rest(guarded_stack, sender, "你好").status_code for _ in range(5)] == [200] * 5

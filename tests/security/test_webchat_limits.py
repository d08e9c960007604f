"""Abuse limits on the web chat: message bursts, connections per address, conversations per socket.

Clients are simulated behind the guarded stack's trusted proxy (tests/security/guarded.py):
3 messages per conversation, 5 per address, 2 connections per address, 2 conversations
per connection, none refilled.
"""
from __future__ import annotations

import pytest
import socketio

from channels.limits import TOO_FAST
from tests.security.guarded import client_address
from tests.support.webchat_client import Page, run

pytestmark = pytest.mark.e2e


def page_from(stack, address: str) -> Page:
    return Page(stack.rasa_url, headers={"X-Forwarded-For": address})


def test_a_burst_gets_the_polite_answer_and_another_resident_is_unaffected(guarded_stack):
    async def scenario():
        flooder = page_from(guarded_stack, client_address())
        await flooder.open()
        acks = [await flooder.say("你好") for _ in range(4)]
        await flooder.wait(lambda: any(m["text"] == TOO_FAST for m in flooder.merged()))
        neighbour = page_from(guarded_stack, client_address())
        await neighbour.open()
        neighbour_ack = await neighbour.say("社保卡怎么办理")
        await neighbour.wait(lambda: any(m["role"] == "bot" for m in neighbour.merged()))
        for page in (flooder, neighbour):
            await page.close()
        return flooder, acks, neighbour, neighbour_ack

    flooder, acks, neighbour, neighbour_ack = run(scenario())
    assert acks == [{"ok": True}] * 3 + [{"ok": False, "error": "rate_limited"}]
    assert guarded_stack.count_events(flooder.conversation, "user") == 3
    assert neighbour_ack == {"ok": True}
    assert any(m["text"].startswith("【社会保障卡申领】") for m in neighbour.merged())


def test_connections_per_address_are_capped(guarded_stack):
    address = client_address()

    async def scenario():
        pages = [page_from(guarded_stack, address) for _ in range(2)]
        for page in pages:
            await page.open()
        refused = False
        try:
            await page_from(guarded_stack, address).connect()
        except socketio.exceptions.ConnectionError:
            refused = True
        other = page_from(guarded_stack, client_address())
        await other.open()
        for page in [*pages, other]:
            await page.close()
        return refused, other

    refused, other = run(scenario())
    assert refused and other.token


def test_one_connection_cannot_join_many_conversations(guarded_stack):
    async def scenario():
        owners = [page_from(guarded_stack, client_address()) for _ in range(2)]
        for owner in owners:
            await owner.open()
        prober = page_from(guarded_stack, client_address())
        await prober.open()  # its own conversation: one room
        first = await prober.say("你好", token=owners[0].token)  # a second room: allowed
        second = await prober.say("你好", token=owners[1].token)  # a third: refused
        for page in [*owners, prober]:
            await page.close()
        return first, second, owners

    first, second, owners = run(scenario())
    assert first == {"ok": True}
    assert second == {"ok": False, "error": "too_many_conversations"}
    assert guarded_stack.count_events(owners[1].conversation, "user") == 0

"""Attacks on web chat sessions: whoever presents anything but the conversation's own token
gets a new, empty conversation, never the resident's history or room."""
from __future__ import annotations

import base64
import json
import time

import pytest

from channels.webchat.tokens import IDLE_TTL_S, SessionTokens
from tests.support.webchat_client import Page, run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def victim(stack):
    """A resident who asked something personal; returns their page (token, conversation)."""
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("身份证过期了怎么换")
        await page.close()
        return page

    return run(scenario())


def forged_tokens(stack, conversation: str) -> dict:
    real = SessionTokens(stack.webchat_secret.encode())
    aged = SessionTokens(stack.webchat_secret.encode(), clock=lambda: time.time() - IDLE_TTL_S - 60)
    version, _, mac = real.issue("web:" + "0" * 32).split(".")
    claims = json.dumps({"c": conversation, "t": 2_000_000_000}).encode()
    swapped = base64.urlsafe_b64encode(claims).decode().rstrip("=")
    return {
        "bare conversation id": conversation,
        "another secret": SessionTokens(b"not-the-server-secret-000").issue(conversation),
        "expired": aged.issue(conversation),
        "claims swapped under another signature": f"{version}.{swapped}.{mac}",
    }


@pytest.mark.parametrize("kind", ["bare conversation id", "another secret", "expired",
                                  "claims swapped under another signature", "legacy session_id"])
def test_anything_but_the_residents_token_opens_a_new_empty_conversation(stack, victim, kind):
    presented = forged_tokens(stack, victim.conversation).get(kind)

    async def scenario():
        attacker = Page(stack.rasa_url)
        if kind == "legacy session_id":  # the old protocol: the page named the conversation
            await attacker.open(session_id=victim.conversation)
        else:
            await attacker.open(token=presented)
        ack = await attacker.say("查进度")
        await attacker.close()
        return attacker, ack

    attacker, ack = run(scenario())
    assert attacker.fresh is True and attacker.batches[0] == []
    assert attacker.conversation != victim.conversation
    assert ack == {"ok": True}
    assert stack.count_events(victim.conversation, "user") == 1  # nothing was said in the resident's name
    seen = " ".join(m["text"] for m in attacker.merged())
    assert "身份证过期了怎么换" not in seen and "【居民身份证" not in seen


@pytest.mark.parametrize("kind", ["bare conversation id", "another secret", "expired",
                                  "claims swapped under another signature"])
def test_a_message_with_a_forged_token_is_refused(stack, victim, kind):
    presented = forged_tokens(stack, victim.conversation)[kind]

    async def scenario():
        attacker = Page(stack.rasa_url)
        await attacker.open()
        ack = await attacker.say("取消预约", token=presented)
        await attacker.close()
        return ack

    assert run(scenario()) == {"ok": False, "error": "bad_session"}
    assert stack.count_events(victim.conversation, "user") == 1


def test_replies_to_the_resident_do_not_reach_an_attackers_socket(stack, victim):
    async def scenario():
        attacker = Page(stack.rasa_url)
        await attacker.open(token=victim.conversation)
        resident = Page(stack.rasa_url)
        await resident.open(token=victim.token)
        await resident.say("社保卡怎么办理")
        await resident.wait(lambda: any("社会保障卡" in m["text"] for m in resident.merged()))
        for page in (attacker, resident):
            await page.close()
        return attacker, resident

    attacker, resident = run(scenario())
    assert resident.fresh is False
    assert not any("社会保障卡" in m["text"] for m in attacker.merged())

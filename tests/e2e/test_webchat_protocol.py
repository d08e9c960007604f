"""The web chat's socket.io protocol against the real servers (python-socketio as the page).

Browser behaviour is in tests/web/; this pins the server's side of the contract:
history from the tracker, stable ids, resend deduplication, replies not lost offline.
"""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, List, Optional

import pytest
import socketio

from tests.web.proxy import CuttableProxy

pytestmark = pytest.mark.e2e


class Page:
    """A minimal page: one socket, the messages it received, merged by id."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.session_id: Optional[str] = None
        self.batches: List[List[Dict[str, Any]]] = []
        self.sio.on("session_confirm", self._confirm)
        self.sio.on("messages", self._messages)

    async def _confirm(self, session_id: str) -> None:
        self.session_id = session_id

    async def _messages(self, data: Dict[str, Any]) -> None:
        self.batches.append(data["messages"])

    async def open(self, session_id: Optional[str] = None, last_seen: Optional[float] = None) -> None:
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["polling"])  # engineio's websocket client needs a newer aiohttp than Rasa pins
        await self.sio.emit("session_request", {"session_id": session_id, "last_seen": last_seen})
        await self.wait(lambda: self.session_id and self.batches)

    async def say(self, text: str, client_id: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
        payload = {"session_id": self.session_id, "message": text,
                   "client_id": client_id or uuid.uuid4().hex, **extra}
        return await self.sio.call("user_uttered", payload, timeout=60)

    async def wait(self, condition, timeout: float = 30) -> None:
        for _ in range(int(timeout * 20)):
            if condition():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("timed out")

    def merged(self) -> List[Dict[str, Any]]:
        by_id = {m["id"]: m for batch in self.batches for m in batch}
        return sorted(by_id.values(), key=lambda m: m["ts"])

    async def close(self) -> None:
        """Drop the connection at once, as a phone losing signal does.

        (A polite disconnect over polling waits for the pending long-poll: up to 25 s.)
        """
        await self.sio.eio.disconnect(abort=True)


def run(coroutine):
    return asyncio.run(coroutine)


def test_new_session_gets_an_id_and_empty_history(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.close()
        return page

    page = run(scenario())
    assert page.session_id and len(page.session_id) >= 16
    assert page.batches == [[]]


def test_a_service_answer_comes_with_its_card_and_stable_ids(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        ack = await page.say("社保卡怎么办理", client_id="client-0001-abcdef")
        await page.wait(lambda: any(m["role"] == "bot" for m in page.merged()))
        await page.close()
        return page, ack

    page, ack = run(scenario())
    assert ack == {"ok": True}
    messages = page.merged()
    assert messages[0]["role"] == "user" and messages[0]["client_id"] == "client-0001-abcdef"
    answer = next(m for m in messages if m["role"] == "bot")
    assert answer["text"].startswith("【社会保障卡申领】")
    card = answer["custom"]
    assert card["type"] == "service_card" and card["service"]["name"] == "社会保障卡申领"
    assert card["service"]["materials"] and "以窗口最新要求为准" in card["service"]["notice"]
    district_question = messages[-1]
    assert "哪个区县" in district_question["text"] and len(district_question["buttons"]) == 7


def test_resent_message_is_processed_once_and_reload_returns_the_same_history(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        first = await page.say("公积金租房提取要带什么", client_id="resend-test-0001")
        again = await page.say("公积金租房提取要带什么", client_id="resend-test-0001")
        await page.close()
        reloaded = Page(stack.rasa_url)
        await reloaded.open(session_id=page.session_id)
        await reloaded.close()
        return page, first, again, reloaded

    page, first, again, reloaded = run(scenario())
    assert first == again == {"ok": True}
    assert stack.count_events(page.session_id, "user") == 1
    assert [m["id"] for m in reloaded.merged()] == [m["id"] for m in page.merged()]


def test_reply_produced_while_offline_arrives_after_reconnect(stack):
    """The page sends, then loses the downlink before any reply can reach it (certain, not timed)."""
    proxy = CuttableProxy(int(stack.rasa_url.rsplit(":", 1)[1]))

    async def scenario():
        page = Page(proxy.url)
        await page.open()
        await page.say("你好")
        last_seen = max(m["ts"] for m in page.merged())
        bots_before = stack.count_events(page.session_id, "bot")
        batches_before = len(page.batches)
        proxy.mute_downstream()  # offline from here: the message still leaves, nothing comes back
        await page.sio.emit("user_uttered", {"session_id": page.session_id, "message": "身份证过期了怎么换",
                                             "client_id": "offline-0000001"})
        await page.wait(lambda: stack.count_events(page.session_id, "bot") > bots_before)
        received_while_offline = [m["text"] for b in page.batches[batches_before:] for m in b]
        await page.close()
        back = Page(stack.rasa_url)
        await back.open(session_id=page.session_id, last_seen=last_seen)
        await back.close()
        return back, received_while_offline

    try:
        back, received_while_offline = run(scenario())
    finally:
        proxy.close()
    assert received_while_offline == []
    messages = back.merged()
    assert messages[0]["role"] == "user" and messages[0]["text"] == "身份证过期了怎么换"
    answers = [m for m in messages if m["role"] == "bot" and "居民身份证" in m["text"]]
    assert len(answers) == 1  # arrives once


def test_button_display_is_kept_and_personal_data_masked(stack):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        await page.say("社保卡怎么办理")
        await page.say("2", display="2. 弋江区")
        await page.say("我的电话13812345678", display="我的电话13812345678")
        await page.close()
        reloaded = Page(stack.rasa_url)
        await reloaded.open(session_id=page.session_id)
        await reloaded.close()
        return reloaded

    messages = run(scenario()).merged()
    users = [m for m in messages if m["role"] == "user"]
    assert users[1]["text"] == "2" and users[1]["display"] == "2. 弋江区"
    assert "13812345678" not in str(messages) and "138****5678" in users[2]["text"]


@pytest.mark.parametrize("payload", [
    {"session_id": "bad id!", "message": "你好"},
    {"session_id": "0123456789abcdef", "message": 42},
    {"message": "你好"},
])
def test_malformed_messages_get_an_error_ack(stack, payload):
    async def scenario():
        page = Page(stack.rasa_url)
        await page.open()
        ack = await page.sio.call("user_uttered", payload, timeout=10)
        await page.close()
        return ack

    assert run(scenario()) == {"ok": False, "error": "bad_request"}


def test_page_is_served_or_explains_how_to_build_it(stack):
    import requests

    resp = requests.get(f"{stack.rasa_url}/chat/", timeout=10)
    assert resp.status_code in (200, 503)
    assert "芜湖政务服务助手" in resp.text
    assert requests.get(f"{stack.rasa_url}/chat/assets/../../credentials.yml", timeout=10).status_code == 404

"""Clients for bench/fuzz_channels.py: each turns a generated value into one request.

``cases(texts)`` returns (strategy, send): the strategy draws what to send (a resident text,
or a malformed request of that channel's kind) and ``send`` sends it, returning the HTTP
status (or, for socket.io, 200 for an answered event and 400 for a refused one).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import requests
import socketio
from hypothesis import strategies as st

from tests.support.webchat_client import Page
from tests.support.wechat_fakes import APPID, APPSECRET, TOKEN, WeChatServer

Case = tuple[st.SearchStrategy, Callable[[Any], int]]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=5), max_leaves=20)


def plain_wechat_credentials(api_base: str) -> str:
    """credentials.yml text: WeChat in plaintext mode (no AES key), and REST for the checks."""
    return (f"channels.rest.RestInput:\nchannels.wechat.WeChatInput:\n  token: {TOKEN}\n  appid: {APPID}\n"
            f"  appsecret: {APPSECRET}\n  aes_key: ''\n  api_base: {api_base}\n")


class RestClient:
    def __init__(self, base: str, hang_s: float) -> None:
        self.url = f"{base}/webhooks/rest/webhook"
        self.hang_s = hang_s

    def cases(self, texts: st.SearchStrategy[str]) -> Case:
        strategy = st.one_of(
            texts.map(lambda t: ("message", t)),
            JSON.map(lambda v: ("json", v)),  # any JSON shape, sender and message missing or wrong
            st.fixed_dictionaries({"sender": JSON, "message": JSON}).map(lambda v: ("json", v)),
            st.binary(max_size=2_000).map(lambda b: ("raw", b)),
            st.just(("raw", b"{" * 100_000)),
        )
        return strategy, self.send

    def send(self, case: tuple[str, Any]) -> int:
        kind, value = case
        if kind == "message":
            body = json.dumps({"sender": f"fuzz-{uuid.uuid4().hex[:12]}", "message": value}).encode()
        elif kind == "json":
            body = json.dumps(value).encode()
        else:
            body = value
        return requests.post(self.url, data=body, headers={"Content-Type": "application/json"},
                             timeout=self.hang_s).status_code


class WeChatClient:
    """WeChat's servers calling the webhook: signed messages with fuzzed content, and forgeries."""

    def __init__(self, base: str, hang_s: float, aes: bool) -> None:
        self.url = f"{base}/webhooks/wechat/webhook"
        self.hang_s = hang_s
        self.aes = aes
        self.wechat = WeChatServer()

    def cases(self, texts: st.SearchStrategy[str]) -> Case:
        strategy = st.one_of(
            texts.map(lambda t: ("text", t)),
            texts.map(lambda t: ("voice", t)),
            texts.map(lambda t: ("raw_xml", t)),  # whatever arrives as the (signed) body
            texts.map(lambda t: ("forged", t)),
            texts.map(lambda t: ("replayed", t)),
            st.sampled_from(["subscribe", "unsubscribe", "CLICK", "LOCATION", "VIEW", "???"])
            .map(lambda e: ("event", e)),
            st.just(("doctype", "")),
            st.binary(max_size=300).map(lambda b: ("bad_cipher", b.hex())),
        )
        return strategy, self.send

    def _post(self, xml: str, query: dict) -> int:
        if self.aes and "encrypt_type" not in query:
            xml, query = self.wechat.encrypt(xml, query)
        return requests.post(self.url, params=query, data=xml.encode("utf-8", "surrogatepass"),
                             timeout=self.hang_s).status_code

    def send(self, case: tuple[str, str]) -> int:
        kind, value = case
        openid = f"o-fuzz-{uuid.uuid4().hex[:16]}"
        w = self.wechat
        if kind == "text":
            return self._post(w.text(openid, value), w.query())
        if kind == "voice":
            return self._post(w.message(openid, "voice", MediaId="m", Format="amr", Recognition=value), w.query())
        if kind == "event":
            return self._post(w.event(openid, value, EventKey="menu_services"), w.query())
        if kind == "raw_xml":
            return requests.post(self.url, params=w.query(), data=value.encode("utf-8", "surrogatepass"),
                                 timeout=self.hang_s).status_code
        if kind == "forged":
            query = {**w.query(), "signature": "0" * 40}
            return requests.post(self.url, params=query, data=w.text(openid, value).encode("utf-8", "surrogatepass"),
                                 timeout=self.hang_s).status_code
        if kind == "replayed":
            query = w.query()
            self._post(w.text(openid, "你好"), dict(query))
            return self._post(w.text(openid, value), dict(query))  # same timestamp and nonce, other body
        if kind == "doctype":
            xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml>&b;</xml>'
            return requests.post(self.url, params=w.query(), data=xml, timeout=self.hang_s).status_code
        query = {**w.query(), "encrypt_type": "aes", "msg_signature": "0" * 40}
        xml = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{value}]]></Encrypt></xml>"
        return requests.post(self.url, params=query, data=xml, timeout=self.hang_s).status_code


class WebChatClient:
    """The page's socket.io protocol: a new page per case, fuzzed messages and event payloads."""

    def __init__(self, base: str, hang_s: float) -> None:
        self.base = base
        self.hang_s = hang_s
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def cases(self, texts: st.SearchStrategy[str]) -> Case:
        strategy = st.one_of(
            texts.map(lambda t: ("text", t)),
            texts.map(lambda t: ("button", t)),  # claims to be a tapped button
            JSON.map(lambda v: ("user_uttered", v)),  # any payload shape
            JSON.map(lambda v: ("session_request", v)),  # forged or malformed sessions
            st.text(max_size=40).map(lambda t: ("forged_token", t)),
        )
        return strategy, self.send

    async def _one(self, case: tuple[str, Any]) -> int:
        kind, value = case
        page = Page(self.base)
        try:
            if kind == "session_request":
                await page.connect()
                await page.sio.emit("session_request", value)
                await page.sio.sleep(0.05)
                return 200 if page.sio.connected else 400
            await page.open()
            if kind == "user_uttered":
                call = page.sio.call("user_uttered", value, timeout=self.hang_s)
            elif kind == "forged_token":
                call = page.sio.call("user_uttered", {"token": value, "message": "你好",
                                                      "client_id": uuid.uuid4().hex}, timeout=self.hang_s)
            else:
                call = page.say(value, payload=kind == "button")
            ack = await self._unless_dropped(page, call)
            return 200 if isinstance(ack, dict) and ack.get("ok") else 400
        finally:
            if page.sio.connected:
                await page.close()

    async def _unless_dropped(self, page: Page, call: Any) -> Any:
        """The ack, or None when the server refused the frame at the transport instead.

        Over long-polling a frame over the body limit gets HTTP 413 at once; python-engineio
        then ends its write loop (and forgets it) but still counts itself connected, so that
        is checked too.
        """
        task = asyncio.ensure_future(call)
        while not task.done():
            writer = page.sio.eio.write_loop_task
            if not page.sio.connected or writer is None or writer.done():
                task.cancel()
                return None  # refused at the transport (closed socket or 413)
            await asyncio.sleep(0.05)
        return task.result()

    def send(self, case: tuple[str, Any]) -> int:
        future = asyncio.run_coroutine_threadsafe(self._one(case), self.loop)
        try:
            return future.result(timeout=self.hang_s + 5)
        except (concurrent.futures.TimeoutError, asyncio.TimeoutError, socketio.exceptions.TimeoutError) as exc:
            raise requests.Timeout(str(exc)) from exc
        except socketio.exceptions.ConnectionError as exc:
            raise requests.ConnectionError(str(exc)) from exc

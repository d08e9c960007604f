"""The WeChat endpoint on an async double of the assistant: the protocol without servers."""
from __future__ import annotations

import asyncio
from typing import Any

from channels.wechat import texts
from channels.wechat.api import WeChatApi
from channels.wechat.endpoint import WeChatEndpoint
from channels.wechat.menu import load_menu
from channels.wechat.settings import DEFAULT_MENU, WeChatSettings
from tests.support.wechat_fakes import AES_KEY, APPID, APPSECRET, TOKEN


class FakeAssistant:
    """Echoes what it was told; ``delay_s`` makes it slow, ``replies`` overrides answers."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[tuple] = []
        self.delay_s = delay_s
        self.replies: dict[str, list[dict[str, Any]]] = {}

    async def __call__(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        self.calls.append((sender, text, metadata))
        await asyncio.sleep(self.delay_s)
        return self.replies.get(text, [{"text": f"收到：{text}"}])


def locator(latitude: float, longitude: float):
    """The catalogue's nearest district, in small: near 镜湖区's seat is 镜湖区, elsewhere nothing."""
    if abs(latitude - 31.34) < 0.2 and abs(longitude - 118.38) < 0.2:
        return "镜湖区", {"name": "镜湖区政务服务中心", "address": "九华中路168号", "hours": "周一至周五"}
    return None


def make(assistant=None, api_base=None, safe=False, state=None, **settings) -> tuple:
    """An endpoint in plaintext mode, or in safe mode (AES key set) with ``safe=True``;
    ``state`` (channels.shared_state.SharedState) makes it one node of a cluster."""
    creds = {"token": TOKEN, "appid": APPID, "appsecret": APPSECRET, **settings}
    if safe:
        creds["aes_key"] = AES_KEY
    if api_base:
        creds["api_base"] = api_base
    config = WeChatSettings.from_credentials(creds)
    assistant = assistant or FakeAssistant()
    api = WeChatApi(config, None if state is None else state.wechat_access_token(config)) if api_base else None
    shared = {} if state is None else {"nonces": state.nonce_store(),
                                       "shared_turns": state.wechat_turns(config.dedupe_window_s),
                                       "choices": state.wechat_choices(), "missed": state.wechat_missed()}
    endpoint = WeChatEndpoint(config, assistant, load_menu(DEFAULT_MENU).payloads(), locator=locator,
                              send_text=api.send_text if api else None, **shared)
    return endpoint, assistant


# -- long replies: a service answer over WeChat's limit, as the actions send it ------------
DISTRICT_QUESTION = "请问您在哪个区县？回复数字，我告诉您最近的办理大厅：\n1. 镜湖区\n2. 弋江区"
APPLY_HINT = "这项业务可以在对话里直接申请：回复“办理”，我一步一步帮您填。"
LONG_ANSWER = "\n".join(f"{i}. " + "需要携带的材料说明" * 12 for i in range(30))


def long_turn() -> list[dict[str, Any]]:
    """A service answer over WeChat's limit, then the next-step prompts (as actions send them)."""
    return [{"text": LONG_ANSWER}, {"text": APPLY_HINT},
            {"text": DISTRICT_QUESTION, "buttons": [{"title": "镜湖区", "payload": "1"},
                                                     {"title": "弋江区", "payload": "2"}]}]


def answer_text(passive: str, followups: list[str]) -> str:
    """The long answer put back together from its parts, without the channel's marks."""
    head = passive.split("\n" + texts.TRUNCATED)[0]
    return "\n".join([head, *(part.split("\n", 1)[1] for part in followups)])


def headings(parts: list[str]) -> list[str]:
    return [part.split("\n", 1)[0] for part in parts]


def numbered(total: int) -> list[str]:
    return [texts.CONTINUED.format(part=n, total=total) for n in range(2, total + 1)]

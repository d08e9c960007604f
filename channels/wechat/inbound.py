"""What each kind of WeChat message asks of the assistant.

Text and recognised voice go to the assistant as typed; subscribe and menu clicks send a
payload; location asks for the nearest district; other media get a polite direct reply;
background events (unsubscribe, location reports, link clicks) need no answer at all.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from wechatpy.messages import BaseMessage

from channels.wechat import texts

WELCOME_PAYLOAD = "/greet"


@dataclass(frozen=True)
class Inbound:
    """One message, reduced to what the channel must do with it."""

    sender: str
    #: Retries of this message share the key (MsgId, or sender and CreateTime for events).
    key: str
    kind: str
    say: str | None = None  # text or payload for the assistant
    reply: str | None = None  # answered by the channel without the assistant
    location: tuple[float, float, str] | None = None  # latitude, longitude, label
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def silent(self) -> bool:
        return self.say is None and self.reply is None and self.location is None


def _kind(message: BaseMessage) -> str:
    event = getattr(message, "event", None)
    return f"event:{event}" if event else str(message._data.get("MsgType") or message.type).lower()


def dedupe_key(message: BaseMessage) -> str:
    if message.id:
        return f"msg:{message.id}"
    return f"evt:{message.source}:{message.time}:{_kind(message)}"


def _typed_text(content: str) -> str:
    """Residents' text is never a Rasa payload: "/intent{...}" could set slots directly."""
    return content.lstrip("/").strip()


def _spoken_text(recognition: str) -> str:
    """WeChat's speech recognition ends every sentence with "。" ("张桂兰。"): a name, number or
    district given by voice must read as if typed, so trailing 。？！，… go (closing quotes and
    brackets stay)."""
    text = _typed_text(recognition)
    while text and (text[-1].isspace() or unicodedata.category(text[-1]) == "Po" or text[-1] in "~～"):
        text = text[:-1]
    return text


def interpret(message: BaseMessage, menu_payloads: Mapping[str, str]) -> Inbound:
    kind = _kind(message)
    base = Inbound(sender=str(message.source or ""), key=dedupe_key(message), kind=kind,
                   metadata={"wechat": {"msg_type": kind, "msg_id": message.id or None}})
    if kind == "text":
        return replace(base, say=_typed_text(message.content or ""))
    if kind == "voice":
        heard = _spoken_text(message.recognition or "")
        return replace(base, say=heard) if heard else replace(base, reply=texts.VOICE_NOT_RECOGNISED)
    if kind == "location":
        label = f"（{message.label}）" if message.label else ""
        try:
            point = (float(message.location_x), float(message.location_y), label)
        except (TypeError, ValueError):
            return replace(base, reply=texts.OUTSIDE_WUHU)
        return replace(base, location=point)
    if kind in ("event:subscribe", "event:subscribe_scan"):
        return replace(base, say=WELCOME_PAYLOAD)
    if kind == "event:click":
        payload = menu_payloads.get(message.key or "")
        return replace(base, say=payload) if payload else replace(base, reply=texts.UNKNOWN_MENU)
    if kind.startswith("event:"):  # unsubscribe, location reports, link clicks…: no answer
        return base
    return replace(base, reply=texts.UNSUPPORTED.format(
        kind=texts.UNSUPPORTED_KINDS.get(kind, texts.UNSUPPORTED_DEFAULT)))

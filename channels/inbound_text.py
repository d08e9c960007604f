"""What residents send is text, never a Rasa command.

Rasa treats a message starting with "/" as a payload: "/restart" wipes the conversation
(and a half-filled application) without a reply, and '/greet{"district":"镜湖区"}' sets
slots directly. On the resident channels a payload is accepted only when it is one of
the buttons the assistant itself offered in the conversation's latest bot message (or
the page's opening "/greet" on an empty conversation); anything else has its leading
"/" removed and is understood as the words it contains, as channels/wechat does.

Input is also cut to :data:`MAX_INPUT_CHARS`: a little above the assistant's own limit
(bot/text.py, 500), so the assistant still answers with its polite "太长了" note, while
what is processed and stored stays bounded.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.text import MAX_MESSAGE_CHARS

MAX_INPUT_CHARS = MAX_MESSAGE_CHARS + 100
PAYLOAD_PREFIX = "/"
OPENING_PAYLOAD = "/greet"


def cut(text: str) -> str:
    return text[:MAX_INPUT_CHARS]


def is_payload(text: str) -> bool:
    return text.strip().startswith(PAYLOAD_PREFIX)


def as_typed(text: str) -> str:
    """The text with every leading "/" (and the spaces around them) removed."""
    out = text.strip()
    while out.startswith(PAYLOAD_PREFIX):
        out = out.lstrip(PAYLOAD_PREFIX).strip()
    return out


def offered_payloads(events: Sequence[dict[str, Any]]) -> list[str]:
    """Button payloads of the latest bot message in tracker events (as dicts)."""
    for event in reversed(events):
        if event.get("event") == "bot":
            data = event.get("data") or {}
            buttons = data.get("buttons") or data.get("quick_replies") or []
            return [str(b.get("payload")) for b in buttons if isinstance(b, dict) and b.get("payload")]
    return []


def has_user_message(events: Iterable[dict[str, Any]]) -> bool:
    return any(event.get("event") == "user" for event in events)


def resident_text(text: str, *, offered: Sequence[str] = (), opening_allowed: bool = False) -> str:
    """What the assistant should receive for ``text`` a resident sent or tapped.

    ``offered`` are the payloads the latest bot message offered (tapping one of them is
    allowed to send it as is); ``opening_allowed`` lets "/greet" through on a new
    conversation.
    """
    text = cut(text)
    if not is_payload(text):
        return text
    stripped = text.strip()
    if stripped in offered or (opening_allowed and stripped == OPENING_PAYLOAD):
        return stripped
    return as_typed(text)

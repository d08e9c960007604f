"""Turn the assistant's messages into WeChat text: one passive reply, split when too long.

WeChat shows no buttons in a text reply, so buttons become numbered lines the resident
answers with the number. Our own buttons already carry the number as payload and the
assistant understands numbers; other buttons are remembered so a number still picks them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: WeChat refuses text messages over 2048 bytes (passive replies and customer-service API).
MAX_TEXT_BYTES = 2048
CHOOSE_HINT = "（回复数字选择）"
_NUMBERED = re.compile(r"^\s*\d+[.、．]")


@dataclass
class Rendered:
    #: one text per message of the turn, in order (the last ones usually ask the question).
    blocks: list[str]
    #: option number → payload, for buttons whose payload is not the number itself.
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(self.blocks)


def _button_lines(text: str, buttons: Iterable[Mapping[str, Any]], choices: dict[str, str]) -> list[str]:
    lines = []
    for number, button in enumerate(buttons, start=1):
        title = str(button.get("title") or button.get("payload") or "").strip()
        label = title if _NUMBERED.match(title) else f"{number}. {title}"
        if label not in text:
            lines.append(label)
        payload = str(button.get("payload") or "").strip()
        if payload and payload != str(number):
            choices[str(number)] = payload
    if "回复数字" not in text:
        lines.append(CHOOSE_HINT)
    return lines


def render(messages: Iterable[Mapping[str, Any]]) -> Rendered:
    """Join the messages of one turn; the last message with buttons sets the choices."""
    parts: list[str] = []
    choices: dict[str, str] = {}
    for message in messages:
        text = str(message.get("text") or "").strip()
        lines = [text] if text else []
        buttons = message.get("buttons") or message.get("quick_replies") or []
        if buttons:
            choices = {}
            lines += _button_lines(text, buttons, choices)
        if message.get("image"):
            lines.append(f"图片：{message['image']}")
        if lines:
            parts.append("\n".join(lines))
    return Rendered(parts, choices)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_split(line: str, max_bytes: int) -> list[str]:
    pieces, current = [], ""
    for char in line:
        if current and _utf8_len(current + char) > max_bytes:
            pieces.append(current)
            current = ""
        current += char
    return pieces + ([current] if current else [])


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """Chunks of at most ``max_bytes`` UTF-8 bytes, cut at line ends where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in ([line] if _utf8_len(line) <= max_bytes else _hard_split(line, max_bytes)):
            candidate = f"{current}\n{piece}" if current else piece
            if current and _utf8_len(candidate) > max_bytes:
                chunks.append(current)
                candidate = piece
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c.strip("\n") for c in chunks if c.strip()]

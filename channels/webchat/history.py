"""Tracker events → the chat messages the page shows.

The tracker store is the single source of truth for the page: live replies and the
history after a reload or reconnect are both read from it, so every message has one id
and the page can merge without losing or doubling anything. A staff member's message
during a 转人工 is a bot event too (channels/staff_replies.py); its ``author`` is the label
the page shows on it ("工作人员"), None for the assistant's and the resident's own.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

Message = dict[str, Any]


def _stable_id(role: str, timestamp: float, text: str) -> str:
    digest = hashlib.sha1(f"{timestamp:.6f}|{text}".encode()).hexdigest()[:10]
    return f"{role}-{timestamp:.6f}-{digest}"


def _user(event: dict[str, Any], ts: float) -> Message:
    text = event.get("text") or ""
    client_id = event.get("message_id")
    metadata = event.get("metadata") or {}
    return {"id": f"u-{client_id}" if client_id else _stable_id("u", ts, text), "role": "user",
            "text": text, "ts": ts, "buttons": [], "custom": None, "client_id": client_id,
            "display": metadata.get("display"), "author": None}


def _author(metadata: dict[str, Any]) -> str | None:
    handoff = metadata.get("handoff")
    label = handoff.get("agent") if isinstance(handoff, dict) else None
    return label if isinstance(label, str) and label else None


def _bot(event: dict[str, Any], ts: float) -> Message:
    text = event.get("text") or ""
    data = event.get("data") or {}
    metadata = event.get("metadata") or {}
    custom = data.get("custom")
    if custom is None and metadata.get("service_card"):
        custom = {"type": "service_card", "service": metadata["service_card"]}
    return {"id": _stable_id("b", ts, text), "role": "bot", "text": text, "ts": ts,
            "buttons": list(data.get("buttons") or data.get("quick_replies") or []),
            "custom": custom, "client_id": None, "display": None, "author": _author(metadata)}


def chat_messages(events: Iterable[dict[str, Any]], since: float | None = None) -> list[Message]:
    """User and bot messages newer than ``since`` (a message ``ts``), oldest first."""
    messages: list[Message] = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        ts = float(event.get("timestamp") or 0.0)
        if since is not None and ts <= since:
            continue
        message = _user(event, ts) if kind == "user" else _bot(event, ts)
        if message["role"] == "bot" and not message["text"] and not message["buttons"] and not message["custom"]:
            continue
        messages.append(message)
    return messages


def messages_from(events: list[dict[str, Any]], client_id: str) -> list[Message]:
    """The user message with ``client_id`` and everything after it (its replies)."""
    for index, event in enumerate(events):
        if event.get("event") == "user" and event.get("message_id") == client_id:
            return chat_messages(events[index:])
    return []


def has_message(events: Iterable[dict[str, Any]], client_id: str) -> bool:
    return any(e.get("event") == "user" and e.get("message_id") == client_id for e in events)

"""Which channel a conversation came through, from the id the channel gave it (channels/*/)."""
from __future__ import annotations

#: Conversation id prefixes the channels give: the channel a request or a ticket came from.
CHANNELS = {"web:": "webchat", "wechat:": "wechat", "rest:": "rest"}


def channel_of(conversation_id: str) -> str:
    """"webchat", "wechat", "rest", or "other" (a shell, a test)."""
    return next((name for prefix, name in CHANNELS.items() if conversation_id.startswith(prefix)), "other")

"""Web chat channel: socket.io with server-side history, and the chat page at /chat/.

credentials.yml key: ``channels.webchat.WebChatInput`` (imported on first use).
"""
from typing import Any

__all__ = ["WebChatInput"]


def __getattr__(name: str) -> Any:
    if name == "WebChatInput":
        from channels.webchat.channel import WebChatInput

        return WebChatInput
    raise AttributeError(name)

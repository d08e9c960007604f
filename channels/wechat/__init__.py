"""WeChat Official Account channel. credentials.yml key: ``channels.wechat.WeChatInput``.

The channel class is imported on first use (PEP 562), so the menu CLI and the pure
modules do not pull in Rasa.
"""
from typing import Any

__all__ = ["WeChatInput"]


def __getattr__(name: str) -> Any:
    if name == "WeChatInput":
        from channels.wechat.channel import WeChatInput

        return WeChatInput
    raise AttributeError(name)

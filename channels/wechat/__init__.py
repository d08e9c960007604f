"""WeChat Official Account channel. credentials.yml key: ``channels.wechat.WeChatInput``."""
from channels.wechat.channel import WeChatInput

__all__ = ["WeChatInput"]

"""Custom Rasa input channels (WeChat comes in a later issue)."""

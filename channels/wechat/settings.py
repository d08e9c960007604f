"""WeChat channel settings, from the `channels.wechat.WeChatInput` section of credentials.yml."""
from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_MENU = Path(__file__).with_name("menu.yml")


class SettingsError(ValueError):
    """The credentials cannot work (for example an EncodingAESKey of the wrong length)."""


@dataclass(frozen=True)
class WeChatSettings:
    """Everything the channel needs; ``enabled`` is False when no token is configured."""

    token: str = ""
    appid: str = ""
    appsecret: str = ""
    aes_key: str = ""
    api_base: str = DEFAULT_API_BASE
    #: WeChat gives up after 5 s; answer by then, or deliver through the customer-service API.
    reply_deadline_s: float = 4.0
    #: Requests whose timestamp is further than this from our clock are refused (replays).
    max_clock_skew_s: float = 300.0
    #: Retries of one message arrive within ~15 s; results are kept a little longer.
    dedupe_window_s: float = 60.0
    #: The rest of a long answer is sent this long after the passive reply, to keep the order.
    followup_delay_s: float = 0.5
    max_body_bytes: int = 64 * 1024
    http_timeout_s: float = 5.0
    http_retries: int = 2
    menu_path: Path = DEFAULT_MENU

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @property
    def can_decrypt(self) -> bool:
        return bool(self.aes_key and self.appid)

    @property
    def can_call_api(self) -> bool:
        return bool(self.appid and self.appsecret)

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> WeChatSettings:
        raw = {k: v for k, v in (credentials or {}).items() if v not in (None, "")}
        text = {k: str(raw.get(k, "")).strip() for k in ("token", "appid", "appsecret", "aes_key")}
        aes_key = text["aes_key"]
        if aes_key:
            _check_aes_key(aes_key)
        defaults = cls()
        return cls(
            **text,
            api_base=str(raw.get("api_base") or DEFAULT_API_BASE).rstrip("/"),
            reply_deadline_s=float(raw.get("reply_deadline_s", defaults.reply_deadline_s)),
            max_clock_skew_s=float(raw.get("max_clock_skew_s", defaults.max_clock_skew_s)),
            dedupe_window_s=float(raw.get("dedupe_window_s", defaults.dedupe_window_s)),
            followup_delay_s=float(raw.get("followup_delay_s", defaults.followup_delay_s)),
            max_body_bytes=int(raw.get("max_body_bytes", defaults.max_body_bytes)),
            http_timeout_s=float(raw.get("http_timeout_s", defaults.http_timeout_s)),
            http_retries=int(raw.get("http_retries", defaults.http_retries)),
            menu_path=Path(raw.get("menu") or DEFAULT_MENU),
        )


def _check_aes_key(aes_key: str) -> None:
    """WeChat's EncodingAESKey is 43 base64 characters: a 32-byte AES key without the '='."""
    if len(aes_key) != 43:
        raise SettingsError("WECHAT_AES_KEY must be the 43-character EncodingAESKey")
    try:
        key = base64.b64decode(aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SettingsError("WECHAT_AES_KEY is not valid base64") from exc
    if len(key) != 32:
        raise SettingsError("WECHAT_AES_KEY does not decode to a 32-byte key")

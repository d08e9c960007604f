"""Server-issued web chat sessions: the page holds a signed token, never a raw id.

The conversation id ("web:<random>") is made by the server and handed to the page only
inside a token signed with HMAC-SHA256 under a server secret. Whoever presents a token
that does not verify (forged, altered, expired, or a bare conversation id) gets a new,
empty conversation, never someone else's. Tokens are renewed on every (re)connect, so
"expired" means idle: :data:`IDLE_TTL_S` without opening the page.

The secret comes from WEBCHAT_SECRET, else from ``$GOV_VAR_DIR/webchat_secret`` (made on
first use, mode 0600). Every server of a cluster needs the same one. Changing it ends
every web conversation (residents start afresh; nothing is exposed).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.config import PROJECT_ROOT

IDLE_TTL_S = 30 * 24 * 3600
PREFIX = "web:"
CLOCK_SKEW_S = 300  # servers of a cluster may disagree a little about the time
_VERSION = "w1"
_CONTEXT = b"wuhu-webchat-session|"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_conversation_id() -> str:
    return PREFIX + secrets.token_hex(16)


class SessionTokens:
    def __init__(self, secret: bytes, *, ttl_s: float = IDLE_TTL_S,
                 clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("the web chat secret must be at least 16 bytes")
        self._secret = secret
        self.ttl_s = ttl_s
        self._clock = clock

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._secret, _CONTEXT + body.encode("ascii"), hashlib.sha256).digest())

    def issue(self, conversation_id: str) -> str:
        """A fresh token for ``conversation_id`` (which must come from the server)."""
        claims = json.dumps({"c": conversation_id, "t": int(self._clock()), "n": secrets.token_hex(4)},
                            separators=(",", ":"))  # n: every renewal is a new token
        body = f"{_VERSION}.{_b64(claims.encode('utf-8'))}"
        return f"{body}.{self._mac(body)}"

    def verify(self, token: object) -> str | None:
        """The conversation id a genuine, unexpired token names; None for anything else."""
        if not isinstance(token, str) or len(token) > 512:
            return None
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION:
            return None
        body = f"{parts[0]}.{parts[1]}"
        try:
            if not hmac.compare_digest(self._mac(body), parts[2]):
                return None
            claims = json.loads(_unb64(parts[1]))
        except (ValueError, UnicodeError):
            return None
        conversation, issued = claims.get("c"), claims.get("t")
        if not isinstance(conversation, str) or not conversation.startswith(PREFIX):
            return None
        if not isinstance(issued, int) or not -CLOCK_SKEW_S <= self._clock() - issued <= self.ttl_s:
            return None
        return conversation


def load_secret(env: Mapping[str, str] | None = None) -> bytes:
    """WEBCHAT_SECRET, else the 0600 file under GOV_VAR_DIR (created when missing)."""
    env = os.environ if env is None else env
    if env.get("WEBCHAT_SECRET"):
        return env["WEBCHAT_SECRET"].encode("utf-8")
    path = Path(env.get("GOV_VAR_DIR") or PROJECT_ROOT / "var") / "webchat_secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)
        return path.read_text(encoding="ascii").strip().encode("ascii")
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="ascii").strip().encode("ascii")

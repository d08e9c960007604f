"""Which Rasa conversation a WeChat resident's messages belong to: ``wechat:<openid>``.

Rasa keys trackers by sender id, one namespace for every channel. The REST channel takes
the sender id from the request body, so a bare openid could be named by anyone who learnt
one. WeChat conversations live under a prefix no other channel issues (REST senders are
"rest:<id>", web-chat senders server-issued tokens), and the endpoint forms the id only
after the request passed the signature checks. Everything that reads a WeChat tracker
(the channel, tests, tools) goes through :func:`conversation_id`.
"""
from __future__ import annotations

import re

PREFIX = "wechat:"
#: WeChat's openids are 28 characters of [A-Za-z0-9_-]; a little room for other accounts.
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def is_openid(value: str) -> bool:
    """Whether ``value`` can be an openid (no separators, no control characters)."""
    return bool(_OPENID.fullmatch(value or ""))


def conversation_id(openid: str) -> str:
    """The Rasa sender id of the resident with this openid."""
    if not is_openid(openid):
        raise ValueError("not a WeChat openid")
    return PREFIX + openid


def openid_of(sender_id: str) -> str | None:
    """The openid behind a WeChat conversation id, or None for any other channel's id."""
    if sender_id.startswith(PREFIX) and is_openid(sender_id[len(PREFIX):]):
        return sender_id[len(PREFIX):]
    return None


def masked(openid: str) -> str:
    """An openid shortened for logs."""
    return openid[:4] + "…" if openid else "?"

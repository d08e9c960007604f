"""Key names for the channels' Redis stores: what identifies a resident is never written in clear.

Openids, conversation ids and message ids become a 128-bit BLAKE2b digest under the
store's own prefix (``gov:wechat:choices:<digest>``), so a look at Redis (``KEYS``,
``MONITOR``, a dump) shows how many entries there are, not whose they are.
"""
from __future__ import annotations

import hashlib


def digest(*parts: str) -> str:
    """One hex digest of ``parts`` (joined by NUL, which no id contains, so ("a", "bc") and
    ("ab", "c") differ)."""
    return hashlib.blake2b("\x00".join(parts).encode("utf-8"), digest_size=16).hexdigest()

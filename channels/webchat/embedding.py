"""Who may frame the chat page: the allow-list behind ``Content-Security-Policy: frame-ancestors``.

The web widget (web/public/widget.js) shows /chat/ in an iframe on other sites, beside a hidden
one, /chat/widget-state.html (whether the panel was open). Browsers show either page only in
frames whose every ancestor is in ``WEBCHAT_FRAME_ANCESTORS`` (CSP source expressions separated
by spaces: ``'self'``, ``https://www.wuhu.gov.cn``, ``https://*.wuhu.gov.cn``, ``'none'``).
Unset, the embedded default, the list is ``'self'`` plus this machine's own names on any port,
so the demo host page (/chat/demo/, pages.py) embeds the widget across origins; a deployment
that sets the list gets no demo.

The same list decides which host pages may be recorded as a conversation's entry point
(opening.py): analytics should name real host sites, not whatever a client claims.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

ENV = "WEBCHAT_FRAME_ANCESTORS"
#: The embedded default: the assistant's own pages, and pages on this machine (the demo).
DEFAULT_SOURCES = ("'self'", "http://127.0.0.1:*", "http://localhost:*")
_KEYWORDS = frozenset({"'self'", "'none'", "*", "http:", "https:"})
_HOST_SOURCE = re.compile(
    r"^(?P<scheme>https?)://(?P<wild>\*\.)?(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])"
    r"(?::(?P<port>[0-9]{1,5}|\*))?/?$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_ORIGIN_CHARS = 200


def origin_parts(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) origin such as ``https://a.b:8443``; None otherwise."""
    if not isinstance(origin, str) or len(origin) > MAX_ORIGIN_CHARS:
        return None
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return parts.scheme, parts.hostname, port if port is not None else _DEFAULT_PORTS[parts.scheme]


def _source_allows(source: str, scheme: str, host: str, port: int) -> bool:
    if source == "*":
        return True
    if source in ("http:", "https:"):
        return scheme == source[:-1] or (source == "http:" and scheme == "https")
    found = _HOST_SOURCE.match(source)
    if found is None:
        return False
    if scheme != found["scheme"] and not (found["scheme"] == "http" and scheme == "https"):
        return False  # an http source also allows its https upgrade, as CSP does
    name = found["host"].strip("[]")
    if found["wild"]:
        if not host.endswith("." + name):
            return False
    elif host != name:
        return False
    wanted = found["port"]
    if wanted == "*":
        return True
    return port == (int(wanted) if wanted else _DEFAULT_PORTS[scheme])


@dataclass(frozen=True)
class FrameAncestors:
    sources: tuple[str, ...] = DEFAULT_SOURCES
    configured: bool = False  # set by the deployer: no demo

    @classmethod
    def parse(cls, text: str, configured: bool = True) -> FrameAncestors:
        """The allow-list in ``text``; ValueError names a source CSP would not understand."""
        sources = tuple(text.lower().split())
        if not sources:
            raise ValueError(f"{ENV} is empty: name at least one source, or 'none'")
        for source in sources:
            if source not in _KEYWORDS and not _HOST_SOURCE.match(source):
                raise ValueError(f"{ENV}: {source!r} is not an origin such as https://www.example.gov.cn")
        if "'none'" in sources and len(sources) > 1:
            raise ValueError(f"{ENV}: 'none' stands alone")
        return cls(sources, configured)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FrameAncestors:
        text = (os.environ if env is None else env).get(ENV, "").strip()
        return cls.parse(text) if text else cls()

    @property
    def demo(self) -> bool:
        """The demo host pages are served in the embedded default only."""
        return not self.configured

    def allows(self, origin: str, self_origin: str | None = None) -> bool:
        """Whether a page at ``origin`` may frame the chat (``self_origin``: the chat page's own)."""
        parts = origin_parts(origin)
        if parts is None:
            return False
        if "'self'" in self.sources and self_origin is not None and origin_parts(self_origin) == parts:
            return True
        return any(_source_allows(source, *parts) for source in self.sources)

    def page_headers(self, policy: str = "base-uri 'none'; object-src 'none'") -> dict[str, str]:
        """Headers of a page the widget frames (the chat, the state frame): who may frame it, no
        sniffing, and ``policy``, the rest of its CSP (by default: no plugins, no base URL)."""
        headers = {
            "Content-Security-Policy": f"frame-ancestors {' '.join(self.sources)}; {policy}",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        # Browsers without CSP 2 read only X-Frame-Options, which cannot name other origins.
        if self.sources == ("'none'",):
            headers["X-Frame-Options"] = "DENY"
        elif self.sources == ("'self'",):
            headers["X-Frame-Options"] = "SAMEORIGIN"
        return headers

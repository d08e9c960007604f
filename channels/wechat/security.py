"""Checks every request passes before it is processed: signature, freshness, safe XML."""
from __future__ import annotations

import hmac
import time
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from wechatpy.utils import WeChatSigner


class RejectedXml(ValueError):
    """The body is not a WeChat message we may parse; ``reason`` says why (for logs)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign(token: str, *parts: str) -> str:
    """WeChat's SHA-1 signature over the token and parts, sorted (wechatpy does the hashing)."""
    signer = WeChatSigner()
    signer.add_data(token, *parts)
    return signer.signature


def signature_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison, so response timing reveals nothing about the signature."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("ascii", "replace"))


def is_fresh(timestamp: str | None, max_skew_s: float, now: float | None = None) -> bool:
    """A timestamp close to our clock; a captured request replayed later is refused."""
    try:
        sent = int(timestamp or "")
    except ValueError:
        return False
    now = time.time() if now is None else now
    return abs(now - sent) <= max_skew_s


def check_xml(body: bytes, max_bytes: int) -> Element:
    """The root element, or RejectedXml unless ``body`` is a small, well-formed ``<xml>`` document without a DTD.

    WeChat never sends a DTD, so any DOCTYPE (XXE, entity expansion like "billion laughs")
    is refused before anything is expanded; only then does wechatpy parse the message.
    """
    if not body or not body.strip():
        raise RejectedXml("empty body")
    if len(body) > max_bytes:
        raise RejectedXml(f"body of {len(body)} bytes exceeds {max_bytes}")
    try:
        root: Element = defused_fromstring(body, forbid_dtd=True, forbid_entities=True,
                                           forbid_external=True)
    except DefusedXmlException as exc:
        raise RejectedXml(f"forbidden XML construct: {type(exc).__name__}") from exc
    except (ParseError, ValueError) as exc:
        raise RejectedXml(f"malformed XML: {exc}") from exc
    if root.tag != "xml":
        raise RejectedXml(f"unexpected root element <{root.tag}>")
    return root

"""The WeChat webhook, independent of the web framework: query + body in, status + body out.

Order of checks for every request: configured → URL signature and freshness → safe mode
required when an AES key is configured → size and XML safety → (safe mode) message
signature and decryption → message → (timestamp, nonce) not used for another message.
Nothing reaches the assistant before all of them pass, and the assistant sees the resident
only as ``wechat:<openid>`` (identity.py).
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.replies import TextReply

from bot.choices import parse_number
from channels.wechat import texts
from channels.wechat.choices import ChoiceStore, MemoryChoices
from channels.wechat.identity import conversation_id, is_openid, masked
from channels.wechat.inbound import Inbound, interpret
from channels.wechat.layout import ReplyPlan, plan_reply, plan_resend
from channels.wechat.missed import MissedParts, MissedStore
from channels.wechat.nonces import MemoryNonceStore, NonceStore, NonceUse, check_nonce
from channels.wechat.outbox import Outbox, Sender
from channels.wechat.render import Rendered, render
from channels.wechat.replay import ReplayCache, SharedTurns, Turn
from channels.wechat.security import RejectedXml, check_xml, is_fresh, sign, signature_matches
from channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

#: sender, text, metadata → the assistant's messages (Rasa's collected dicts).
Assistant = Callable[[str, str, dict[str, Any]], Awaitable[list[dict[str, Any]]]]
#: latitude, longitude → (district name, nearest hall text) or None outside Wuhu. Blocking.
Locator = Callable[[float, float], tuple[str, dict[str, str] | None] | None]

XML = "application/xml; charset=utf-8"
PLAIN = "text/plain; charset=utf-8"
SUCCESS = "success"  # WeChat's "received, nothing to say now"


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: str
    content_type: str = PLAIN


FORBIDDEN = HttpReply(403, "forbidden")
BAD_REQUEST = HttpReply(400, "bad request")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_WORDS = re.compile(r"[\W_]+")


def _asks_for_repeat(said: str | None) -> bool:
    return _NOT_WORDS.sub("", said or "") in texts.REPEAT_REQUESTS


class WeChatEndpoint:
    def __init__(self, settings: WeChatSettings, assistant: Assistant,
                 menu_payloads: Mapping[str, str], locator: Locator | None = None,
                 send_text: Sender | None = None, nonces: NonceStore | None = None,
                 shared_turns: SharedTurns | None = None, choices: ChoiceStore | None = None,
                 missed: MissedStore | None = None) -> None:
        self.settings = settings
        self._assistant = assistant
        self._menu_payloads = dict(menu_payloads)
        self._locator = locator
        self._turns = ReplayCache(settings.dedupe_window_s)
        self._shared = shared_turns  # None: one process, the cache above is the whole truth
        self._nonces: NonceStore = nonces if nonces is not None else MemoryNonceStore()
        # Per resident, read by their next message (memory, or Redis: it may reach another node).
        self._missed: MissedStore = missed if missed is not None else MissedParts()
        self._outbox = Outbox(send_text, self._missed)
        self._choices: ChoiceStore = choices if choices is not None else MemoryChoices()
        self._crypto = (WeChatCrypto(settings.token, settings.aes_key, settings.appid)
                        if settings.can_decrypt else None)

    # -- checks -------------------------------------------------------------------------
    def _url_signed(self, query: Mapping[str, str]) -> bool:
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        expected = sign(self.settings.token, timestamp, nonce)
        return (signature_matches(expected, query.get("signature"))
                and is_fresh(timestamp, self.settings.max_clock_skew_s))

    def _open_envelope(self, query: Mapping[str, str], body: bytes) -> bytes:
        """Safe mode: check msg_signature over the ciphertext, then decrypt (wechatpy's AES)."""
        if self._crypto is None:
            raise PermissionError("encrypted message but no WECHAT_AES_KEY/WECHAT_APPID")
        encrypted = (check_xml(body, self.settings.max_body_bytes).findtext("Encrypt") or "").strip()
        if not encrypted:
            raise RejectedXml("no <Encrypt> in a safe-mode message")
        expected = sign(self.settings.token, query.get("timestamp", ""), query.get("nonce", ""), encrypted)
        if not signature_matches(expected, query.get("msg_signature")):
            raise PermissionError("bad msg_signature")
        try:
            plain = PrpCrypto(self._crypto.key).decrypt(encrypted, self.settings.appid)
        except InvalidAppIdException as exc:
            raise PermissionError("message for another AppID") from exc
        except Exception as exc:  # any ciphertext we cannot open is a bad request
            raise RejectedXml(f"cannot decrypt: {type(exc).__name__}") from exc
        return plain.encode("utf-8")

    # -- HTTP entry points --------------------------------------------------------------
    def handle_get(self, query: Mapping[str, str]) -> HttpReply:
        """Server verification: echo ``echostr`` when the signature is right."""
        if not self.settings.enabled:
            return HttpReply(404, "WeChat channel is not configured")
        if not self._url_signed(query):
            return FORBIDDEN
        return HttpReply(200, query.get("echostr", ""))

    async def handle_post(self, query: Mapping[str, str], body: bytes) -> HttpReply:
        started = time.monotonic()
        if not self.settings.enabled:
            return HttpReply(404, "WeChat channel is not configured")
        if not self._url_signed(query):
            return FORBIDDEN
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if self._crypto is not None and not encrypted:
            # With an AES key the account is in safe mode: WeChat encrypts everything, and a
            # plaintext body is covered by no signature at all.
            logger.warning("WeChat request refused: plaintext, but WECHAT_AES_KEY is set")
            return FORBIDDEN
        try:
            xml = self._open_envelope(query, body) if encrypted else body
            check_xml(xml, self.settings.max_body_bytes)
            message = parse_message(xml.decode("utf-8"))
        except PermissionError as exc:
            logger.warning("WeChat request refused: %s", exc)
            return FORBIDDEN
        except RejectedXml as exc:
            logger.warning("WeChat request rejected: %s", exc.reason)
            status = 413 if "exceeds" in exc.reason else 400
            return HttpReply(status, "bad request")
        except (KeyError, ValueError, TypeError, UnicodeDecodeError) as exc:
            logger.warning("WeChat message unreadable: %s", type(exc).__name__)
            return BAD_REQUEST
        use = await check_nonce(self._nonces, query["timestamp"], query.get("nonce", ""), xml,
                                self.settings.max_clock_skew_s)
        if use is NonceUse.CONFLICT:
            logger.warning("WeChat request refused: its timestamp and nonce came with another message")
            return FORBIDDEN

        inbound = interpret(message, self._menu_payloads)
        if inbound.silent or not inbound.sender:
            return HttpReply(200, SUCCESS)
        if not is_openid(inbound.sender):
            logger.warning("WeChat message refused: FromUserName is not an openid")
            return BAD_REQUEST
        if use is NonceUse.REPEAT and not await self._remembered(inbound.key, started):
            # WeChat retries within seconds, while the turn is remembered: this is a replay.
            logger.warning("WeChat request for %s repeated after its turn was forgotten; ignored",
                           masked(inbound.sender))
            return HttpReply(200, SUCCESS)
        reply_to = query if encrypted else None
        if self._shared is not None and self._turns.get(inbound.key) is None:
            if not await self._shared.claim(inbound.key):
                return await self._answer_as_other_node(self._shared, inbound, message, reply_to, started)
        turn, _ = self._turns.claim(inbound.key, lambda: self._answer(inbound))
        plan = await self._wait(turn, inbound, started)
        if self._shared is not None:
            await self._shared.settle(inbound.key, plan)
        if plan is None:
            return HttpReply(200, SUCCESS)
        if plan.followups and not turn.followups_sent:
            turn.followups_sent = True
            await self._outbox.send(inbound.sender, list(plan.followups), self.settings.followup_delay_s)
        if not plan.passive:
            return HttpReply(200, SUCCESS)
        return self._passive(message, plan.passive, reply_to)

    # -- a cluster: the turn runs on another node ----------------------------------------
    async def _remembered(self, key: str, started: float) -> bool:
        if self._turns.get(key) is not None:
            return True
        if self._shared is None:
            return False
        # The node that recorded this (timestamp, nonce) may not have claimed the turn yet.
        remaining = self.settings.reply_deadline_s - (time.monotonic() - started)
        return await self._shared.known(key, max(remaining, 0.0))

    async def _answer_as_other_node(self, shared: SharedTurns, inbound: Inbound, message: Any,
                                    reply_to: Mapping[str, str] | None, started: float) -> HttpReply:
        """Answer a retry as the node running the turn did: its passive reply (that node has
        queued the later parts), or "success" when it handed the reply to the API."""
        remaining = self.settings.reply_deadline_s - (time.monotonic() - started)
        settled = await shared.outcome(inbound.key, max(remaining, 0.0))
        if settled is None:
            # That node hands the reply over by its own (earlier) deadline, or it died.
            logger.info("WeChat retry for %s: the turn runs on another node; answered success",
                        masked(inbound.sender))
            return HttpReply(200, SUCCESS)
        if settled.plan is None or not settled.plan.passive:
            return HttpReply(200, SUCCESS)
        return self._passive(message, settled.plan.passive, reply_to)

    # -- the 5-second rule --------------------------------------------------------------
    async def _wait(self, turn: Turn, inbound: Inbound, started: float) -> ReplyPlan | None:
        """The reply if ready before the deadline; otherwise hand it over and return None."""
        if not turn.handed_over:
            remaining = self.settings.reply_deadline_s - (time.monotonic() - started)
            try:
                return await asyncio.wait_for(asyncio.shield(turn.task), max(remaining, 0.0))
            except asyncio.TimeoutError:
                pass
        if not turn.handed_over:
            turn.handed_over = True
            logger.info("WeChat reply to %s late; delivering via customer-service API", masked(inbound.sender))
            self._outbox.send_when_ready(inbound.sender, turn.task)
        return None

    async def drain(self) -> None:
        """Wait for queued customer-service deliveries (shutdown and tests)."""
        await self._outbox.drain()

    # -- producing the reply ------------------------------------------------------------
    async def _answer(self, inbound: Inbound) -> ReplyPlan:
        openid = inbound.sender
        if _asks_for_repeat(inbound.say):
            missed = await self._missed.take(openid)
            if missed:
                return plan_resend(missed)
        notice = texts.MISSED_NOTICE if await self._missed.notice_due(openid) else None
        try:
            blocks = await self._reply_blocks(inbound)
        except Exception:  # the resident gets an apology, the log the trace
            logger.exception("WeChat message from %s failed", masked(openid))
            blocks = [texts.ASSISTANT_FAILED]
        return plan_reply(blocks, notice)

    async def _reply_blocks(self, inbound: Inbound) -> list[str]:
        if inbound.reply is not None:
            return [inbound.reply]
        if inbound.location is not None:
            return await self._locate(inbound, inbound.location)
        return (await self._ask(inbound, await self._translate_choice(inbound))).blocks

    async def _translate_choice(self, inbound: Inbound) -> str:
        """A number answering buttons whose payload is not the number becomes that payload."""
        said = inbound.say or ""
        number = parse_number(said)
        if not number:
            return said
        return await self._choices.payload(inbound.sender, str(number)) or said

    async def _ask(self, inbound: Inbound, text: str) -> Rendered:
        messages = await self._assistant(conversation_id(inbound.sender), text, inbound.metadata)
        rendered = render(messages)
        await self._choices.remember(inbound.sender, rendered.choices)  # none: the old ones go
        return rendered

    async def _locate(self, inbound: Inbound, location: tuple[float, float, str]) -> list[str]:
        latitude, longitude, label = location
        found = await asyncio.to_thread(self._locator, latitude, longitude) if self._locator else None
        if found is None:
            return [texts.OUTSIDE_WUHU]
        district, hall = found
        reply = (await self._ask(inbound, district)).blocks
        if hall and hall["name"] not in "\n".join(reply):
            reply = [texts.NEAREST_HALL.format(label=label, **hall), *reply]
        return reply

    def _passive(self, message, content: str, query: Mapping[str, str] | None) -> HttpReply:
        # wechatpy wraps content in CDATA without escaping: split any "]]>" so it stays text.
        content = _XML_INVALID.sub("", content).replace("]]>", "]]]]><![CDATA[>")
        xml = TextReply(message=message, content=content).render()
        if query is not None and self._crypto is not None:
            xml = self._crypto.encrypt_message(xml, query.get("nonce", ""), query.get("timestamp"))
        return HttpReply(200, xml, XML)

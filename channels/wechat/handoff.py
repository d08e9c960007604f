"""Staff messages to a WeChat resident through the customer-service API, within WeChat's rules.

WeChat lets an account write to a follower only within 48 hours of the follower's last
message, and at most 5 customer-service messages per message of theirs; outside, the API
answers 45015 (window closed) or 45047 (too many). Both are checked here before calling,
under the conversation's lock (before an agent's message is written to the tracker): the
resident's last message is the newest user event of the conversation's tracker (every
message during a hand-off is logged there by the gate), and the messages sent
since are the staff messages delivered on this conversation since then
(bot/handoff/outbox.py ``sent_since``), each counted in parts. A message that does not
fit is not sent at all and fails with the code WeChat would have given; so does one the
API refuses with such a code (any code but a busy system's: it would refuse again).
Unreachable, busy: tried again later (channels/handoff_delivery.py).

A staff message is headed 【工作人员】 and split like the assistant's long replies
(channels/wechat/layout.py: at most 2,048 bytes each, "（续上条 2/3）"). If a later part
fails after the first arrived, the rest is kept for "再说一遍" (missed.py), as for the
assistant's replies, and the message is recorded as failed with the API's code.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import sessionmaker

from bot.handoff.outbox import AGENT, Claimed, sent_since
from channels.conversations import Conversations
from channels.handoff_delivery import TryLater, Undeliverable, into_tracker
from channels.wechat import texts
from channels.wechat.api import WeChatApiError
from channels.wechat.identity import masked, openid_of
from channels.wechat.layout import plan_reply
from channels.wechat.missed import MissedStore
from channels.wechat.outbox import Sender

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=48)
PER_RESIDENT_MESSAGE = 5
OUTSIDE_WINDOW, TOO_MANY = 45015, 45047
#: WeChat's "system busy" (and no code: unreachable): worth another attempt later.
TRANSIENT = frozenset({None, -1})


def wechat_parts(direction: str, text: str) -> list[str]:
    """The customer-service messages one staff message takes, in order."""
    return plan_reply([texts.STAFF_HEADING + text if direction == AGENT else text]).parts


def last_resident_message(events: Iterable[Event]) -> float | None:
    """The Unix time of the conversation's newest user event, None without one."""
    times = [event.timestamp for event in events if isinstance(event, UserUttered)]
    return max(times) if times else None


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc).replace(tzinfo=None)


class WeChatDeliverer:
    def __init__(self, conversations: Conversations, send_text: Sender | None, missed: MissedStore,
                 sessions: Callable[[], sessionmaker], clock: Callable[[], float] = time.time) -> None:
        self._conversations = conversations
        self._send_text = send_text
        self._missed = missed
        self._sessions = sessions
        self._clock = clock

    async def deliver(self, message: Claimed) -> None:
        openid = openid_of(message.conversation_id)
        if openid is None:
            raise Undeliverable("wechat:not_wechat")
        if self._send_text is None:
            raise Undeliverable("wechat:no_api")  # WECHAT_APPID / WECHAT_APPSECRET not set
        parts = wechat_parts(message.direction, message.text)

        async def within_rules(tracker: DialogueStateTracker) -> None:
            await self._check(message.conversation_id, tracker.events, len(parts))

        if message.direction == AGENT:  # checked under the conversation's lock, before it is written
            await into_tracker(self._conversations, message, within_rules)
        else:
            agent = self._conversations.agent()
            if agent is None:
                raise TryLater("rasa:no_model")
            await within_rules(await agent.processor.get_tracker(message.conversation_id))
        await self._send(self._send_text, openid, parts)

    async def _check(self, conversation_id: str, events: Iterable[Event], count: int) -> None:
        """Undeliverable with WeChat's own code when ``count`` messages may not be sent now."""
        last = last_resident_message(events)
        if last is None or self._clock() - last > WINDOW.total_seconds():
            raise Undeliverable(f"wechat:{OUTSIDE_WINDOW}")
        sent = await asyncio.to_thread(sent_since, self._sessions(), conversation_id=conversation_id,
                                       since=_utc(last))
        if sum(len(wechat_parts(direction, text)) for direction, text in sent) + count > PER_RESIDENT_MESSAGE:
            raise Undeliverable(f"wechat:{TOO_MANY}")

    async def _send(self, send_text: Sender, openid: str, parts: list[str]) -> None:
        for index, part in enumerate(parts):
            try:
                await asyncio.to_thread(send_text, openid, part)
            except WeChatApiError as error:
                code = error.errcode
                if index > 0:  # the resident has the start: the rest waits for "再说一遍"
                    logger.warning("staff message to %s broke off after %d of %d parts (%s)",
                                   masked(openid), index, len(parts), code)
                    await self._missed.add(openid, parts[index:])
                    raise Undeliverable(f"wechat:{code if code is not None else 'unreachable'}") from None
                if code in TRANSIENT:
                    raise TryLater(f"wechat:{code if code is not None else 'unreachable'}") from None
                raise Undeliverable(f"wechat:{code}") from None

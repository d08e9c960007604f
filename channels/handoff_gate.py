"""The channels' gate to the assistant: while a person has the conversation, messages go to them.

Every resident channel (REST, web chat, WeChat) hands its messages to Rasa through
``on_new_message``; each wraps it in :class:`HandoffGate` once, when Rasa builds its
blueprint. For each message the gate asks the hand-off service (bot/handoff/service.py,
one indexed query) whether the conversation has a hand-off:

- none: the message goes to the assistant as before;
- queued or claimed: the message is stored for the agent (encrypted, shown masked) and
  logged in the tracker without running any action (channels/paused_tracker.py); the
  tracker is paused as well (actions/handoff.py returned ConversationPaused), so the
  assistant is silent twice over: by this gate and by Rasa's own processor;
- queued, and the message is exactly "不等了" / "回到机器人" (bot/handoff/commands.py): the
  request is cancelled, the conversation resumed, and the resident told so in one message;
- queued, and the message is exactly "留言": the request is cancelled, the conversation
  resumed ("好的，已取消排队，改为留言。"), and the message goes on to the assistant, which
  starts the 留言 flow (a callback ticket, bot/handoff/tickets.py);
- ended but not yet handed back (the console could not reach Rasa's API when an agent
  closed it): handed back now, with the hand-back message, then the message is answered.
  Where the gate's reply reaches the resident (WeChat's passive reply, REST's response),
  the stored hand-back message is marked delivered first, so the delivery loop
  (channels/handoff_delivery.py) does not send it again; the web chat shows a turn from
  the resident's message on, so there (``says_handback=False``) the loop shows it.

Why here, and not in the tracker store or an action: the paused bot runs no action, so
only code in front of Rasa can act on "不等了"; the tracker store sees events only after
Rasa has decided what to do with them and cannot reply. The channel layer is also where
the conversation id is made: the gate uses ``message.sender_id`` as the channel set it
("web:<id in the signed token>", "wechat:<openid of the signed request>", "rest:<sender>"),
never an id the client names, so a resident can cancel, write to or resume only their own
conversation.

When the application database cannot be asked, the message goes to Rasa (fail open): a
paused conversation stays silent there, and the hand-off desk misses that one message,
which the tracker still has.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import UserMessage
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from bot.db import session_factory
from bot.handoff import texts
from bot.handoff.commands import asks_to_leave_message, asks_to_return
from bot.handoff.outbox import mark_handback_delivered
from bot.handoff.service import cancel_queued, mark_resumed, pending_handoff, record_resident_message
from bot.handoff.statuses import ACTIVE, HandoffStatus
from bot.handoff.views import RequestView
from channels import paused_tracker
from channels.conversations import Conversations

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class HandoffGate:
    def __init__(self, on_new_message: OnNewMessage, conversations: Conversations,
                 sessions: Callable[[], sessionmaker] | None = None, *, says_handback: bool = True) -> None:
        self._assistant = on_new_message
        self._says_handback = says_handback
        self._conversations = conversations
        self._sessions = sessions or (lambda: session_factory(get_settings().database_url))

    async def _db(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        return await asyncio.to_thread(partial(fn, self._sessions(), **kwargs))

    async def __call__(self, message: UserMessage) -> Any:
        conversation = message.sender_id
        agent = self._conversations.agent()
        if agent is None:  # no model loaded: Rasa ignores the message anyway
            return await self._assistant(message)
        try:
            pending: RequestView | None = await self._db(pending_handoff, conversation_id=conversation)
        except SQLAlchemyError:
            logger.exception("hand-off state unknown; the message goes to the assistant")
            pending = None
        if pending is None:
            return await self._assistant(message)
        if pending.status in ACTIVE:
            if pending.status == HandoffStatus.QUEUED.value and asks_to_leave_message(message.text) \
                    and await self._leave_queue_for_message(agent, message):
                return await self._assistant(message)  # "留言" starts the 留言 flow there
            await self._to_agent(agent, message, pending)
            return None
        text = texts.CANCELLED if pending.status == HandoffStatus.CANCELLED.value else texts.HANDED_BACK
        if await paused_tracker.hand_back(agent, conversation, text):
            await message.output_channel.send_text_message(conversation, text)
            if self._says_handback:  # before resumed: the delivery loop waits for that
                await self._db(mark_handback_delivered, request_id=pending.id)
        await self._db(mark_resumed, request_id=pending.id)
        return await self._assistant(message)

    async def _leave_queue_for_message(self, agent: Any, message: UserMessage) -> bool:
        """"留言" while queued: leave the queue and resume; False when an agent claimed it just now."""
        conversation = message.sender_id
        cancelled = await self._db(cancel_queued, conversation_id=conversation)
        if cancelled is None:
            return False
        if await paused_tracker.hand_back(agent, conversation, texts.TO_MESSAGE):
            await message.output_channel.send_text_message(conversation, texts.TO_MESSAGE)
        await self._db(mark_resumed, request_id=cancelled.id)
        return True

    async def _to_agent(self, agent: Any, message: UserMessage, pending: RequestView) -> None:
        """Leave the queue on "不等了", else store the message for the agent; the assistant says nothing."""
        conversation = message.sender_id
        if pending.status == HandoffStatus.QUEUED.value and asks_to_return(message.text):
            cancelled = await self._db(cancel_queued, conversation_id=conversation)
            if cancelled is not None:
                said = texts.cancelled_text(pending.flow_step)  # back to the flow the resident left, if any
                await paused_tracker.log_silently(agent, message, then_hand_back=said)
                await self._db(mark_resumed, request_id=cancelled.id)
                await message.output_channel.send_text_message(conversation, said)
                return
            # An agent claimed it a moment ago: the words go to them like any others.
        # A tapped web chat button sends its payload ("1"); its label is what the resident saw.
        said = (message.metadata or {}).get("display") or message.text or ""
        try:
            await self._db(record_resident_message, request_id=pending.id, text=said)
        except SQLAlchemyError:
            logger.exception("a resident's message could not be stored for the agent")
        except ValueError:
            pass  # an empty message: nothing for the agent to read
        await paused_tracker.log_silently(agent, message)

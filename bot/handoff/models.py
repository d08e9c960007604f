"""ORM tables of hand-offs: one row per request, one per message of its transcript.

The conversation id is the one the server gave the conversation ("web:<id>",
"wechat:<openid>", "rest:<sender>"); channel, district, service and flow step are what the
resident was doing when they asked, for the agent's queue. A partial unique index allows
one active (queued or claimed) request per conversation, so idempotency does not rest on
the callers alone. Message text and the resolution note may hold personal data: they are
encrypted at rest (bot/security/columns.py) and masked whenever shown (views.py).

Times are naive UTC, like the other tables. `first_claimed_at - created_at` is a
queued→claimed wait (waits.py); `agent_replied_at` and `resident_last_at` tell whether
the current agent has answered the resident's latest message (release of unanswered
requests); `resumed_at` is set once the conversation is handed back to the assistant in
Rasa's tracker, so a hand-back that failed is done again at the resident's next message.
"""
from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import relationship

from bot.db import Base
from bot.security.columns import EncryptedText

_ACTIVE_ONLY = text("status IN ('queued', 'claimed')")


class HandoffRequest(Base):
    __tablename__ = "handoff_requests"
    __table_args__ = (
        Index("uq_handoff_requests_active_conversation", "conversation_id", unique=True,
              sqlite_where=_ACTIVE_ONLY, postgresql_where=_ACTIVE_ONLY),
        Index("ix_handoff_requests_status_created", "status", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    channel = Column(String(16), nullable=False)  # webchat, wechat, rest
    district = Column(String(32))  # as the conversation named it, e.g. 镜湖区
    service_id = Column(String(64))  # catalogue id; no foreign key (the catalogue is reloaded whole)
    flow_step = Column(String(200))  # e.g. "高龄津贴申领 · 第3步（共8步）"
    status = Column(String(10), nullable=False)
    agent = Column(String(100), index=True)  # the staff account holding it (claimed)
    created_at = Column(DateTime, nullable=False)
    first_claimed_at = Column(DateTime)
    claimed_at = Column(DateTime)  # by the current agent
    agent_replied_at = Column(DateTime)  # the current agent's latest reply
    resident_last_at = Column(DateTime)  # the resident's latest message
    closed_at = Column(DateTime)  # closed or cancelled
    resumed_at = Column(DateTime)  # the conversation was handed back to the assistant
    note = Column(EncryptedText)  # the agent's resolution note

    messages = relationship("HandoffMessage", order_by="HandoffMessage.id",
                            cascade="all, delete-orphan", passive_deletes=True)


class HandoffMessage(Base):
    __tablename__ = "handoff_messages"
    __table_args__ = (Index("ix_handoff_messages_undelivered", "delivered_at", "direction"),)

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("handoff_requests.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    direction = Column(String(10), nullable=False)  # statuses.Direction
    author = Column(String(100))  # the agent, for agent messages
    text = Column(EncryptedText, nullable=False)  # as written: markup is text, shown inert
    created_at = Column(DateTime, nullable=False)
    #: When a channel delivered an agent's or the assistant's message to the resident (None: not yet).
    delivered_at = Column(DateTime)
    #: Why the channel could not deliver it (e.g. "wechat:45015"); delivered_at is set then too.
    delivery_error = Column(String(64))
    delivery_attempts = Column(Integer, nullable=False, default=0, server_default="0")
    #: Not before (naive UTC): a node delivering it holds it until then (a lease), a failed
    #: attempt waits until then (backoff); None: due now (bot/handoff/outbox.py).
    delivery_due_at = Column(DateTime)


class HandoffTicket(Base):
    """A message left when no agent is on duty or free (留言): called back by a working-day deadline.

    ``number`` is what the resident is told and can ask about (e.g. "LY20261202-0007");
    ``reason`` is "closed" (outside opening hours) or "no_agent" (waited too long);
    status "open" → "done". The callback number and message are encrypted; the number is
    found by ``phone_digest`` (bot/security/columns.py phone_digest).
    """

    __tablename__ = "handoff_tickets"
    __table_args__ = (
        UniqueConstraint("number", name="uq_handoff_tickets_number"),
        Index("ix_handoff_tickets_status_due", "status", "due_on"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False)
    conversation_id = Column(String(200), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    district = Column(String(32))
    service_id = Column(String(64))
    reason = Column(String(16), nullable=False)
    callback_phone = Column(EncryptedText, nullable=False)
    phone_digest = Column(String(64), nullable=False)
    message = Column(EncryptedText, nullable=False)
    status = Column(String(12), nullable=False)
    created_at = Column(DateTime, nullable=False)  # naive UTC
    due_on = Column(Date, nullable=False)  # local (Asia/Shanghai) working day
    handled_by = Column(String(100))
    closed_at = Column(DateTime)
    note = Column(EncryptedText)

"""What callers get back: frozen views, personal numbers in text already masked.

Masking (bot/personal/masking.py) hides ID, phone and bank-card numbers in any spelling;
markup is left as the resident typed it (it is text: pages escape it when they show it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.handoff.models import HandoffMessage, HandoffRequest
from bot.personal.masking import mask_personal_data


@dataclass(frozen=True)
class MessageView:
    id: int
    request_id: int
    direction: str  # statuses.Direction
    author: str | None
    text: str  # masked
    at: datetime  # naive UTC
    #: When the resident's channel took an agent's or the assistant's message (None: not yet).
    delivered_at: datetime | None = None
    #: Why it could not be delivered (e.g. "wechat:45015"); None when delivered or pending.
    delivery_error: str | None = None


@dataclass(frozen=True)
class RequestView:
    id: int
    conversation_id: str
    channel: str
    district: str | None
    service_id: str | None
    flow_step: str | None
    status: str
    agent: str | None
    created_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    note: str | None  # masked


@dataclass(frozen=True)
class Ticket:
    """A resident's request as the assistant tells them about it."""

    request: RequestView
    is_new: bool
    #: 1 for the next to be claimed; None once an agent has it.
    position: int | None
    expected_wait_s: float | None


@dataclass(frozen=True)
class QueueEntry:
    """One waiting resident on the agents' queue."""

    request: RequestView
    service_name: str | None
    waited_s: float
    last_messages: tuple[MessageView, ...]  # oldest first, masked


def message_view(message: HandoffMessage) -> MessageView:
    return MessageView(id=message.id, request_id=message.request_id, direction=message.direction,
                       author=message.author, text=mask_personal_data(message.text or ""),
                       at=message.created_at, delivered_at=message.delivered_at,
                       delivery_error=message.delivery_error)


def request_view(request: HandoffRequest) -> RequestView:
    return RequestView(
        id=request.id, conversation_id=request.conversation_id, channel=request.channel,
        district=request.district, service_id=request.service_id, flow_step=request.flow_step,
        status=request.status, agent=request.agent, created_at=request.created_at,
        claimed_at=request.claimed_at, closed_at=request.closed_at,
        note=mask_personal_data(request.note) if request.note else None,
    )

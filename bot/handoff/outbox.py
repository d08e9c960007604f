"""Staff messages on their way to the resident: find, claim, settle; one transaction each.

An agent's reply (service.reply) and the hand-back message (service.close) are rows of
handoff_messages with ``delivered_at`` empty. The Rasa server delivers them through the
resident's channel (channels/handoff_delivery.py); the staff console only writes rows.

A message's delivery state, in its own columns (models.py):

- due: ``delivered_at`` and ``delivery_error`` empty, ``delivery_due_at`` empty or past;
- being delivered: :func:`claim` moved ``delivery_due_at`` a lease ahead and counted the
  attempt (``delivery_attempts``), in one conditional UPDATE: of two nodes claiming at
  once, exactly one changes the row (SQLite serialises writers; on PostgreSQL the second
  UPDATE waits for the first's row lock, re-reads the row and no longer matches);
- delivered: ``delivered_at`` set (:func:`delivered`);
- failed for good: ``delivered_at`` and ``delivery_error`` set, e.g. "wechat:45015"
  (:func:`failed`; also :func:`retry_later` once the attempts are used up);
- waiting to be tried again: ``delivery_due_at`` set to the backoff (:func:`retry_later`).

The attempt number a claim returns is its fencing token: a node whose lease ran out (it
hung, then woke up) can no longer settle a message another node has claimed since. A node
that dies while delivering leaves the lease to run out; the message is then tried again,
so a crash can repeat a delivery (the tracker append is idempotent, the web chat merges
by id; a WeChat message may arrive twice), never lose one.

Order: a message is claimed only when no older staff message of its request is still
undelivered (being delivered or waiting for a retry), so the resident reads them in the
order they were written, whichever node delivers. A hand-back message is due only once
the conversation is back with the assistant in Rasa (``resumed_at``): its text is then in
the tracker, and the channel shows that very message.
"""
from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased, sessionmaker

from bot.db import begin_immediate
from bot.event_masking import mask_bot_text
from bot.handoff.models import HandoffMessage, HandoffRequest
from bot.handoff.queue import utcnow
from bot.handoff.statuses import Direction

AGENT, SYSTEM = Direction.AGENT.value, Direction.SYSTEM.value
OUTGOING = (AGENT, SYSTEM)
#: How long a claim keeps other nodes away: well over one delivery's worst case (a tracker
#: lock wait, WeChat's 5 s timeout with two retries per part).
LEASE = timedelta(seconds=60)
#: Waits before the 2nd, 3rd … attempt; the last one repeats.
BACKOFF_S = (1.0, 2.0, 5.0, 15.0, 30.0, 60.0)
#: Attempts before a message that keeps failing is given up (about four minutes of retries).
MAX_ATTEMPTS = 8
#: How long a hand-back waits for the agent's last replies to be delivered (a poll or two
#: normally; longer only while a channel fails, and then the hand-back goes first).
REPLIES_WAIT_S = 3.0


@dataclass(frozen=True)
class Due:
    """A message that may be claimed now (no text: the poll reads many, delivers few)."""

    message_id: int
    request_id: int
    channel: str


@dataclass(frozen=True)
class Claimed:
    """A message this node now delivers; settle it with ``attempt``."""

    message_id: int
    request_id: int
    conversation_id: str
    channel: str
    direction: str  # statuses.Direction: agent or system
    request_status: str
    #: As the resident is shown it: residents' numbers masked as in the assistant's stored
    #: messages (bot/event_masking.py mask_bot_text; halls' landlines stay).
    text: str
    attempt: int


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number ``attempt`` (1 for the first)."""
    return timedelta(seconds=BACKOFF_S[min(max(attempt, 1), len(BACKOFF_S)) - 1])


def _due_now(now: datetime) -> Any:
    return and_(HandoffMessage.delivered_at.is_(None), HandoffMessage.delivery_error.is_(None),
                or_(HandoffMessage.delivery_due_at.is_(None), HandoffMessage.delivery_due_at <= now))


def due(sessions: sessionmaker, *, channels: Collection[str], now: datetime | None = None,
        limit: int = 100) -> list[Due]:
    """Messages for ``channels`` that may be claimed now, the oldest of each request only.

    One query on the undelivered index (ix_handoff_messages_undelivered); the order check
    itself is :func:`claim`'s.
    """
    if not channels:
        return []
    now = now or utcnow()
    with sessions() as session:
        rows = session.execute(
            select(HandoffMessage.id, HandoffMessage.request_id, HandoffRequest.channel)
            .join(HandoffRequest, HandoffRequest.id == HandoffMessage.request_id)
            .where(_due_now(now), HandoffMessage.direction.in_(OUTGOING), HandoffRequest.channel.in_(channels),
                   or_(HandoffMessage.direction == AGENT, HandoffRequest.resumed_at.is_not(None)))
            .order_by(HandoffMessage.id).limit(limit)
        ).all()
    seen: set[int] = set()
    found = []
    for message_id, request_id, channel in rows:
        if request_id not in seen:
            seen.add(request_id)
            found.append(Due(message_id, request_id, channel))
    return found


def claim(sessions: sessionmaker, *, message_id: int, now: datetime | None = None,
          lease: timedelta = LEASE) -> Claimed | None:
    """Take a due message for delivery; None when another node has it, it is settled, not
    due yet, or an older message of its request is still on its way."""
    claimed = claim_many(sessions, message_ids=[message_id], now=now, lease=lease)
    return claimed[0] if claimed else None


def claim_many(sessions: sessionmaker, *, message_ids: Collection[int], now: datetime | None = None,
               lease: timedelta = LEASE) -> list[Claimed]:
    """:func:`claim` for several messages in one transaction (one poll's): those this node got.

    One conditional UPDATE per message, in id order, so that two nodes claiming overlapping
    sets take PostgreSQL's row locks in the same order and never deadlock.
    """
    now = now or utcnow()
    older = aliased(HandoffMessage)
    earlier_pending = exists().where(
        older.request_id == HandoffMessage.request_id, older.id < HandoffMessage.id, older.direction.in_(OUTGOING),
        older.delivered_at.is_(None), older.delivery_error.is_(None))
    with sessions.begin() as session:
        begin_immediate(session)
        won = [message_id for message_id in sorted(set(message_ids)) if session.execute(
            update(HandoffMessage)
            .where(HandoffMessage.id == message_id, HandoffMessage.direction.in_(OUTGOING), _due_now(now),
                   ~earlier_pending)
            .values(delivery_due_at=now + lease, delivery_attempts=HandoffMessage.delivery_attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount == 1]
        if not won:
            return []
        rows = session.execute(
            select(HandoffMessage, HandoffRequest).join(HandoffRequest, HandoffRequest.id == HandoffMessage.request_id)
            .where(HandoffMessage.id.in_(won)).order_by(HandoffMessage.id).execution_options(populate_existing=True)
        ).all()
        return [Claimed(message_id=message.id, request_id=request.id, conversation_id=request.conversation_id,
                        channel=request.channel, direction=message.direction, request_status=request.status,
                        text=mask_bot_text(message.text or ""), attempt=message.delivery_attempts)
                for message, request in rows]


def _settle(sessions: sessionmaker, message_id: int, attempt: int, **values: object) -> bool:
    """Change a message this node still holds (its claim is the latest); False otherwise."""
    with sessions.begin() as session:
        return session.execute(
            update(HandoffMessage)
            .where(HandoffMessage.id == message_id, HandoffMessage.delivery_attempts == attempt,
                   HandoffMessage.delivered_at.is_(None), HandoffMessage.delivery_error.is_(None))
            .values(**values).execution_options(synchronize_session=False)
        ).rowcount == 1


def delivered(sessions: sessionmaker, *, message_id: int, attempt: int, now: datetime | None = None) -> bool:
    """The channel took it; False if the claim was lost meanwhile (another node has it)."""
    return _settle(sessions, message_id, attempt, delivered_at=now or utcnow(), delivery_due_at=None)


def failed(sessions: sessionmaker, *, message_id: int, attempt: int, reason: str,
           now: datetime | None = None) -> bool:
    """It cannot be delivered, ever (``reason`` such as "wechat:45015", cut to 64 characters)."""
    return _settle(sessions, message_id, attempt, delivered_at=now or utcnow(), delivery_error=reason[:64],
                   delivery_due_at=None)


def retry_later(sessions: sessionmaker, *, message_id: int, attempt: int, reason: str,
                now: datetime | None = None, max_attempts: int = MAX_ATTEMPTS) -> str:
    """Give it back for another attempt after :func:`backoff`; after ``max_attempts`` it
    fails for good with ``reason``. "retry", "failed", or "lost" (another node claimed it)."""
    now = now or utcnow()
    if attempt >= max_attempts:
        return "failed" if failed(sessions, message_id=message_id, attempt=attempt, reason=reason, now=now) \
            else "lost"
    return "retry" if _settle(sessions, message_id, attempt, delivery_due_at=now + backoff(attempt)) else "lost"


def mark_handback_delivered(sessions: sessionmaker, *, request_id: int, now: datetime | None = None) -> int:
    """The channels' gate said the hand-back message itself (in its reply): not again.

    Called before the request is marked resumed, so no node can have claimed it yet.
    """
    with sessions.begin() as session:
        return session.execute(
            update(HandoffMessage)
            .where(HandoffMessage.request_id == request_id, HandoffMessage.direction == SYSTEM,
                   HandoffMessage.delivered_at.is_(None), HandoffMessage.delivery_error.is_(None))
            .values(delivered_at=now or utcnow(), delivery_due_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount or 0


def replies_on_their_way(sessions: sessionmaker, *, request_id: int) -> int:
    """How many agent messages of the request are neither delivered nor failed yet."""
    with sessions() as session:
        return session.scalar(
            select(func.count()).select_from(HandoffMessage)
            .where(HandoffMessage.request_id == request_id, HandoffMessage.direction == AGENT,
                   HandoffMessage.delivered_at.is_(None), HandoffMessage.delivery_error.is_(None))
        ) or 0


def wait_for_replies(sessions: sessionmaker, *, request_id: int, timeout_s: float = REPLIES_WAIT_S,
                     interval_s: float = 0.05) -> bool:
    """Wait until the Rasa server has delivered (or given up) the request's agent messages;
    False when ``timeout_s`` passed first. For the hand-back (handback.py): the agent's last
    words go into the conversation before "本次人工服务已结束", not after it."""
    deadline = time.monotonic() + timeout_s
    while replies_on_their_way(sessions, request_id=request_id):
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)
    return True


def sent_since(sessions: sessionmaker, *, conversation_id: str, since: datetime) -> list[tuple[str, str]]:
    """(direction, text as shown) of the staff messages this conversation's channel delivered
    since ``since`` (naive UTC), oldest first; those the gate said itself are not counted."""
    with sessions() as session:
        rows = session.execute(
            select(HandoffMessage.direction, HandoffMessage.text)
            .join(HandoffRequest, HandoffRequest.id == HandoffMessage.request_id)
            .where(HandoffRequest.conversation_id == conversation_id, HandoffMessage.direction.in_(OUTGOING),
                   HandoffMessage.delivered_at >= since, HandoffMessage.delivery_error.is_(None),
                   HandoffMessage.delivery_attempts > 0)
            .order_by(HandoffMessage.id)
        ).all()
    return [(direction, mask_bot_text(text or "")) for direction, text in rows]

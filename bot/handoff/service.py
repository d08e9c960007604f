"""Every change to a hand-off, one transaction each.

Residents' side (through the assistant and the channels' gate): :func:`request_handoff`
(idempotent: a conversation with a queued or claimed request gets that one back),
:func:`cancel_queued`, :func:`withdraw` (清除记录), :func:`record_resident_message`,
:func:`mark_resumed`, and
:func:`pending_handoff`, what the gate asks about every message.

Agents' side (the console, later): :func:`claim`, :func:`reply`, :func:`transfer`,
:func:`close` (a short note is required; it queues the hand-back message), :func:`release`.

Races are settled by the database, never by a read followed by a write: every status
change is a conditional UPDATE (``… WHERE status = 'queued'`` for a claim, ``… AND agent =
:me`` for what only the holder may do) and its row count says who won; the loser gets a
typed error (errors.py). Each such transaction starts with :func:`bot.db.begin_immediate`,
so on SQLite it holds the write lock from its first statement (no stale snapshot); on
PostgreSQL the UPDATE's row lock makes the second claimant wait and then find the row no
longer queued. A conversation's second active request is refused by a partial unique index
(models.py) as well as by the check under the advisory lock "handoff:<conversation>".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import begin_immediate
from bot.handoff import texts
from bot.handoff.errors import AlreadyTaken, EmptyMessage, InvalidAgent, NoteRequired, NotHolder, RequestNotFound
from bot.handoff.models import HandoffMessage, HandoffRequest
from bot.handoff.queue import ticket_in, utcnow
from bot.handoff.statuses import ACTIVE, ENDED, Direction, HandoffStatus
from bot.handoff.views import MessageView, RequestView, Ticket, message_view, request_view

QUEUED, CLAIMED = HandoffStatus.QUEUED.value, HandoffStatus.CLAIMED.value
MAX_NOTE_CHARS = 200
MAX_TEXT_CHARS = 2000
MAX_AGENT_CHARS = 100


@dataclass(frozen=True)
class Closed:
    """A closed request and the hand-back message queued for the resident."""

    request: RequestView
    handback: MessageView


def _agent(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_AGENT_CHARS:
        raise InvalidAgent("an agent's name is 1 to 100 characters")
    return name


def _text(text: str) -> str:
    if not (text or "").strip():
        raise EmptyMessage("a message needs text")
    return text[:MAX_TEXT_CHARS]


def _active(session: Session, conversation_id: str) -> HandoffRequest | None:
    return session.execute(
        select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id,
                                     HandoffRequest.status.in_(ACTIVE))
    ).scalar_one_or_none()


def _reload(session: Session, request_id: int) -> HandoffRequest:
    request = session.execute(
        select(HandoffRequest).where(HandoffRequest.id == request_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if request is None:
        raise RequestNotFound(request_id)
    return request


def _changed(session: Session, request_id: int, moved: int, refusal: type[Exception]) -> HandoffRequest:
    """The row after a conditional UPDATE; `refusal` when it matched nothing (someone else won)."""
    if moved != 1:
        if session.get(HandoffRequest, request_id) is None:
            raise RequestNotFound(request_id)
        raise refusal(request_id)
    return _reload(session, request_id)


# -- residents ---------------------------------------------------------------------------------

def request_handoff(sessions: sessionmaker, *, conversation_id: str, channel: str, district: str | None = None,
                    service_id: str | None = None, flow_step: str | None = None,
                    now: datetime | None = None) -> Ticket:
    """Queue the conversation for an agent, or return its queued or claimed request; with its place and wait."""
    now = now or utcnow()
    try:
        with sessions.begin() as session:
            begin_immediate(session, f"handoff:{conversation_id}")
            request = _active(session, conversation_id)
            is_new = request is None
            if request is None:
                request = HandoffRequest(conversation_id=conversation_id, channel=channel, district=district,
                                         service_id=service_id, flow_step=(flow_step or "")[:200] or None,
                                         status=QUEUED, created_at=now)
                session.add(request)
                session.flush()
            return ticket_in(session, request, is_new=is_new, now=now)
    except IntegrityError:
        # Only the partial unique index can refuse this insert: another transaction queued
        # the same conversation first. Theirs is the request.
        with sessions() as session:
            request = _active(session, conversation_id)
            if request is None:
                raise
            return ticket_in(session, request, is_new=False, now=now)


def pending_handoff(sessions: sessionmaker, *, conversation_id: str) -> RequestView | None:
    """The conversation's active request, else its ended one not yet handed back to the assistant."""
    with sessions() as session:
        request = session.execute(
            select(HandoffRequest).where(
                HandoffRequest.conversation_id == conversation_id,
                or_(HandoffRequest.status.in_(ACTIVE), HandoffRequest.resumed_at.is_(None)))
            .order_by(HandoffRequest.id.desc()).limit(1)
        ).scalar_one_or_none()
        return request_view(request) if request is not None else None


def cancel_queued(sessions: sessionmaker, *, conversation_id: str, resumed: bool = False,
                  now: datetime | None = None) -> RequestView | None:
    """The resident leaves the queue; None when nothing is queued (an agent may have claimed it just now).

    ``resumed``: the conversation was never paused (the action failed after queueing), so
    nothing needs handing back.
    """
    now = now or utcnow()
    with sessions.begin() as session:
        begin_immediate(session, f"handoff:{conversation_id}")
        request = _active(session, conversation_id)
        if request is None or request.status != QUEUED:
            return None
        moved = session.execute(
            update(HandoffRequest).where(HandoffRequest.id == request.id, HandoffRequest.status == QUEUED)
            .values(status=HandoffStatus.CANCELLED.value, closed_at=now, resumed_at=now if resumed else None)
            .execution_options(synchronize_session=False)
        ).rowcount
        return request_view(_reload(session, request.id)) if moved == 1 else None


def withdraw(sessions: sessionmaker, *, conversation_id: str, now: datetime | None = None) -> RequestView | None:
    """End the conversation's active request, queued or claimed, with nothing to hand back.

    For a conversation the resident erased (清除记录): its tracker is gone, so there is no
    pause to lift, and an agent must not go on writing into it.
    """
    now = now or utcnow()
    with sessions.begin() as session:
        begin_immediate(session, f"handoff:{conversation_id}")
        request = _active(session, conversation_id)
        if request is None:
            return None
        session.execute(
            update(HandoffRequest).where(HandoffRequest.id == request.id, HandoffRequest.status.in_(ACTIVE))
            .values(status=HandoffStatus.CANCELLED.value, closed_at=now, resumed_at=now)
            .execution_options(synchronize_session=False)
        )
        return request_view(_reload(session, request.id))


def record_resident_message(sessions: sessionmaker, *, request_id: int, text: str,
                            now: datetime | None = None) -> MessageView:
    """Store what the resident said during the hand-off (as written; encrypted at rest)."""
    now = now or utcnow()
    with sessions.begin() as session:
        request = session.get(HandoffRequest, request_id)
        if request is None:
            raise RequestNotFound(request_id)
        message = HandoffMessage(request_id=request_id, direction=Direction.RESIDENT.value,
                                 text=_text(text), created_at=now)
        session.add(message)
        request.resident_last_at = now
        session.flush()
        return message_view(message)


def mark_resumed(sessions: sessionmaker, *, request_id: int, now: datetime | None = None) -> bool:
    """Note that the conversation is back with the assistant; False if it already was."""
    with sessions.begin() as session:
        moved = session.execute(
            update(HandoffRequest).where(HandoffRequest.id == request_id, HandoffRequest.resumed_at.is_(None),
                                         HandoffRequest.status.not_in(ACTIVE))
            .values(resumed_at=now or utcnow()).execution_options(synchronize_session=False)
        ).rowcount
        return moved == 1


# -- agents ------------------------------------------------------------------------------------

def claim(sessions: sessionmaker, *, request_id: int, agent: str, now: datetime | None = None) -> RequestView:
    """Take a queued request; AlreadyTaken when another agent was first (or it ended)."""
    agent, now = _agent(agent), now or utcnow()
    with sessions.begin() as session:
        begin_immediate(session)
        moved = session.execute(
            update(HandoffRequest).where(HandoffRequest.id == request_id, HandoffRequest.status == QUEUED)
            .values(status=CLAIMED, agent=agent, claimed_at=now, agent_replied_at=None,
                    first_claimed_at=func.coalesce(HandoffRequest.first_claimed_at, now))
            .execution_options(synchronize_session=False)
        ).rowcount
        return request_view(_changed(session, request_id, moved, AlreadyTaken))


def _held(session: Session, request_id: int, agent: str) -> HandoffRequest:
    """The request, locked, if `agent` holds it; else NotHolder."""
    request = session.execute(
        select(HandoffRequest).where(HandoffRequest.id == request_id).with_for_update()
    ).scalar_one_or_none()
    if request is None:
        raise RequestNotFound(request_id)
    if request.status != CLAIMED or request.agent != agent:
        raise NotHolder(request_id)
    return request


def reply(sessions: sessionmaker, *, request_id: int, agent: str, text: str,
          now: datetime | None = None) -> MessageView:
    """Store an agent's reply to the resident (delivery through the channel is a later step)."""
    agent, now = _agent(agent), now or utcnow()
    with sessions.begin() as session:
        begin_immediate(session)
        request = _held(session, request_id, agent)
        message = HandoffMessage(request_id=request_id, direction=Direction.AGENT.value, author=agent,
                                 text=_text(text), created_at=now)
        session.add(message)
        request.agent_replied_at = now
        session.flush()
        return message_view(message)


def transfer(sessions: sessionmaker, *, request_id: int, agent: str, to_agent: str,
             now: datetime | None = None) -> RequestView:
    """Hand a claimed request to another agent; only its holder may."""
    agent, to_agent, now = _agent(agent), _agent(to_agent), now or utcnow()
    if agent == to_agent:
        raise InvalidAgent("a transfer goes to another agent")
    with sessions.begin() as session:
        begin_immediate(session)
        moved = session.execute(
            update(HandoffRequest).where(HandoffRequest.id == request_id, HandoffRequest.status == CLAIMED,
                                         HandoffRequest.agent == agent)
            .values(agent=to_agent, claimed_at=now, agent_replied_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        return request_view(_changed(session, request_id, moved, NotHolder))


def close(sessions: sessionmaker, *, request_id: int, agent: str, note: str, then_say: str = "",
          now: datetime | None = None) -> Closed:
    """End a claimed request with a short resolution note and queue the hand-back message.

    ``then_say`` follows the hand-back words in the same message (the rating invitation).
    Handing the conversation back to the assistant in Rasa is bot/handoff/handback.py.
    """
    agent, now = _agent(agent), now or utcnow()
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE_CHARS:
        raise NoteRequired(f"closing needs a note of 1 to {MAX_NOTE_CHARS} characters")
    with sessions.begin() as session:
        begin_immediate(session)
        moved = session.execute(
            update(HandoffRequest).where(HandoffRequest.id == request_id, HandoffRequest.status == CLAIMED,
                                         HandoffRequest.agent == agent)
            .values(status=HandoffStatus.CLOSED.value, closed_at=now, note=note)
            .execution_options(synchronize_session=False)
        ).rowcount
        request = _changed(session, request_id, moved, NotHolder)
        said = texts.handed_back_text(request.flow_step) + (f"\n{then_say}" if then_say else "")
        handback = HandoffMessage(request_id=request_id, direction=Direction.SYSTEM.value, text=said,
                                  created_at=now)
        session.add(handback)
        session.flush()
        return Closed(request_view(request), message_view(handback))


def release(sessions: sessionmaker, *, agent: str, only_unanswered: bool = True) -> list[int]:
    """Put an agent's claimed requests back in the queue (they keep their place); the ids moved.

    ``only_unanswered`` (idle, logout): those whose resident is waiting for this agent, i.e.
    the agent has not replied since claiming, or the resident wrote after the agent's last
    reply. ``False``: every request the agent holds.
    """
    agent = _agent(agent)
    with sessions.begin() as session:
        begin_immediate(session)
        held = and_(HandoffRequest.status == CLAIMED, HandoffRequest.agent == agent)
        if only_unanswered:
            held = and_(held, or_(HandoffRequest.agent_replied_at.is_(None),
                                  HandoffRequest.resident_last_at > HandoffRequest.agent_replied_at))
        ids = list(session.execute(select(HandoffRequest.id).where(held).with_for_update()).scalars())
        if not ids:
            return []
        session.execute(
            update(HandoffRequest).where(HandoffRequest.id.in_(ids), HandoffRequest.status == CLAIMED,
                                         HandoffRequest.agent == agent)
            .values(status=QUEUED, agent=None, claimed_at=None, agent_replied_at=None)
            .execution_options(synchronize_session=False)
        )
        return sorted(ids)


# -- retention ---------------------------------------------------------------------------------

def purge_ended(sessions: sessionmaker, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete requests that ended (closed, cancelled) longer than `older_than` ago, with their messages.

    `now` is aware or naive UTC, as for the drafts' purge.
    """
    if now is not None and now.tzinfo is not None:
        now = now.astimezone(timezone.utc).replace(tzinfo=None)
    cutoff = (now or utcnow()) - older_than
    with sessions.begin() as session:
        return session.execute(
            delete(HandoffRequest).where(HandoffRequest.status.in_(ENDED), HandoffRequest.closed_at < cutoff)
            .execution_options(synchronize_session=False)
        ).rowcount or 0

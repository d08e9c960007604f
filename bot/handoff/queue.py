"""What the hand-off desk reads: a resident's place and expected wait, the queue, an agent's
seat, transcripts, and the change check the console's live pages poll.

Reads only, each in its own short session (the `*_in` helpers run inside a caller's
transaction: bot/handoff/service.py tells a resident their place in the same transaction
that queued them). Everything shown is masked (views.py).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.catalogue.models import Service
from bot.handoff.errors import RequestNotFound
from bot.handoff.models import HandoffMessage, HandoffRequest
from bot.handoff.statuses import ACTIVE, HandoffStatus
from bot.handoff.views import MessageView, QueueEntry, RequestView, Ticket, message_view, request_view
from bot.handoff.waits import RECENT_CLAIMS, RECENT_WINDOW, expected_wait

QUEUED = HandoffStatus.QUEUED.value
CLAIMED = HandoffStatus.CLAIMED.value
#: Messages of each waiting resident shown on the queue.
LAST_MESSAGES = 3


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def position_in(session: Session, request: HandoffRequest) -> int:
    """1 + the queued requests older than this one (a released request keeps its place)."""
    ahead = session.scalar(select(func.count()).select_from(HandoffRequest).where(
        HandoffRequest.status == QUEUED,
        or_(HandoffRequest.created_at < request.created_at,
            and_(HandoffRequest.created_at == request.created_at, HandoffRequest.id < request.id)),
    ))
    return int(ahead or 0) + 1


def recent_waits_in(session: Session, now: datetime) -> list[timedelta]:
    """queued→claimed waits of the last RECENT_CLAIMS requests first claimed within RECENT_WINDOW."""
    rows = session.execute(
        select(HandoffRequest.created_at, HandoffRequest.first_claimed_at)
        .where(HandoffRequest.first_claimed_at.is_not(None),
               HandoffRequest.first_claimed_at >= now - RECENT_WINDOW)
        .order_by(HandoffRequest.first_claimed_at.desc()).limit(RECENT_CLAIMS)
    ).all()
    return [claimed - created for created, claimed in rows]


def ticket_in(session: Session, request: HandoffRequest, *, is_new: bool, now: datetime) -> Ticket:
    if request.status != QUEUED:
        return Ticket(request_view(request), is_new, None, None)
    wait = expected_wait(recent_waits_in(session, now))
    return Ticket(request_view(request), is_new, position_in(session, request), wait.total_seconds())


def ticket(sessions: sessionmaker, *, request_id: int, now: datetime | None = None) -> Ticket:
    """A request's place in the queue and expected wait now (None for both once claimed)."""
    with sessions() as session:
        request = session.get(HandoffRequest, request_id)
        if request is None:
            raise RequestNotFound(request_id)
        return ticket_in(session, request, is_new=False, now=now or utcnow())


def _service_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Service.id, Service.name).where(Service.id.in_(ids))).all())


def _last_messages(session: Session, request_ids: list[int], last: int) -> dict[int, list[MessageView]]:
    by_request: dict[int, list[MessageView]] = defaultdict(list)
    if not request_ids or last <= 0:
        return by_request
    messages = session.execute(
        select(HandoffMessage).where(HandoffMessage.request_id.in_(request_ids)).order_by(HandoffMessage.id)
    ).scalars()
    for message in messages:
        by_request[message.request_id].append(message_view(message))
    return {rid: views[-last:] for rid, views in by_request.items()}


def list_queue(sessions: sessionmaker, *, now: datetime | None = None, last: int = LAST_MESSAGES,
               limit: int = 100) -> list[QueueEntry]:
    """Waiting residents, oldest first: how long each has waited, what they were doing, their last words."""
    now = now or utcnow()
    with sessions() as session:
        requests = session.execute(
            select(HandoffRequest).where(HandoffRequest.status == QUEUED)
            .order_by(HandoffRequest.created_at, HandoffRequest.id).limit(limit)
        ).scalars().all()
        names = _service_names(session, {r.service_id for r in requests if r.service_id})
        messages = _last_messages(session, [r.id for r in requests], last)
        return [QueueEntry(request_view(r), names.get(r.service_id or ""),
                           max((now - r.created_at).total_seconds(), 0.0), tuple(messages.get(r.id, ())))
                for r in requests]


def seat(sessions: sessionmaker, *, agent: str, now: datetime | None = None,
         last: int = LAST_MESSAGES) -> list[tuple[QueueEntry, bool]]:
    """What an agent holds, oldest first, each with whether its resident waits for an answer.

    Waiting: the resident wrote after the agent's last reply, or wrote and got no reply
    from this agent yet (a claim or a transfer clears the agent's reply time).
    """
    now = now or utcnow()
    with sessions() as session:
        requests = session.execute(
            select(HandoffRequest).where(HandoffRequest.status == CLAIMED, HandoffRequest.agent == agent)
            .order_by(HandoffRequest.created_at, HandoffRequest.id)
        ).scalars().all()
        names = _service_names(session, {r.service_id for r in requests if r.service_id})
        messages = _last_messages(session, [r.id for r in requests], last)
        return [(QueueEntry(request_view(r), names.get(r.service_id or ""),
                            max((now - r.created_at).total_seconds(), 0.0), tuple(messages.get(r.id, ()))),
                 r.resident_last_at is not None
                 and (r.agent_replied_at is None or r.resident_last_at > r.agent_replied_at))
                for r in requests]


def holders(sessions: sessionmaker) -> list[str]:
    """Every agent holding at least one claimed request, sorted."""
    with sessions() as session:
        return sorted(session.execute(
            select(HandoffRequest.agent).where(HandoffRequest.status == CLAIMED,
                                               HandoffRequest.agent.is_not(None)).distinct()
        ).scalars())


#: (id, status, agent, resident_last_at, agent_replied_at, newest message id, messages with a delivery outcome)
ChangeRow = tuple[int, str, "str | None", "datetime | None", "datetime | None", "int | None", int]


def change_rows(sessions: sessionmaker, *, also: Collection[int] = ()) -> list[ChangeRow]:
    """One row per active request (and per id in `also`, whatever its status), in one query.

    The console's live pages compare these between polls: any claim, release, transfer,
    close, cancel, new message or delivery outcome changes a row, a row's presence, or both.
    """
    wanted = HandoffRequest.status.in_(ACTIVE)
    if also:
        wanted = or_(wanted, HandoffRequest.id.in_(list(also)))
    with sessions() as session:
        rows = session.execute(
            select(HandoffRequest.id, HandoffRequest.status, HandoffRequest.agent,
                   HandoffRequest.resident_last_at, HandoffRequest.agent_replied_at,
                   func.max(HandoffMessage.id), func.count(HandoffMessage.delivered_at))
            .outerjoin(HandoffMessage, HandoffMessage.request_id == HandoffRequest.id)
            .where(wanted).group_by(HandoffRequest.id)
        ).all()
        return [tuple(row) for row in rows]


def claimed_by(sessions: sessionmaker, *, agent: str) -> list[RequestView]:
    """The requests an agent holds, oldest first (their seat)."""
    with sessions() as session:
        requests = session.execute(
            select(HandoffRequest).where(HandoffRequest.status == HandoffStatus.CLAIMED.value,
                                         HandoffRequest.agent == agent)
            .order_by(HandoffRequest.created_at, HandoffRequest.id)
        ).scalars().all()
        return [request_view(r) for r in requests]


def transcript(sessions: sessionmaker, *, request_id: int) -> list[MessageView]:
    """Every message of a request, oldest first, masked."""
    with sessions() as session:
        if session.get(HandoffRequest, request_id) is None:
            raise RequestNotFound(request_id)
        messages = session.execute(
            select(HandoffMessage).where(HandoffMessage.request_id == request_id).order_by(HandoffMessage.id)
        ).scalars()
        return [message_view(m) for m in messages]

"""Messages left for the hand-off desk (留言工单): create, read, close, purge; one transaction each.

A resident leaves a message with a callback number when the desk is closed or nobody took
them in time (bot/flows/leave_message.py); staff call back by the ticket's working-day
deadline and close it with a note (console /handoff/tickets). The callback number and the
message are encrypted at rest (bot/security/columns.py); every view here masks them, and
the full number comes only from :func:`full_phone`, which the console audits.

Residents see only the tickets of their own conversation (:func:`tickets_of_conversation`):
there is no lookup by number, so a number typed in another conversation shows nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import begin_immediate
from bot.handoff.errors import HandoffError, NoteRequired
from bot.handoff.hours import local
from bot.handoff.models import HandoffTicket
from bot.handoff.ticket_numbers import (
    format_ticket_number,
    sequence_of,
    ticket_number,
    ticket_prefix,
)
from bot.personal.masking import mask_personal_data, mask_phone
from bot.security.columns import phone_digest
from bot.validators.phone import is_storable_phone, phone_digits
from bot.workdays import add_working_days

OPEN, DONE = "open", "done"
REASONS = ("closed", "no_agent")  # outside opening hours; waited with no agent
MAX_MESSAGE_CHARS = 300
MAX_NOTE_CHARS = 200
#: The same message confirmed twice this soon (a retried action) is one ticket.
DUPLICATE_WINDOW = timedelta(minutes=10)


class TicketNotFound(HandoffError, LookupError):
    """No ticket with that id."""


class TicketAlreadyDone(HandoffError):
    """The ticket was closed already (by someone else, a moment ago)."""


class InvalidTicket(HandoffError, ValueError):
    """A callback number, message or reason a ticket cannot be made with."""


@dataclass(frozen=True)
class TicketView:
    """A ticket as residents and staff see it: phone and message masked."""

    id: int
    number: str
    conversation_id: str
    channel: str
    district: str | None
    service_id: str | None
    reason: str
    phone: str  # masked: 139****5678, 0553-***4567
    message: str  # personal numbers masked
    status: str
    created_at: datetime  # naive UTC
    due_on: date  # local working day
    handled_by: str | None
    closed_at: datetime | None
    note: str | None  # masked

    @property
    def display(self) -> str:
        """The number grouped for reading out: "LY 2026 1202 0007"."""
        return format_ticket_number(self.number)

    def overdue(self, today: date) -> bool:
        return self.status == OPEN and self.due_on < today


def _view(ticket: HandoffTicket) -> TicketView:
    return TicketView(
        id=ticket.id, number=ticket.number, conversation_id=ticket.conversation_id, channel=ticket.channel,
        district=ticket.district, service_id=ticket.service_id, reason=ticket.reason,
        phone=mask_phone(ticket.callback_phone or ""), message=mask_personal_data(ticket.message or ""),
        status=ticket.status, created_at=ticket.created_at, due_on=ticket.due_on, handled_by=ticket.handled_by,
        closed_at=ticket.closed_at, note=mask_personal_data(ticket.note) if ticket.note else None)


def _utc(now: datetime | None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).replace(tzinfo=None) if now.tzinfo else now


def _duplicate(session: Session, conversation_id: str, digest: str, message: str,
               since: datetime) -> HandoffTicket | None:
    recent = session.execute(
        select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id,
                                    HandoffTicket.phone_digest == digest, HandoffTicket.status == OPEN,
                                    HandoffTicket.created_at >= since)
    ).scalars()
    return next((t for t in recent if t.message == message), None)


def create_ticket(sessions: sessionmaker, *, conversation_id: str, channel: str, phone: str, message: str,
                  reason: str, days: int, district: str | None = None, service_id: str | None = None,
                  now: datetime | None = None) -> TicketView:
    """Store a message and its callback number; due `days` working days after today (Wuhu's date).

    The same message with the same number from the same conversation within
    DUPLICATE_WINDOW is the ticket already made (a confirmation sent twice).
    """
    message = (message or "").strip()
    if not message or len(message) > MAX_MESSAGE_CHARS or not is_storable_phone(phone) or reason not in REASONS:
        raise InvalidTicket("a ticket needs a phone, a message of 1 to 300 characters and a known reason")
    phone, at = phone_digits(phone), _utc(now)
    today = local(at).date()
    digest, prefix = phone_digest(phone), ticket_prefix(today)
    # The lock named for the day makes reading the day's last number and writing the next
    # one exclusive (SQLite: the write lock; PostgreSQL: an advisory lock); the unique
    # constraint on the number stays the last word.
    with sessions.begin() as session:
        begin_immediate(session, f"handoff-ticket:{prefix}")
        found = _duplicate(session, conversation_id, digest, message, at - DUPLICATE_WINDOW)
        if found is not None:
            return _view(found)
        last = session.scalar(select(func.max(HandoffTicket.number)).where(HandoffTicket.number.like(prefix + "%")))
        ticket = HandoffTicket(
            number=ticket_number(today, (sequence_of(last) if last else 0) + 1),
            conversation_id=conversation_id, channel=channel, district=district, service_id=service_id,
            reason=reason, callback_phone=phone, phone_digest=digest, message=message, status=OPEN,
            created_at=at, due_on=add_working_days(today, days))
        session.add(ticket)
        session.flush()
        return _view(ticket)


def tickets_of_conversation(sessions: sessionmaker, *, conversation_id: str, limit: int = 5) -> list[TicketView]:
    """This conversation's tickets, newest first: all a resident may see."""
    with sessions() as session:
        rows = session.execute(
            select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id)
            .order_by(HandoffTicket.created_at.desc(), HandoffTicket.id.desc()).limit(limit)
        ).scalars()
        return [_view(t) for t in rows]


def list_tickets(sessions: sessionmaker, *, done_limit: int = 50) -> list[TicketView]:
    """Open tickets by deadline (overdue first), then the `done_limit` most recently closed."""
    with sessions() as session:
        open_rows = session.execute(
            select(HandoffTicket).where(HandoffTicket.status == OPEN)
            .order_by(HandoffTicket.due_on, HandoffTicket.created_at, HandoffTicket.id)
        ).scalars().all()
        done_rows = session.execute(
            select(HandoffTicket).where(HandoffTicket.status == DONE)
            .order_by(HandoffTicket.closed_at.desc(), HandoffTicket.id.desc()).limit(done_limit)
        ).scalars().all()
        return [_view(t) for t in (*open_rows, *done_rows)]


def get_ticket(sessions: sessionmaker, *, ticket_id: int) -> TicketView:
    with sessions() as session:
        ticket = session.get(HandoffTicket, ticket_id)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        return _view(ticket)


def full_phone(sessions: sessionmaker, *, ticket_id: int) -> str:
    """The callback number unmasked, for the member of staff who calls back (the caller audits it)."""
    with sessions() as session:
        ticket = session.get(HandoffTicket, ticket_id)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        return str(ticket.callback_phone)


def close_ticket(sessions: sessionmaker, *, ticket_id: int, handled_by: str, note: str,
                 now: datetime | None = None) -> TicketView:
    """Mark a ticket done with a short note; TicketAlreadyDone when someone closed it first."""
    note, handled_by = (note or "").strip(), (handled_by or "").strip()[:100]
    if not note or len(note) > MAX_NOTE_CHARS:
        raise NoteRequired(f"closing needs a note of 1 to {MAX_NOTE_CHARS} characters")
    with sessions.begin() as session:
        moved = session.execute(
            update(HandoffTicket).where(HandoffTicket.id == ticket_id, HandoffTicket.status == OPEN)
            .values(status=DONE, handled_by=handled_by, closed_at=_utc(now), note=note)
            .execution_options(synchronize_session=False)
        ).rowcount
        ticket = session.get(HandoffTicket, ticket_id, populate_existing=True)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        if moved != 1:
            raise TicketAlreadyDone(ticket_id)
        return _view(ticket)


def count_open(sessions: sessionmaker, *, today: date) -> tuple[int, int]:
    """(open tickets, of which overdue) for a heading."""
    with sessions() as session:
        row = session.execute(
            select(func.count(), func.sum(case((HandoffTicket.due_on < today, 1), else_=0)))
            .where(HandoffTicket.status == OPEN)
        ).one()
        return int(row[0] or 0), int(row[1] or 0)


def purge_done_tickets(sessions: sessionmaker, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete tickets closed longer than `older_than` ago, with their number, phone and message.

    Open tickets stay whatever their age: a resident is still waiting for that call.
    """
    cutoff = _utc(now) - older_than
    with sessions.begin() as session:
        return session.execute(
            delete(HandoffTicket).where(HandoffTicket.status == DONE, HandoffTicket.closed_at < cutoff)
            .execution_options(synchronize_session=False)
        ).rowcount or 0

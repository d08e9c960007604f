"""Booking a visit to a service hall, without ever overbooking a slot.

The rule that keeps a slot from being overbooked is one statement:

    UPDATE appointment_slots SET booked = booked + 1
    WHERE hall_id = ? AND day = ? AND slot = ? AND booked < capacity

run in the same transaction that inserts the appointment. The database evaluates
the condition and the increment atomically against the latest committed row, so
when many residents race for the last place exactly one UPDATE matches a row
(rowcount 1) and the others see rowcount 0 and get SlotFull; if the INSERT that
follows fails, the increment is rolled back with it. There is no read-then-write
window in Python code. On PostgreSQL, READ COMMITTED re-checks the WHERE clause on
the updated row after waiting for a concurrent writer, which gives the same
guarantee.

On SQLite the write transactions start with BEGIN IMMEDIATE (see
:func:`bot.db.begin_immediate`): the write lock is taken up front and competing bookings
queue on the engine's busy_timeout (5 s). A deferred transaction that reads first
and then writes has to upgrade its read snapshot to a writer, which in WAL mode
fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT, busy_timeout does
not help) whenever another booking committed in between: measured with 30 threads
per slot, such a transaction lost 230 of 300 attempts to that error (never an
overbooking, but residents would see failures). pysqlite's lazy BEGIN happens to
avoid this today because our first statement is a write; BEGIN IMMEDIATE keeps it
so if a read is ever added at the start or the driver's transaction handling
changes. Each transaction holds the lock for a few short statements only.

Limits per phone (compared by its keyed digest, never in the clear: the name and phone
are encrypted at rest, bot/security/columns.py): one active booking (已预约, today or
later) per service and at most MAX_ACTIVE_PER_PHONE in all. They are checked in the
booking's own transaction, after BEGIN IMMEDIATE, so two racing bookings cannot both
slip under a limit. On PostgreSQL the same transaction first takes an advisory lock named
after the phone's digest (bot.db.begin_immediate): bookings of one phone queue, those of
different phones do not, and each sees the one before it.
"""
from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.appointments.calendar import is_bookable, local_today
from bot.appointments.models import Appointment, AppointmentSlot
from bot.db import begin_immediate
from bot.personal.masking import mask_name, mask_phone
from bot.receipts import (
    KEY_RULE,
    MAX_RECEIPT_ATTEMPTS,
    IdempotencyConflict,
    format_receipt,
    is_valid_key,
    new_receipt_no,
    parse_receipt,
)
from bot.security.columns import phone_digest
from bot.validators.phone import is_storable_phone

DEFAULT_SLOTS: tuple[str, ...] = ("09:00-10:00", "10:00-11:00", "14:00-15:00", "15:00-16:00",
                                  "16:00-17:00")
DEFAULT_CAPACITY = 5
#: Active bookings one phone may hold at once (across services).
MAX_ACTIVE_PER_PHONE = 3


@dataclass(frozen=True)
class SlotPlan:
    """The slots a hall opens each working day and the places in each."""

    labels: tuple[str, ...] = DEFAULT_SLOTS
    capacity: int = DEFAULT_CAPACITY


DEFAULT_PLAN = SlotPlan()


class AppointmentStatus(str, enum.Enum):
    BOOKED = "已预约"
    CANCELLED = "已取消"


# --- errors -------------------------------------------------------------------------------

class AppointmentError(Exception):
    """Base class for the errors below."""


class SlotFull(AppointmentError):
    """Every place in the slot is taken."""


class DateNotBookable(AppointmentError, ValueError):
    """Not a working day within the booking window."""


class UnknownSlot(AppointmentError, ValueError):
    """Not one of the hall's time slots."""


class UnknownHall(AppointmentError, LookupError):
    """No such hall in the catalogue."""


class UnknownService(AppointmentError, LookupError):
    """No such service in the catalogue."""


class InvalidBooking(AppointmentError, ValueError):
    """Name, phone or key missing or malformed (a caller error, not bad input)."""


class AppointmentNotFound(AppointmentError, LookupError):
    """No booking with that number for this sender (deliberately the same)."""


class BookingLimitReached(AppointmentError):
    """The phone already holds as many active bookings as it may."""


class AlreadyBookedForService(BookingLimitReached):
    """The phone already has an active booking for this service."""


class TooManyBookings(BookingLimitReached):
    """The phone already has MAX_ACTIVE_PER_PHONE active bookings."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} active bookings per phone")
        self.limit = limit


# --- views --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SlotView:
    slot: str
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def available(self) -> bool:
        return self.remaining > 0


@dataclass(frozen=True)
class Booking:
    """A booking as it may be shown: name and phone masked."""

    receipt_no: str
    display: str  # "2611 2904 37"
    service_id: str
    service_name: str
    hall_id: str
    hall_name: str
    day: date
    slot: str
    name: str  # masked
    phone: str  # masked
    status: str
    is_new: bool  # False when an earlier booking with the same key was returned


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _catalogue_names(session: Session, service_ids: set, hall_ids: set) -> tuple[dict[str, str], dict[str, str]]:
    from bot.catalogue.models import Hall, Service

    services = dict(session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids))).all())
    halls = dict(session.execute(select(Hall.id, Hall.name).where(Hall.id.in_(hall_ids))).all())
    return services, halls


def _booking(appt: Appointment, services: dict[str, str], halls: dict[str, str], *,
             is_new: bool) -> Booking:
    return Booking(
        receipt_no=appt.receipt_no, display=format_receipt(appt.receipt_no),
        service_id=appt.service_id, service_name=services.get(appt.service_id, appt.service_id),
        hall_id=appt.hall_id, hall_name=halls.get(appt.hall_id, appt.hall_id), day=appt.day,
        slot=appt.slot, name=mask_name(appt.name), phone=mask_phone(appt.phone),
        status=appt.status, is_new=is_new,
    )


def _ensure_slots(session: Session, *, hall_id: str, day: date, plan: SlotPlan) -> None:
    """Create the day's default slot rows if they are not there (never touches existing rows)."""
    rows = [dict(hall_id=hall_id, day=day, slot=label, capacity=plan.capacity, booked=0)
            for label in plan.labels]
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        session.execute(insert(AppointmentSlot).values(rows)
                        .on_conflict_do_nothing(index_elements=["hall_id", "day", "slot"]))
        return
    existing = set(session.execute(select(AppointmentSlot.slot).where(
        AppointmentSlot.hall_id == hall_id, AppointmentSlot.day == day)).scalars())
    missing = [row for row in rows if row["slot"] not in existing]
    if missing:
        session.execute(AppointmentSlot.__table__.insert(), missing)


def _clean_text(value: str, what: str, max_len: int) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text or len(text) > max_len:
        raise InvalidBooking(f"{what} must be 1 to {max_len} characters")
    return text


def _clean_phone(value: str) -> str:
    text = _clean_text(value, "phone", 20)
    if not is_storable_phone(text):
        raise InvalidBooking("phone must have 7 to 13 digits")
    return text


def _booking_for_key(session: Session, *, idempotency_key: str, sender_id: str) -> Booking | None:
    appt = session.execute(
        select(Appointment).where(Appointment.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
    if appt is None:
        return None
    if appt.sender_id != sender_id:
        raise IdempotencyConflict(idempotency_key)
    return _booking(appt, *_catalogue_names(session, {appt.service_id}, {appt.hall_id}), is_new=False)


def _existing_booking(sessions: sessionmaker, *, idempotency_key: str, sender_id: str) -> Booking | None:
    with sessions() as session:
        return _booking_for_key(session, idempotency_key=idempotency_key, sender_id=sender_id)


def _receipt_taken(sessions: sessionmaker, receipt_no: str) -> bool:
    with sessions() as session:
        return session.execute(
            select(Appointment.id).where(Appointment.receipt_no == receipt_no)
        ).first() is not None


def _refuse_over_limit(session: Session, *, digest: str, service_id: str, today: date) -> None:
    """Raise AlreadyBookedForService or TooManyBookings for the phone with this digest."""
    active = session.execute(
        select(Appointment.service_id).where(
            Appointment.phone_digest == digest, Appointment.status == AppointmentStatus.BOOKED.value,
            Appointment.day >= today)
    ).scalars().all()
    if service_id in active:
        raise AlreadyBookedForService(service_id)
    if len(active) >= MAX_ACTIVE_PER_PHONE:
        raise TooManyBookings(MAX_ACTIVE_PER_PHONE)


# --- unit-of-work functions ---------------------------------------------------------------

def available_slots(sessions: sessionmaker, *, hall_id: str, day: date,
                    plan: SlotPlan = DEFAULT_PLAN) -> list[SlotView]:
    """The day's slots with places left, in time order (read-only: nothing is created)."""
    with sessions() as session:
        rows = session.execute(
            select(AppointmentSlot.slot, AppointmentSlot.capacity, AppointmentSlot.booked)
            .where(AppointmentSlot.hall_id == hall_id, AppointmentSlot.day == day)
        ).all()
    slots = {label: SlotView(label, plan.capacity, 0) for label in plan.labels}
    slots.update({slot: SlotView(slot, capacity, booked) for slot, capacity, booked in rows})
    return [slots[label] for label in sorted(slots)]


def book(sessions: sessionmaker, *, service_id: str, hall_id: str, day: date, slot: str, name: str,
         phone: str, sender_id: str, idempotency_key: str, today: date | None = None,
         plan: SlotPlan = DEFAULT_PLAN) -> Booking:
    """Take one place in a slot and record the appointment, in one transaction.

    Raises DateNotBookable, UnknownSlot, UnknownHall, UnknownService, SlotFull, or a
    BookingLimitReached (AlreadyBookedForService, TooManyBookings). A second call with
    the same `idempotency_key` returns the first booking and takes no second place,
    also when both calls race (the key is checked again under the write lock, and the
    unique key settles it where there is no such lock).
    """
    if not is_valid_key(idempotency_key):
        raise InvalidBooking(KEY_RULE)
    earlier = _existing_booking(sessions, idempotency_key=idempotency_key, sender_id=sender_id)
    if earlier is not None:
        return earlier
    today = today or local_today()
    if not is_bookable(day, today=today):
        raise DateNotBookable(day)
    name, phone = _clean_text(name, "name", 50), _clean_phone(phone)
    digest = phone_digest(phone)
    with sessions() as session:
        services, halls = _catalogue_names(session, {service_id}, {hall_id})
    if service_id not in services:
        raise UnknownService(service_id)
    if hall_id not in halls:
        raise UnknownHall(hall_id)
    existing = {s.slot for s in available_slots(sessions, hall_id=hall_id, day=day, plan=plan)}
    if slot not in existing:
        raise UnknownSlot(slot)

    for _ in range(MAX_RECEIPT_ATTEMPTS):
        receipt_no = new_receipt_no()
        try:
            with sessions.begin() as session:
                begin_immediate(session, f"booking-phone:{digest}")
                earlier = _booking_for_key(session, idempotency_key=idempotency_key, sender_id=sender_id)
                if earlier is not None:
                    return earlier
                _refuse_over_limit(session, digest=digest, service_id=service_id, today=today)
                _ensure_slots(session, hall_id=hall_id, day=day, plan=plan)
                taken = session.execute(
                    update(AppointmentSlot)
                    .where(AppointmentSlot.hall_id == hall_id, AppointmentSlot.day == day,
                           AppointmentSlot.slot == slot,
                           AppointmentSlot.booked < AppointmentSlot.capacity)
                    .values(booked=AppointmentSlot.booked + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if taken != 1:
                    raise SlotFull(f"{hall_id} {day} {slot}")
                appt = Appointment(
                    receipt_no=receipt_no, service_id=service_id, hall_id=hall_id, day=day,
                    slot=slot, name=name, phone=phone, phone_digest=digest, sender_id=sender_id,
                    status=AppointmentStatus.BOOKED.value, idempotency_key=idempotency_key,
                    created_at=_utcnow(),
                )
                session.add(appt)
                session.flush()
                booking = _booking(appt, services, halls, is_new=True)
        except IntegrityError:
            earlier = _existing_booking(sessions, idempotency_key=idempotency_key, sender_id=sender_id)
            if earlier is not None:
                return earlier
            if _receipt_taken(sessions, receipt_no):
                continue
            raise
        return booking
    raise RuntimeError("no free receipt number after several attempts")


def cancel(sessions: sessionmaker, *, receipt_no: str, sender_id: str) -> Booking:
    """Cancel the sender's own booking and free its place; cancelling twice is harmless."""
    number = parse_receipt(receipt_no)
    if number is None:
        raise AppointmentNotFound(receipt_no)
    with sessions.begin() as session:
        begin_immediate(session)
        appt = session.execute(
            select(Appointment).where(Appointment.receipt_no == number,
                                      Appointment.sender_id == sender_id)
        ).scalar_one_or_none()
        if appt is None:
            raise AppointmentNotFound(receipt_no)
        # Conditional, like booking: of two cancels at once only one frees the place.
        cancelled = session.execute(
            update(Appointment)
            .where(Appointment.id == appt.id, Appointment.status == AppointmentStatus.BOOKED.value)
            .values(status=AppointmentStatus.CANCELLED.value, cancelled_at=_utcnow())
            .execution_options(synchronize_session="fetch")
        ).rowcount
        if cancelled == 1:
            session.execute(
                update(AppointmentSlot)
                .where(AppointmentSlot.hall_id == appt.hall_id, AppointmentSlot.day == appt.day,
                       AppointmentSlot.slot == appt.slot, AppointmentSlot.booked > 0)
                .values(booked=AppointmentSlot.booked - 1)
                .execution_options(synchronize_session=False)
            )
        else:
            # Cancelled meanwhile by a racing call (PostgreSQL lets it run alongside): show the
            # status as it is now, not as read before waiting for that call.
            session.refresh(appt)
        session.flush()
        return _booking(appt, *_catalogue_names(session, {appt.service_id}, {appt.hall_id}),
                        is_new=False)


def appointments_for_sender(sessions: sessionmaker, *, sender_id: str, today: date | None = None,
                            include_past: bool = False) -> list[Booking]:
    """The sender's active bookings from today on (all of them with include_past), soonest first."""
    today = today or local_today()
    with sessions() as session:
        query = select(Appointment).where(Appointment.sender_id == sender_id)
        if not include_past:
            query = query.where(Appointment.status == AppointmentStatus.BOOKED.value,
                                Appointment.day >= today)
        appts = session.execute(query.order_by(Appointment.day, Appointment.slot, Appointment.id)).scalars().all()
        if not appts:
            return []
        names = _catalogue_names(session, {a.service_id for a in appts}, {a.hall_id for a in appts})
        return [_booking(a, *names, is_new=False) for a in appts]


# --- lookups by receipt number (bot/records: proven from another conversation) -------------

def booking_by_receipt(sessions: sessionmaker, *, receipt_no: str) -> Booking | None:
    """Any sender's booking by its number, masked, or None (the caller checks the proof first)."""
    number = parse_receipt(receipt_no)
    if number is None:
        return None
    with sessions() as session:
        appt = session.execute(select(Appointment).where(Appointment.receipt_no == number)).scalar_one_or_none()
        if appt is None:
            return None
        return _booking(appt, *_catalogue_names(session, {appt.service_id}, {appt.hall_id}), is_new=False)


def cancel_by_receipt(sessions: sessionmaker, *, receipt_no: str) -> Booking:
    """Cancel a booking its owner proved from another conversation (number + phone digits)."""
    number = parse_receipt(receipt_no)
    with sessions() as session:
        owner = session.execute(select(Appointment.sender_id).where(Appointment.receipt_no == number)).scalar()
    if number is None or owner is None:
        raise AppointmentNotFound(receipt_no)
    return cancel(sessions, receipt_no=number, sender_id=owner)

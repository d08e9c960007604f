"""Booking limits per phone: one active booking per service, three in all (real SQLite file)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.appointments.calendar import bookable_dates, local_today
from bot.appointments.models import Appointment, AppointmentSlot
from bot.appointments.service import (
    MAX_ACTIVE_PER_PHONE,
    AlreadyBookedForService,
    TooManyBookings,
    book,
    cancel,
)
from bot.catalogue.models import Service
from bot.flows.context import FlowContext
from bot.flows.submission import submit
from tests.support.race import race

TODAY = date(2026, 9, 28)
DAY = date(2026, 9, 30)
HALL = "jinghu:government_center"
PHONE = "13812345678"


def book_for(sessions, key, *, service="sbk-replace", phone=PHONE, sender=None, day=DAY, today=TODAY,
             slot="09:00-10:00"):
    return book(sessions, service_id=service, hall_id=HALL, day=day, slot=slot, name="张三丰", phone=phone,
                sender_id=sender or key, idempotency_key=key, today=today)


def stored(sessions):
    with sessions() as s:
        return (s.scalar(select(func.count()).select_from(Appointment)),
                s.scalar(select(func.coalesce(func.sum(AppointmentSlot.booked), 0))))


@pytest.fixture()
def services(sessions):
    with sessions() as s:
        return s.scalars(select(Service.id).order_by(Service.id)).all()


def test_one_active_booking_per_phone_and_service_however_the_phone_is_written(sessions):
    book_for(sessions, "a")
    for key, phone in [("b", PHONE), ("c", "138 1234 5678"), ("d", "+86 138-1234-5678")]:
        with pytest.raises(AlreadyBookedForService):
            book_for(sessions, key, phone=phone, slot="10:00-11:00")  # another conversation, another slot
    assert stored(sessions) == (1, 1)  # nothing stored and no place taken
    assert book_for(sessions, "e", phone="13900001111").is_new  # another phone is not affected


def test_a_cancelled_or_past_booking_does_not_count(sessions):
    first = book_for(sessions, "a")
    cancel(sessions, receipt_no=first.receipt_no, sender_id="a")
    second = book_for(sessions, "b")
    assert second.is_new
    # The day after the visit, the same phone may book the same service again.
    later = book_for(sessions, "c", day=date(2026, 10, 9), today=date(2026, 10, 1))
    assert later.is_new


def test_at_most_three_active_bookings_per_phone(sessions, services):
    for i, service in enumerate(services[:MAX_ACTIVE_PER_PHONE]):
        book_for(sessions, f"k{i}", service=service)
    with pytest.raises(TooManyBookings) as refused:
        book_for(sessions, "k9", service=services[MAX_ACTIVE_PER_PHONE])
    assert refused.value.limit == 3
    assert stored(sessions) == (3, 3)


def test_a_retry_with_the_same_key_is_not_refused_as_a_duplicate(sessions):
    first = book_for(sessions, "a")
    again = book_for(sessions, "a")
    assert again.receipt_no == first.receipt_no and not again.is_new


def test_racing_bookings_for_one_phone_and_service_store_one(sessions):
    n = 8
    slots = ("09:00-10:00", "10:00-11:00")
    made, refused, errors = race(n, lambda i: book_for(sessions, f"race{i}", slot=slots[i % 2]),
                                 AlreadyBookedForService)
    assert errors == [] and len(made) == 1 and len(refused) == n - 1
    assert stored(sessions) == (1, 1)


def test_the_resident_gets_a_kind_explanation(sessions, services):
    """The flow's submission turns the refusals into a reply (bot/flows/submission.py)."""
    day = bookable_dates(local_today())[0]
    ctx = FlowContext(today=local_today(), sessions=sessions, districts=(), services=(),
                      hall_types={s: "government_center" for s in services})

    def state(n, service="sbk-replace"):
        return {"flow": "appointment", "instance": str(n), "values": {
            "service": service, "district": "jinghu", "day": day.isoformat(), "slot": "09:00-10:00",
            "name": "张三丰", "phone": PHONE}}

    assert "预约成功" in submit(ctx, state(1), "alice").text
    twice = submit(ctx, state(2), "alice")
    assert "已经预约过这项业务" in twice.text and "取消预约" in twice.text and twice.reopened is None
    others = [s for s in services if s != "sbk-replace"]
    for n, service in enumerate(others[:2], start=3):
        assert "预约成功" in submit(ctx, state(n, service), "alice").text
    fourth = submit(ctx, state(9, others[2]), "alice").text
    assert "最多只能同时保留3个" in fourth and PHONE not in fourth

"""Booking hall visits on a real SQLite file: slots, idempotency, no overbooking, cancelling."""
from __future__ import annotations

import threading
import zlib
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.appointments.models import Appointment, AppointmentSlot
from bot.appointments.service import (
    DEFAULT_SLOTS,
    AppointmentNotFound,
    DateNotBookable,
    SlotFull,
    SlotPlan,
    UnknownHall,
    UnknownService,
    UnknownSlot,
    appointments_for_sender,
    available_slots,
    book,
    cancel,
)
from bot.receipts import IdempotencyConflict

TODAY = date(2026, 9, 28)
DAY = date(2026, 9, 30)  # a Wednesday in the window
HALL = "jinghu:government_center"
SERVICE = "sbk-replace"


DEFAULT_PLAN = SlotPlan()


def phone_for(key: str) -> str:
    """A phone of its own per booking key, so tests about slots stay clear of the per-phone limits."""
    return f"1381234{zlib.crc32(key.encode()) % 10000:04d}"


def book_one(sessions, *, key="k1", sender="alice", day=DAY, slot="09:00-10:00", plan=DEFAULT_PLAN, **extra):
    args = dict(service_id=SERVICE, hall_id=HALL, day=day, slot=slot, name="张三丰",
                phone=phone_for(key), sender_id=sender, idempotency_key=key, today=TODAY, plan=plan)
    args.update(extra)
    return book(sessions, **args)


def booked(sessions, slot="09:00-10:00", day=DAY):
    with sessions() as s:
        return s.execute(select(AppointmentSlot.booked).where(
            AppointmentSlot.hall_id == HALL, AppointmentSlot.day == day,
            AppointmentSlot.slot == slot)).scalar_one()


def appointment_count(sessions):
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Appointment))


def test_default_slots_without_creating_rows(sessions):
    slots = available_slots(sessions, hall_id=HALL, day=DAY)
    assert [s.slot for s in slots] == list(DEFAULT_SLOTS)
    assert all(s.capacity == 5 and s.booked == 0 and s.available for s in slots)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AppointmentSlot)) == 0


def test_booking_takes_a_place_and_shows_masked_data(sessions):
    booking = book_one(sessions)
    assert booking.is_new and booking.status == "已预约"
    assert booking.hall_name == "镜湖区政务服务中心" and booking.service_name
    phone = phone_for("k1")
    assert (booking.name, booking.phone) == ("张*丰", f"138****{phone[-4:]}")
    assert phone not in repr(booking) and "张三丰" not in repr(booking)
    assert booked(sessions) == 1
    slots = {s.slot: s for s in available_slots(sessions, hall_id=HALL, day=DAY)}
    assert slots["09:00-10:00"].remaining == 4 and slots["10:00-11:00"].remaining == 5


def test_make_up_working_day_is_bookable(sessions):
    booking = book_one(sessions, day=date(2026, 10, 10), today=date(2026, 10, 1))
    assert booking.day == date(2026, 10, 10)


@pytest.mark.parametrize("day", [date(2026, 10, 1), date(2026, 10, 7), date(2026, 10, 11),
                                 date(2026, 9, 27), TODAY, date(2026, 10, 13)])
def test_holidays_weekends_today_and_beyond_the_window_are_refused(sessions, day):
    with pytest.raises(DateNotBookable):
        book_one(sessions, day=day)
    assert appointment_count(sessions) == 0


def test_unknown_slot_hall_or_service(sessions):
    with pytest.raises(UnknownSlot):
        book_one(sessions, slot="12:00-13:00")
    with pytest.raises(UnknownHall):
        book_one(sessions, hall_id="jinghu:moon_base")
    with pytest.raises(UnknownService):
        book_one(sessions, service_id="time-travel")
    assert appointment_count(sessions) == 0


def test_same_key_twice_books_once(sessions):
    first = book_one(sessions)
    second = book_one(sessions)
    assert second.receipt_no == first.receipt_no and not second.is_new
    assert booked(sessions) == 1 and appointment_count(sessions) == 1
    with pytest.raises(IdempotencyConflict):
        book_one(sessions, sender="mallory")


def test_full_slot_is_refused(sessions):
    plan = SlotPlan(capacity=2)
    book_one(sessions, key="a", plan=plan)
    book_one(sessions, key="b", plan=plan)
    with pytest.raises(SlotFull):
        book_one(sessions, key="c", plan=plan)
    assert booked(sessions) == 2 and appointment_count(sessions) == 2
    assert book_one(sessions, key="d", slot="10:00-11:00", plan=plan).slot == "10:00-11:00"


def _race(n, target):
    barrier = threading.Barrier(n)
    results, full, errors = [], [], []

    def worker(i):
        barrier.wait()
        try:
            results.append(target(i))
        except SlotFull:
            full.append(i)
        except Exception as exc:  # pragma: no cover - reported by the assertion
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, full, errors


def test_twenty_residents_racing_for_three_places(sessions):
    plan = SlotPlan(capacity=3)
    results, full, errors = _race(20, lambda i: book_one(sessions, key=f"k{i}", sender=f"s{i}", plan=plan))
    assert errors == []
    assert len(results) == 3 and len(full) == 17
    assert len({r.receipt_no for r in results}) == 3
    assert booked(sessions) == 3 and appointment_count(sessions) == 3


def test_racing_retries_of_one_booking_take_one_place(sessions):
    results, full, errors = _race(10, lambda i: book_one(sessions, key="same"))
    assert errors == [] and full == []
    assert len({r.receipt_no for r in results}) == 1 and sum(r.is_new for r in results) == 1
    assert booked(sessions) == 1 and appointment_count(sessions) == 1


def test_cancel_frees_the_place_once_and_only_for_the_owner(sessions):
    plan = SlotPlan(capacity=1)
    mine = book_one(sessions, key="a", plan=plan)
    with pytest.raises(SlotFull):
        book_one(sessions, key="b", sender="bob", plan=plan)
    with pytest.raises(AppointmentNotFound):
        cancel(sessions, receipt_no=mine.receipt_no, sender_id="bob")
    assert booked(sessions) == 1
    cancelled = cancel(sessions, receipt_no=mine.display, sender_id="alice")
    assert cancelled.status == "已取消" and booked(sessions) == 0
    assert cancel(sessions, receipt_no=mine.receipt_no, sender_id="alice").status == "已取消"
    assert booked(sessions) == 0  # a second cancel frees nothing more
    assert book_one(sessions, key="b", sender="bob", plan=plan).is_new
    assert booked(sessions) == 1


def test_racing_cancels_free_one_place(sessions):
    mine = book_one(sessions)
    book_one(sessions, key="other", sender="bob")
    results, _, errors = _race(6, lambda i: cancel(sessions, receipt_no=mine.receipt_no, sender_id="alice"))
    assert errors == [] and all(r.status == "已取消" for r in results)
    assert booked(sessions) == 1


def test_appointments_for_sender_lists_own_active_bookings(sessions):
    a = book_one(sessions, key="a", slot="14:00-15:00")
    b = book_one(sessions, key="b", day=date(2026, 9, 29))
    c = book_one(sessions, key="c")
    book_one(sessions, key="d", sender="bob")
    cancel(sessions, receipt_no=c.receipt_no, sender_id="alice")
    listed = appointments_for_sender(sessions, sender_id="alice", today=TODAY)
    assert [x.receipt_no for x in listed] == [b.receipt_no, a.receipt_no]
    assert len(appointments_for_sender(sessions, sender_id="alice", today=TODAY, include_past=True)) == 3
    assert appointments_for_sender(sessions, sender_id="alice", today=date(2026, 10, 1)) == []

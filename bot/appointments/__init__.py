"""Appointments at service halls (办事预约): working-day calendar, slots and bookings."""
from bot.appointments.calendar import bookable_dates, is_bookable, local_today
from bot.appointments.service import (
    DEFAULT_PLAN,
    AppointmentError,
    AppointmentNotFound,
    AppointmentStatus,
    Booking,
    DateNotBookable,
    InvalidBooking,
    SlotFull,
    SlotPlan,
    SlotView,
    UnknownHall,
    UnknownService,
    UnknownSlot,
    appointments_for_sender,
    available_slots,
    book,
    cancel,
)

__all__ = [
    "DEFAULT_PLAN", "AppointmentError", "AppointmentNotFound", "AppointmentStatus", "Booking",
    "DateNotBookable", "InvalidBooking", "SlotFull", "SlotPlan", "SlotView", "UnknownHall",
    "UnknownService", "UnknownSlot", "appointments_for_sender", "available_slots",
    "bookable_dates", "book", "cancel", "is_bookable", "local_today",
]

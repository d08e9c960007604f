"""ORM tables for hall appointment slots and bookings.

A slot row holds its capacity and how many places are booked; booking is a
conditional increment of `booked` (see service.py), so the count is the single
source of truth and can never pass `capacity`. Slot rows are created the first
time someone books a day. No foreign keys to the catalogue: it is replaced
wholesale on reload. Times are naive UTC. The resident's name and phone are encrypted
(bot/security/columns.py); `phone_digest` is a keyed digest for the booking limits.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, DateTime, Index, Integer, String, UniqueConstraint

from bot.db import Base
from bot.security.columns import EncryptedText


class AppointmentSlot(Base):
    __tablename__ = "appointment_slots"
    __table_args__ = (
        UniqueConstraint("hall_id", "day", "slot"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_slot_booked_within_capacity"),
    )

    id = Column(Integer, primary_key=True)
    hall_id = Column(String(64), nullable=False)  # catalogue hall id, "jinghu:government_center"
    day = Column(Date, nullable=False)
    slot = Column(String(16), nullable=False)  # "09:00-10:00"
    capacity = Column(Integer, nullable=False)
    booked = Column(Integer, nullable=False, default=0)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_hall_day_slot", "hall_id", "day", "slot"),)

    id = Column(Integer, primary_key=True)
    receipt_no = Column(String(10), nullable=False, unique=True)
    service_id = Column(String(40), nullable=False)
    hall_id = Column(String(64), nullable=False)
    day = Column(Date, nullable=False)
    slot = Column(String(16), nullable=False)
    name = Column(EncryptedText, nullable=False)
    phone = Column(EncryptedText, nullable=False)
    phone_digest = Column(String(64), index=True)  # bot.security.columns.phone_digest
    sender_id = Column(String(200), nullable=False, index=True)
    status = Column(String(8), nullable=False)  # 已预约 / 已取消
    idempotency_key = Column(String(200), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    cancelled_at = Column(DateTime)

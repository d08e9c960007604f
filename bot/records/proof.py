"""Proving a receipt number from another conversation: the last 4 digits of the ID number or phone.

The conversation that submitted an application or booked a visit sees it without
asking. Anyone else must give its number and the last 4 digits of the applicant's ID
number or phone (a booking has only the phone). So that guessing reveals nothing:
an unknown number and wrong digits get the same answer; the digits are compared with
:func:`hmac.compare_digest` against the same number of candidates either way; and
failures are limited (bot/records/attempts.py).
"""
from __future__ import annotations

import enum
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import sessionmaker

from bot.applications.errors import ApplicationNotFound
from bot.applications.service import get_application
from bot.appointments.service import booking_by_receipt
from bot.receipts import parse_receipt
from bot.records import attempts
from bot.validators.numbers import to_digits

APPLICATION = "application"
BOOKING = "booking"
KINDS = (APPLICATION, BOOKING)

#: The same words for an unknown number and for wrong digits (never say which).
FAILED_TEXT = ("没有查到能对上的记录。请核对一下：编号和后4位要是同一个人的。"
               "请再说一遍后4位；编号记错了，可以说“上一步”重新输入编号。")
LOCKED_TEXT = ("抱歉，核对没通过的次数太多了，为保护大家的信息，请1小时后再试。"
               "着急的话，请拨打12345政务服务便民热线，或者带上身份证到政务服务大厅窗口查询。")
DIGITS_HELP = "请说最后4位就可以，比如“5678”；身份证最后一位是X的，说“123X”。"

# Last-4 candidates compared per try, padded, so an unknown number costs the same compares.
_CANDIDATES = 3
_NO_MATCH = "\0\0\0\0"
_RUN = re.compile(r"[0-9]+X?")


class Verdict(enum.Enum):
    PROVEN = "proven"
    FAILED = "failed"
    LOCKED = "locked"


@dataclass(frozen=True)
class Proof:
    verdict: Verdict
    receipt_no: str | None = None
    kind: str | None = None  # APPLICATION or BOOKING, when proven


def last4_answer(text: str) -> str | None:
    """The 4 digits (or 3 and an X) a reply gives: "5678", "后四位是五六七八", "123x"; else None."""
    runs = _RUN.findall(to_digits(text).upper())
    return runs[-1] if runs and len(runs[-1]) == 4 else None


def _candidates(sessions: sessionmaker, receipt_no: str, kinds: Iterable[str]) -> list[tuple[str, str]]:
    """(kind, last 4) pairs the digits may match, from the masked views (which keep the last 4)."""
    found: list[tuple[str, str]] = []
    if APPLICATION in kinds:
        try:
            app = get_application(sessions, receipt_no=receipt_no)
            found += [(APPLICATION, app.id_number[-4:].upper()), (APPLICATION, app.phone[-4:])]
        except ApplicationNotFound:
            pass
    if BOOKING in kinds:
        booking = booking_by_receipt(sessions, receipt_no=receipt_no)
        if booking is not None:
            found.append((BOOKING, booking.phone[-4:]))
    return (found + [("", _NO_MATCH)] * _CANDIDATES)[:max(_CANDIDATES, len(found))]


def verify(sessions: sessionmaker, *, sender_id: str, receipt_no: str, digits: str,
           kinds: Iterable[str] = KINDS, now: datetime | None = None) -> Proof:
    """Check the digits against the record with this number; counts the try (see attempts.py)."""
    number = parse_receipt(receipt_no) or ""
    attempt = attempts.reserve(sessions, sender_id=sender_id, receipt_no=number, now=now)
    if attempt is None:
        return Proof(Verdict.LOCKED)
    given = digits.upper().encode()
    matched = ""
    for kind, expected in _candidates(sessions, number, tuple(kinds)):
        # No early exit: every candidate is compared, in constant time each.
        if hmac.compare_digest(given, expected.encode()) and kind and not matched:
            matched = kind
    if number and matched:
        attempts.release(sessions, attempt)
        return Proof(Verdict.PROVEN, number, matched)
    if attempts.is_locked(sessions, sender_id=sender_id, receipt_no=number, now=now):
        return Proof(Verdict.LOCKED)
    return Proof(Verdict.FAILED)

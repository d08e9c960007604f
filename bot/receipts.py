"""Receipt numbers (受理编号, 预约编号) and idempotency keys, shared by applications and bookings.

Receipt numbers are what an elderly resident can read out over the phone.

Ten digits, shown as "2611 2904 37" (4-4-2, like a phone number is read). The first
nine are random (first digit never 0, so nothing is lost when the number is typed
into a spreadsheet or read as a number) and the last is a Damm check digit, which
catches every single wrong digit and every swap of two neighbouring digits: a
mistyped number is recognised as mistyped instead of looking up someone else's.
Random, not sequential, so knowing one number tells nothing about the next.
Uniqueness is the table's unique constraint; the services retry on a collision, at most
MAX_RECEIPT_ATTEMPTS times.

Idempotency: a flow submits with a key that is stable for one filled-in form
(:func:`idempotency_key`). A retried action call or a second "确认" with the same key
gets the first receipt and writes nothing; a key already used by another conversation
(or, for applications, another kind) raises :class:`IdempotencyConflict`.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable

RECEIPT_LENGTH = 10
#: Fresh receipt numbers a service draws before it gives up (a collision is rare: 1 in 9e8).
MAX_RECEIPT_ATTEMPTS = 8
MAX_KEY_LENGTH = 200
KEY_RULE = f"idempotency_key must be 1 to {MAX_KEY_LENGTH} characters"

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
_SEPARATORS = re.compile(r"[\s\-_./·—]+")


def _damm(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def new_receipt_no(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A fresh random receipt number (uniqueness is checked by the database)."""
    body = str(100_000_000 + randbelow(900_000_000))  # 9 digits, first one 1-9
    return body + str(_damm(body))


def is_valid_receipt(receipt_no: str) -> bool:
    """True for ten ASCII digits whose check digit is right."""
    return (
        len(receipt_no) == RECEIPT_LENGTH
        and receipt_no.isascii()
        and receipt_no.isdigit()
        and receipt_no[0] != "0"
        and _damm(receipt_no) == 0
    )


def parse_receipt(text: str | None) -> str | None:
    """The receipt number in what a resident typed ("２６１１-2904 37"), or None.

    Full-width digits, spaces and hyphens are accepted; a number with a wrong or
    missing digit gives None, so the caller can ask again before any lookup.
    """
    if not text:
        return None
    cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    return cleaned if is_valid_receipt(cleaned) else None


def format_receipt(receipt_no: str) -> str:
    """Group for reading out: "2611290437" -> "2611 2904 37"."""
    return f"{receipt_no[:4]} {receipt_no[4:8]} {receipt_no[8:]}".strip()


class IdempotencyConflict(Exception):
    """The idempotency key was already used for another sender (or kind of application)."""


def idempotency_key(sender_id: str, instance: str) -> str:
    """The key of one filled-in form: "<sender>:<the flow instance>" (bot/flows/submission.py)."""
    return f"{sender_id}:{instance}"


def is_valid_key(key: str) -> bool:
    """1 to MAX_KEY_LENGTH characters (the column's size); the services refuse anything else."""
    return bool(key) and len(key) <= MAX_KEY_LENGTH

"""留言编号 and the working-day deadline of a message (留言) left for the hand-off desk.

A number is "LY" + the local (Wuhu) date + "-" + the day's sequence: "LY20261202-0007".
Staff read it on the console and say it on the phone; the day in it tells them at a
glance how old a ticket is. Residents see it grouped for reading out, as the receipt
numbers are (bot/receipts.py: "2611 2904 37"): "LY 2026 1202 0007". Sequential is
harmless here: a resident can ask only about the tickets of their own conversation
(bot/handoff/tickets.py), never by a number.

The deadline is the N-th official working day after the day the message was left
(chinese-calendar: holidays skipped, make-up Saturdays counted); a year the package
does not know yet counts Monday to Friday.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

PREFIX = "LY"
SEQUENCE_DIGITS = 4
_NUMBER = re.compile(r"^LY(\d{8})-?(\d{4})$")
_SEPARATORS = re.compile(r"[\s\-_./·—]+")


def ticket_prefix(day: date) -> str:
    """"LY20261202-": what every number of that local day starts with."""
    return f"{PREFIX}{day:%Y%m%d}-"


def ticket_number(day: date, sequence: int) -> str:
    if not 1 <= sequence < 10 ** SEQUENCE_DIGITS:
        raise ValueError(f"a day has at most {10 ** SEQUENCE_DIGITS - 1} ticket numbers")
    return f"{ticket_prefix(day)}{sequence:0{SEQUENCE_DIGITS}d}"


def sequence_of(number: str) -> int:
    """The day's sequence of a number ("LY20261202-0007" → 7)."""
    return int(number.rsplit("-", 1)[1])


def format_ticket_number(number: str) -> str:
    """"LY20261202-0007" → "LY 2026 1202 0007": grouped for reading out; other text as it is."""
    match = _NUMBER.match(number)
    if match is None:
        return number
    day, sequence = match.groups()
    return f"{PREFIX} {day[:4]} {day[4:]} {sequence}"


def parse_ticket_number(text: str | None) -> str | None:
    """The number in what someone typed ("ly 2026 1202 0007", full-width too), or None."""
    if not text:
        return None
    cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    match = _NUMBER.match(cleaned)
    return f"{PREFIX}{match.group(1)}-{match.group(2)}" if match else None

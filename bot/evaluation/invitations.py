"""When the assistant may invite a rating (一事一评, without nagging).

The rules, pure so they are tested on their own (ratings.py applies them in one
transaction against what the conversation's invitations say):

- never while a guided flow is running (a rating question in the middle of an
  application would be answered as the next field);
- at most one invitation per subject (a service, a receipt, a hand-off) per conversation;
- never again in a conversation after the resident declined one (不评了 / 不用了);
- an invitation is open until rated, declined or ``OPEN_FOR`` old; only an open one can
  be answered, so a bare "2" an hour later is not taken for a rating.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

OPEN_FOR = timedelta(minutes=30)

#: What a resident says to turn an invitation down (exact replies; bot/nlu/commands.py makes them
#: choose_number, so the answer reaches the pending rating whatever the classifier thought).
DECLINE_WORDS = frozenset({"不评", "不评了", "不评价", "不想评", "不想评价", "不用评价", "跳过", "不打分"})


class Context(str, Enum):
    """What was just done, which decides the subject's form."""

    ANSWER = "service"  # a service answer the resident reacted to
    APPLICATION = "application"  # an application submitted
    BOOKING = "booking"  # an appointment made
    HANDOFF = "handoff"  # a hand-off closed


def subject_of(context: Context, key: str) -> str:
    """"service:sbk_apply", "application:SQ2026…", "handoff:42"."""
    return f"{context.value}:{key}"[:100]


@dataclass(frozen=True)
class Invited:
    """What the conversation's invitations so far say."""

    subjects: frozenset[str]
    declined: bool


def may_invite(history: Invited, subject: str, *, in_flow: bool) -> bool:
    if in_flow or history.declined:
        return False
    return subject not in history.subjects


def is_open(invited_at: datetime, now: datetime, *, rated: bool, declined: bool) -> bool:
    return not rated and not declined and now - invited_at <= OPEN_FOR

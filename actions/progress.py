"""查进度 and 取消预约: what happens when a resident asks, before any flow starts.

Both intents go to `action_start_flow` (actions/guided_form.py), which asks
:func:`plan_records` what to do:

* 查进度 in the conversation that submitted: its applications and bookings, at once.
  Anywhere else: the `progress_lookup` flow, which asks for the receipt number and the
  last 4 digits of the ID number or phone before showing anything.
* 取消预约 with bookings in this conversation: the `cancel_booking` flow; it starts at
  the summary when there is one booking or when "取消XX的预约" names one, so the
  resident only confirms. Without any: `cancel_booking_by_number` (number + phone digits).
* A conversation that used up its tries (bot/records/attempts.py) is refused politely
  before any question, with 12345 and the hall.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.applications.service import applications_for_sender
from bot.appointments.service import appointments_for_sender
from bot.flows import cancel_booking, progress_lookup
from bot.flows.context import FlowContext
from bot.records import attempts
from bot.records.proof import LOCKED_TEXT
from bot.records.render import records_text

CHECK_PROGRESS = "check_progress"
CANCEL_APPOINTMENT = "cancel_appointment"
RECORD_INTENTS = frozenset({CHECK_PROGRESS, CANCEL_APPOINTMENT})
NOT_FOUND_NAMED = "没找到您说的那个预约。"


@dataclass(frozen=True)
class RecordPlan:
    """Say `notes`; then start `flow` (with `prefill`) unless it is None."""

    notes: tuple[str, ...] = ()
    flow: str | None = None
    prefill: dict[str, Any] = field(default_factory=dict)


def plan_records(ctx: FlowContext, *, intent: str, sender_id: str, text: str) -> RecordPlan:
    """What 查进度 / 取消预约 does in this conversation (blocking: call from a worker thread)."""
    if intent == CHECK_PROGRESS:
        return _plan_progress(ctx, sender_id)
    return _plan_cancel(ctx, sender_id, text)


def _refused_or(ctx: FlowContext, sender_id: str, flow: str) -> RecordPlan:
    if attempts.is_locked(ctx.sessions, sender_id=sender_id):
        return RecordPlan(notes=(LOCKED_TEXT,))
    return RecordPlan(flow=flow)


def _plan_progress(ctx: FlowContext, sender_id: str) -> RecordPlan:
    apps = applications_for_sender(ctx.sessions, sender_id=sender_id)
    bookings = appointments_for_sender(ctx.sessions, sender_id=sender_id, today=ctx.today)
    if apps or bookings:
        return RecordPlan(notes=(records_text(apps, bookings),))
    return _refused_or(ctx, sender_id, progress_lookup.FLOW_NAME)


def _plan_cancel(ctx: FlowContext, sender_id: str, text: str) -> RecordPlan:
    bookings = cancel_booking.own_bookings(ctx.sessions, sender_id, ctx.today)
    if not bookings:
        return _refused_or(ctx, sender_id, cancel_booking.BY_NUMBER)
    match = cancel_booking.match_bookings(text, bookings, ctx.services, ctx.today)
    if len(match.bookings) == 1:
        return RecordPlan(flow=cancel_booking.FLOW_NAME, prefill={cancel_booking.BOOKING: match.bookings[0].receipt_no})
    if match.named and not match.bookings:  # "取消XX的预约" but no XX here: show what there is
        return RecordPlan(notes=(NOT_FOUND_NAMED,), flow=cancel_booking.FLOW_NAME)
    if len(bookings) == 1 and not match.named:
        return RecordPlan(flow=cancel_booking.FLOW_NAME, prefill={cancel_booking.BOOKING: bookings[0].receipt_no})
    return RecordPlan(flow=cancel_booking.FLOW_NAME)

"""取消预约 as a guided flow: choose the booking, see what will be cancelled, confirm (issue 20).

Two flows, built fresh each turn like the others:

* ``cancel_booking``: the conversation's own active bookings as numbered options. A
  reply may also name the service ("异地就医备案的"), the date ("12月4日的", "周五那个")
  or the number. With one booking, or when "取消XX的预约" names one, the flow starts at
  the summary with it filled in (actions/progress.py), so the resident only confirms.
* ``cancel_booking_by_number``: this conversation has no booking, so a booking made
  elsewhere is cancelled with its number and the last 4 digits of the phone it was
  booked with (the steps and check of bot/flows/progress_lookup.py). Nothing about the
  booking is shown before the digits match.

The cancellation itself happens in :func:`finish`, called by bot/flows/submission.py
once the resident confirmed (through :data:`DEFINITIONS`, one per flow).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import sessionmaker

from bot.appointments.service import (
    AppointmentStatus,
    Booking,
    appointments_for_sender,
    booking_by_receipt,
    cancel,
    cancel_by_receipt,
)
from bot.flows import progress_lookup
from bot.flows.definition import FlowDefinition, State, SubmitResult
from bot.flows.engine import Flow, FlowRefused, Option, Step, StepError, Unrecognised
from bot.receipts import parse_receipt
from bot.records import proof as proofs
from bot.records.render import booking_label, booking_line
from bot.text import normalize
from bot.validators.chinese_digits import small_number
from bot.validators.numbers import to_digits

if TYPE_CHECKING:
    from bot.flows.context import FlowContext

FLOW_NAME = "cancel_booking"
BY_NUMBER = "cancel_booking_by_number"
FLOW_NAMES = (FLOW_NAME, BY_NUMBER)
BOOKING = "booking"
TITLE = "取消预约"
SUMMARY_NOTE = "确认后这个预约就取消了，名额会让给别人；不想取消，说“不办了”。"
KEPT = "好的，不取消了，您的预约还保留着。需要时随时再来找我。"
#: The usual controls, worded for a flow whose purpose is itself a cancellation.
CONTROLS = "说“上一步”可以返回；改主意了，说“不办了”，预约就不取消。"
ServiceRow = tuple[str, str, tuple[str, ...]]
Values = dict[str, Any]

_CN = "零〇一二两三四五六七八九十"
_NUM = rf"([0-9]{{1,2}}|[{_CN}]{{1,3}})"
_MONTH_DAY = re.compile(rf"{_NUM}月{_NUM}[日号]?")
_DAY = re.compile(rf"{_NUM}[日号]")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_RELATIVE = {"今天": 0, "明天": 1, "后天": 2}
_RECEIPT_RUN = re.compile(r"[0-9]{10}")
# Words around the service in "把异地就医备案的预约取消掉": what is left names the service.
_FILLER = re.compile(r"取消|撤销|退掉|不要了|不去了|去不了|预约|约的号|的|把|帮我|给我|我要|我想|请|那个|这个|"
                     r"一下|了|掉|吧|哪个|[,?\s]")


@dataclass(frozen=True)
class Match:
    """What a text says about which booking: whether it named anything, and the bookings that fit."""

    named: bool
    bookings: tuple[Booking, ...]
    only_dates: bool = False  # named nothing but dates ("1号" may also mean option 1)


def _days_named(text: str, today: date) -> tuple[str, set[tuple[int | None, int]], set[int]]:
    """(text without the dates, {(month or None, day)}, {weekday}) a text names."""
    days: set[tuple[int | None, int]] = set()
    for match in _MONTH_DAY.finditer(text):
        month, day = small_number(match.group(1)), small_number(match.group(2))
        if month and day:
            days.add((month, day))
    text = _MONTH_DAY.sub(" ", text)
    for match in _DAY.finditer(text):
        day = small_number(match.group(1))
        if day:
            days.add((None, day))
    text = _DAY.sub(" ", text)
    for word, offset in _RELATIVE.items():
        if word in text:
            when = today + timedelta(days=offset)
            days.add((when.month, when.day))
            text = text.replace(word, " ")
    weekdays = {"一二三四五六日天".index(m.group(1)) % 7 if m.group(1) != "天" else 6
                for m in _WEEKDAY.finditer(text)}
    return _WEEKDAY.sub(" ", text), days, weekdays


def _services_named(text: str, core: str, services: Sequence[ServiceRow]) -> set[str]:
    """Catalogue services the text names in full or by alias, or whose name holds what is left of it."""
    named = set()
    for sid, name, aliases in services:
        terms = (name, *aliases)
        if any(term in text for term in terms) or (len(core) >= 2 and any(core in term for term in terms)):
            named.add(sid)
    return named


def match_bookings(text: str, bookings: Sequence[Booking], services: Sequence[ServiceRow],
                   today: date) -> Match:
    """The bookings a text points at by service, date or number (all it names must fit)."""
    clean = normalize(text)
    if not clean or clean.startswith("/"):  # a button's intent payload names nothing
        return Match(False, ())
    receipts = {parse_receipt(run) for run in _RECEIPT_RUN.findall(to_digits(clean))} - {None}
    rest, days, weekdays = _days_named(clean, today)
    core = _FILLER.sub("", rest)
    core = re.sub(r"[0-9]", "", core)
    service_ids = _services_named(rest, core, services)
    if not (receipts or days or weekdays or service_ids):
        return Match(False, ())
    fitting = [b for b in bookings
               if (not receipts or b.receipt_no in receipts)
               and (not days or (b.day.month, b.day.day) in days or (None, b.day.day) in days)
               and (not weekdays or b.day.weekday() in weekdays)
               and (not service_ids or b.service_id in service_ids)]
    return Match(True, tuple(fitting), only_dates=not (receipts or service_ids))


def own_bookings(sessions: sessionmaker, sender_id: str, today: date) -> list[Booking]:
    """This conversation's active bookings from today on, soonest first."""
    return appointments_for_sender(sessions, sender_id=sender_id, today=today)


def _options(_values: Values, *, sessions: sessionmaker, sender_id: str, today: date) -> list[Option]:
    return [Option(booking_label(b), b.receipt_no) for b in own_bookings(sessions, sender_id, today)]


def _parse_choice(text: str, _values: Values, *, sessions: sessionmaker, sender_id: str,
                  services: Sequence[ServiceRow], today: date) -> str:
    """A service, a date or a number; read before the options ("3号的" is a date), which then
    take what this leaves (a reply that is a number or the option's text)."""
    bookings = own_bookings(sessions, sender_id, today)
    if not bookings:
        raise StepError("您现在没有可以取消的预约了。说“不办了”结束就好。")
    match = match_bookings(text, bookings, services, today)
    if len(match.bookings) == 1:
        return match.bookings[0].receipt_no
    if len(match.bookings) > 1:
        raise StepError(f"有{len(match.bookings)}个预约都对得上，请回复数字选一个。")
    if match.named and not match.only_dates:
        raise StepError("没找到您说的这个预约。请回复上面的数字选一个。")
    raise Unrecognised(f"请回复 1 到 {len(bookings)} 之间的数字，或者说业务名称、日期，比如“12月4日的”。")


def _describe(receipt_no: Any, *, sessions: sessionmaker, sender_id: str) -> str:
    """A chosen booking as the summary shows it (only this conversation's own)."""
    own = appointments_for_sender(sessions, sender_id=sender_id, include_past=True)
    booking = next((b for b in own if b.receipt_no == receipt_no), None)
    return f"{booking_label(booking)}（预约编号 {booking.display}）" if booking else "（已不在）"


def _describe_proven(value: Any, *, sessions: sessionmaker) -> str:
    """The booking the digits proved; before that, nothing about it."""
    if not isinstance(value, dict):
        return "（待核对）"
    booking = booking_by_receipt(sessions, receipt_no=value["receipt"])
    return booking_label(booking) if booking else "（已不在）"


def _still_active(proof: dict[str, str], *, sessions: sessionmaker, today: date) -> None:
    booking = booking_by_receipt(sessions, receipt_no=proof["receipt"])
    if booking is None or booking.status != AppointmentStatus.BOOKED.value or booking.day < today:
        raise FlowRefused("核对通过了，不过这个预约已经取消或者已经过期，不用再取消。")


def build(name: str, *, sessions: sessionmaker, sender_id: str, services: Sequence[ServiceRow],
          today: date) -> Flow:
    if not sender_id:
        raise ValueError("cancelling a booking needs the conversation's sender id")
    if name == BY_NUMBER:
        return _build_by_number(sessions=sessions, sender_id=sender_id, today=today)
    own = {"sessions": sessions, "sender_id": sender_id}
    return Flow(
        name=FLOW_NAME,
        title=TITLE,
        intro="好的，我来帮您取消预约。" + CONTROLS,
        steps=(
            Step(BOOKING, "要取消的预约", "请问要取消哪个预约？回复数字，或者说业务名称、日期，比如“12月4日的”。",
                 "取消以后名额会让给别人；想换时间，可以取消后再说“预约”重新约。",
                 options=partial(_options, **own, today=today),
                 parse=partial(_parse_choice, **own, services=services, today=today), parse_first=True,
                 display=partial(_describe, **own), aliases=("预约", "哪个")),
        ),
        summary_note=SUMMARY_NOTE,
        cancelled_text=KEPT,
    )


def _build_by_number(*, sessions: sessionmaker, sender_id: str, today: date) -> Flow:
    return Flow(
        name=BY_NUMBER,
        title=TITLE,
        intro=("这个对话里没有可以取消的预约。如果是在别的对话或渠道约的，可以凭预约编号取消；"
               "为保护您的信息，还要核对预约时留的手机号后4位。" + CONTROLS),
        steps=(
            progress_lookup.receipt_step(
                "请告诉我预约编号（预约成功时发给您的10位数字，比如“2611 2904 37”）。", "预约编号",
                "预约编号在“预约成功”那条消息里。找不到的话，请拨打12345政务服务便民热线，或者到大厅窗口办理。"),
            progress_lookup.proof_step("请告诉我预约时留的手机号的最后4位。", "要取消的预约",
                                       display=partial(_describe_proven, sessions=sessions)),
        ),
        check=progress_lookup.proof_check(sessions=sessions, sender_id=sender_id, kinds=(proofs.BOOKING,),
                                          on_proven=partial(_still_active, sessions=sessions, today=today)),
        summary_note=SUMMARY_NOTE,
        cancelled_text=KEPT,
    )


def _cancelled_text(booking: Booking) -> str:
    return f"已取消预约：{booking_label(booking)}（预约编号 {booking.display}）。名额已经让给别人了。"


def finish(name: str, sessions: sessionmaker, values: Values, *, sender_id: str, today: date) -> str:
    """Cancel the confirmed booking and say so (cancelling twice is harmless)."""
    if name == BY_NUMBER:
        proof = progress_lookup.proven(values)
        if proof is None:  # the summary is reached only after the check passed
            raise ValueError("cancel by number confirmed without a proof")
        return _cancelled_text(cancel_by_receipt(sessions, receipt_no=proof["receipt"]))
    active = own_bookings(sessions, sender_id, today)
    if all(b.receipt_no != values[BOOKING] for b in active):
        return "这个预约已经取消了，不用再取消。"
    text = _cancelled_text(cancel(sessions, receipt_no=values[BOOKING], sender_id=sender_id))
    left = [b for b in active if b.receipt_no != values[BOOKING]]
    if left:
        text += f"\n您还有{len(left)}个预约：\n" + "\n".join(booking_line(b) for b in left)
    return text


def _definition(name: str) -> FlowDefinition:
    def build_for(ctx: FlowContext, sender_id: str) -> Flow:
        return build(name, sessions=ctx.sessions, sender_id=sender_id, services=ctx.services, today=ctx.today)

    def submit(ctx: FlowContext, state: State, sender_id: str) -> SubmitResult:
        return SubmitResult(finish(name, ctx.sessions, state["values"], sender_id=sender_id, today=ctx.today))

    return FlowDefinition(name, build=build_for, submit=submit)


DEFINITIONS = tuple(_definition(name) for name in FLOW_NAMES)

"""办事预约: book a visit to a service hall, on a working day in the next 14 days."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import sessionmaker

from bot.appointments.calendar import bookable_dates, day_label, why_not_bookable
from bot.appointments.service import DateNotBookable, SlotFull, available_slots, book
from bot.flows.dates import read_date
from bot.flows.definition import FlowDefinition, Rateable, State, SubmitResult
from bot.flows.engine import CONTROLS_HINT, Flow, Option, Step, StepError, Unrecognised, option_label, reopen
from bot.flows.fields import parse_contact_phone, parse_name, show_phone
from bot.receipts import idempotency_key
from bot.replies import MENU_SERVICE_IDS

if TYPE_CHECKING:
    from bot.flows.context import FlowContext

FLOW_NAME = "appointment"
ServiceRow = tuple[str, str, tuple[str, ...]]
#: (district id, hall type) -> "hall name（address）", or None when there is no such hall.
HallText = Callable[[str, str], str | None]


def hall_id(values: dict[str, Any], hall_types: dict[str, str]) -> str:
    return f"{values['district']}:{hall_types[values['service']]}"


def _service_options(services: Sequence[ServiceRow]) -> list[Option]:
    rows = {sid: (name, aliases) for sid, name, aliases in services}
    return [Option(rows[sid][0], sid, tuple(rows[sid][1])) for sid in MENU_SERVICE_IDS if sid in rows]


def _parse_service(text: str, _values: dict[str, Any], *, services: Sequence[ServiceRow]) -> str:
    """Any catalogue service by its name or a common alias, beyond the numbered list."""
    for sid, name, aliases in services:
        if name in text or any(alias in text for alias in aliases):
            return sid
    raise StepError("没找到这项业务。请回复上面的数字，或者说出业务名称，比如“居民身份证申领换领”。")


def _parse_day(text: str, _values: dict[str, Any], *, today: date, offered: Sequence[date]) -> str:
    """明天, 周五, 12月3号 …; a day that cannot be booked is refused with the reason."""
    spoken = read_date(text, today)
    if spoken is None:
        raise Unrecognised(f"请回复 1 到 {len(offered)} 之间的数字，或者说日期，比如“明天”“周五”“12月3号”。")
    pick = "请从上面的日子里选一天。"
    if spoken.holiday and (spoken.day is None or spoken.day not in offered):
        raise StepError(f"{spoken.holiday}是法定节假日，大厅不开放。{pick}")
    if spoken.day is None:
        raise StepError(f"没有这一天，请核对一下日期。{pick}")
    if spoken.day in offered:
        return spoken.day.isoformat()
    raise StepError(f"{why_not_bookable(spoken.day, today=today) or '这一天约不了'}。{pick}")


def _slot_options(values: dict[str, Any], *, sessions: sessionmaker, hall_types: dict[str, str]) -> list[Option]:
    slots = available_slots(sessions, hall_id=hall_id(values, hall_types), day=date.fromisoformat(values["day"]))
    return [Option(f"{s.slot}（还剩{s.remaining}个）", s.slot) for s in slots if s.available]


def _parse_slot(_text: str, values: dict[str, Any], *, sessions: sessionmaker,
                hall_types: dict[str, str]) -> str:
    """Reached only when the reply picked no listed slot."""
    left = len(_slot_options(values, sessions=sessions, hall_types=hall_types))
    if not left:
        raise StepError("这一天的时段都约满了，请说“上一步”换一天。")
    raise StepError(f"请回复 1 到 {left} 之间的数字选时段。")


def _hall(values: dict[str, Any], *, districts: Sequence[Option], hall_types: dict[str, str],
          hall_text: HallText | None) -> str:
    """The hall by name and address (the district alone does not say where to go)."""
    found = hall_text(values["district"], hall_types[values["service"]]) if hall_text else None
    return found or option_label(districts, values["district"])


def build(*, today: date, districts: Sequence[Option], services: Sequence[ServiceRow],
          hall_types: dict[str, str], sessions: sessionmaker, hall_text: HallText | None = None) -> Flow:
    names = {sid: name for sid, name, _ in services}
    offered = bookable_dates(today, days=14)
    day_options = [Option(day_label(d), d.isoformat()) for d in offered]
    return Flow(
        name=FLOW_NAME,
        title="办事预约",
        intro="好的，我来帮您预约到大厅办事。" + CONTROLS_HINT,
        steps=(
            Step("service", "办理事项", "请问要办哪项业务？回复数字，或者直接说业务名称。",
                 "预约后按时到大厅，可以少排队。",
                 options=lambda v: _service_options(services), parse=partial(_parse_service, services=services),
                 display=lambda v: names.get(v, v), aliases=("业务", "事项")),
            Step("district", "办理大厅", "到哪个区县的大厅办？", "每个区县都有政务服务大厅，选离您近的。",
                 options=lambda v: districts,
                 display=partial(option_label, districts), aliases=("大厅", "区县", "地点"),
                 describe=partial(_hall, districts=districts, hall_types=hall_types, hall_text=hall_text)),
            Step("day", "日期", "哪天去？回复数字，也可以说“明天”“周五”“12月3号”。（未来14天内的工作日，节假日不开放）",
                 "只能约未来14天内的工作日；法定节假日不开放，调休上班的周末可以约。",
                 options=lambda v: day_options, parse=partial(_parse_day, today=today, offered=offered),
                 parse_first=True, display=lambda v: day_label(date.fromisoformat(v)),
                 aliases=("日期", "哪天", "时间")),
            Step("slot", "时段", "哪个时段？", "每个时段人数有限，约满的时段不显示。",
                 options=partial(_slot_options, sessions=sessions, hall_types=hall_types),
                 parse=partial(_parse_slot, sessions=sessions, hall_types=hall_types),
                 aliases=("时段", "几点")),
            Step("name", "姓名", "请告诉我预约人的姓名。", "到大厅时报姓名和预约编号就可以。",
                 parse=parse_name, aliases=("姓名", "名字")),
            Step("phone", "手机号", "请留一个手机号，方便大厅联系您。", "预约有变动会通过这个电话通知您。",
                 parse=parse_contact_phone, display=show_phone, aliases=("手机", "电话")),
        ),
        summary_note="请带好该业务要求的材料按时到大厅（示例流程，以窗口最新要求为准）。",
    )


def _build(ctx: FlowContext, _sender_id: str) -> Flow:
    return build(today=ctx.today, districts=ctx.districts, services=ctx.services, hall_types=ctx.hall_types,
                 sessions=ctx.sessions, hall_text=ctx.hall_text)


def _submit(ctx: FlowContext, state: State, sender_id: str) -> SubmitResult:
    """Book the visit; a slot or day taken meanwhile asks that question again."""
    values = state["values"]
    try:
        booking = book(ctx.sessions, service_id=values["service"], hall_id=hall_id(values, ctx.hall_types),
                       day=date.fromisoformat(values["day"]), slot=values["slot"], name=values["name"],
                       phone=values["phone"], sender_id=sender_id,
                       idempotency_key=idempotency_key(sender_id, state["instance"]),
                       today=ctx.today)  # the clock the offered days came from
    except SlotFull:
        return SubmitResult("抱歉，这个时段刚刚被约满了。", reopen(state, "slot", "请换一个时段："))
    except DateNotBookable:
        return SubmitResult("抱歉，这一天现在约不了了。", reopen(state, "day", "请换一天："))
    day = day_label(date.fromisoformat(values["day"]))
    place = ctx.hall_text(values["district"], ctx.hall_types[values["service"]]) or booking.hall_name
    return SubmitResult(
        f"预约成功！预约编号：{booking.display}\n时间：{day} {values['slot']}\n地点：{place}\n"
        "请按时带好材料到大厅，报姓名和预约编号。去不了的话，发“取消预约”。",
        rateable=Rateable("booking", values["service"], booking.display))


DEFINITION = FlowDefinition(FLOW_NAME, build=_build, submit=_submit)

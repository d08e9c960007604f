"""办事预约: book a visit to a service hall, on a working day in the next 14 days."""
from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any, Dict, List, Sequence, Tuple

from sqlalchemy.orm import sessionmaker

from bot.appointments.calendar import bookable_dates
from bot.appointments.service import available_slots
from bot.flows.engine import CONTROLS_HINT, Flow, Option, Step, StepError, option_label
from bot.flows.fields import parse_contact_phone, parse_name, show_phone
from bot.replies import MENU_SERVICE_IDS

FLOW_NAME = "appointment"
WEEKDAYS = "一二三四五六日"
ServiceRow = Tuple[str, str, Tuple[str, ...]]


def day_label(day: date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def hall_id(values: Dict[str, Any], hall_types: Dict[str, str]) -> str:
    return f"{values['district']}:{hall_types[values['service']]}"


def _service_options(services: Sequence[ServiceRow]) -> List[Option]:
    names = {sid: name for sid, name, _ in services}
    return [Option(names[sid], sid) for sid in MENU_SERVICE_IDS if sid in names]


def _parse_service(text: str, _values: Dict[str, Any], *, services: Sequence[ServiceRow]) -> str:
    """Any catalogue service by its name or a common alias, beyond the numbered list."""
    for sid, name, aliases in services:
        if name in text or any(alias in text for alias in aliases):
            return sid
    raise StepError("没找到这项业务。请回复上面的数字，或者说出业务名称，比如“居民身份证申领换领”。")


def _slot_options(values: Dict[str, Any], *, sessions: sessionmaker, hall_types: Dict[str, str]) -> List[Option]:
    slots = available_slots(sessions, hall_id=hall_id(values, hall_types), day=date.fromisoformat(values["day"]))
    return [Option(f"{s.slot}（还剩{s.remaining}个）", s.slot) for s in slots if s.available]


def _parse_slot(_text: str, values: Dict[str, Any], *, sessions: sessionmaker,
                hall_types: Dict[str, str]) -> str:
    """Reached only when the reply picked no listed slot."""
    left = len(_slot_options(values, sessions=sessions, hall_types=hall_types))
    if not left:
        raise StepError("这一天的时段都约满了，请说“上一步”换一天。")
    raise StepError(f"请回复 1 到 {left} 之间的数字选时段。")


def build(*, today: date, districts: Sequence[Option], services: Sequence[ServiceRow],
          hall_types: Dict[str, str], sessions: sessionmaker) -> Flow:
    names = {sid: name for sid, name, _ in services}
    day_options = [Option(day_label(d), d.isoformat()) for d in bookable_dates(today, days=14)]
    return Flow(
        name=FLOW_NAME,
        title="办事预约",
        intro="好的，我来帮您预约到大厅办事。" + CONTROLS_HINT,
        steps=(
            Step("service", "预约业务", "请问要办哪项业务？回复数字，或者直接说业务名称。",
                 "预约后按时到大厅，可以少排队。",
                 options=lambda v: _service_options(services), parse=partial(_parse_service, services=services),
                 display=lambda v: names.get(v, v), aliases=("业务",)),
            Step("district", "办理大厅", "到哪个区县的大厅办？", "每个区县都有政务服务大厅，选离您近的。",
                 options=lambda v: districts,
                 display=partial(option_label, districts), aliases=("大厅", "区县")),
            Step("day", "日期", "哪天去？（未来14天内的工作日，节假日不开放）",
                 "只能约未来14天内的工作日；法定节假日不开放，调休上班的周末可以约。",
                 options=lambda v: day_options, display=lambda v: day_label(date.fromisoformat(v)),
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

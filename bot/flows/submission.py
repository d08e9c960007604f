"""Turn a confirmed flow into a stored application or booking, and the reply that says so."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, Optional

from bot.applications.service import submit_application
from bot.appointments.service import DateNotBookable, SlotFull, book
from bot.flows import appointment, elderly_allowance, sbk_replace
from bot.flows.catalogue import FlowContext
from bot.flows.engine import reopen


@dataclass(frozen=True)
class SubmitResult:
    text: str
    reopened: Optional[Dict[str, Any]] = None  # flow state to continue with (e.g. slot full)


def _receipt_text(display: str, next_steps: str) -> str:
    return (f"提交成功！受理编号：{display}\n请记好这个编号（可以念给工作人员听），查进度时要用。\n{next_steps}")


def submit(ctx: FlowContext, state: Dict[str, Any], sender_id: str) -> SubmitResult:
    """Store what the confirmed flow collected, once per flow instance (idempotent)."""
    values = state["values"]
    key = f"{sender_id}:{state['instance']}"
    if state["flow"] == elderly_allowance.SERVICE_ID:
        phone = values["phone"]
        receipt = submit_application(ctx.sessions, kind=state["flow"], sender_id=sender_id, fields=values,
                                     id_number=values["elder_id"], phone=phone, idempotency_key=key)
        return SubmitResult(_receipt_text(receipt.display, elderly_allowance.NEXT_STEPS))
    if state["flow"] == sbk_replace.SERVICE_ID:
        receipt = submit_application(ctx.sessions, kind=state["flow"], sender_id=sender_id, fields=values,
                                     id_number=values["id_number"], phone=values["phone"], idempotency_key=key)
        return SubmitResult(_receipt_text(receipt.display, sbk_replace.next_steps(values)))
    if state["flow"] == appointment.FLOW_NAME:
        try:
            booking = book(ctx.sessions, service_id=values["service"],
                           hall_id=appointment.hall_id(values, ctx.hall_types),
                           day=date.fromisoformat(values["day"]), slot=values["slot"], name=values["name"],
                           phone=values["phone"], sender_id=sender_id, idempotency_key=key)
        except SlotFull:
            return SubmitResult("抱歉，这个时段刚刚被约满了。", reopen(state, "slot", "请换一个时段："))
        except DateNotBookable:
            return SubmitResult("抱歉，这一天现在约不了了。", reopen(state, "day", "请换一天："))
        day = appointment.day_label(date.fromisoformat(values["day"]))
        return SubmitResult(
            f"预约成功！预约编号：{booking.display}\n时间：{day} {values['slot']}\n"
            "请按时带好材料到大厅，报姓名和预约编号。去不了的话，发“取消预约”。")
    raise ValueError(f"unknown flow {state['flow']!r}")

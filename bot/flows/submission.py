"""Turn a confirmed flow into a stored application or booking, and the reply that says so."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, Optional

from bot.applications.errors import OpenApplicationExists
from bot.applications.service import submit_application
from bot.appointments.service import (AlreadyBookedForService, DateNotBookable, SlotFull, TooManyBookings,
                                      book)
from bot.flows import appointment, cancel_booking, elderly_allowance, progress_lookup, sbk_replace
from bot.flows.catalogue import FlowContext
from bot.flows.engine import reopen


@dataclass(frozen=True)
class SubmitResult:
    text: str
    reopened: Optional[Dict[str, Any]] = None  # flow state to continue with (e.g. slot full)


def _receipt_text(display: str, next_steps: str) -> str:
    return (f"提交成功！受理编号：{display}\n请记好这个编号（可以念给工作人员听），查进度时要用。\n{next_steps}")


def _limit_text(exc: Exception) -> str:
    """Why the services refused (one open application per ID, booking limits per phone)."""
    if isinstance(exc, OpenApplicationExists):
        return (f"这个身份证号已经有一件【{exc.kind_name}】正在办理，办结或退回之前不能再次申请，"
                "这次没有重复提交。发“查进度”可以看办到哪一步了；有疑问请拨打 12345。")
    if isinstance(exc, TooManyBookings):
        return (f"这个手机号已经有{exc.limit}个还没到期的预约了，最多只能同时保留{exc.limit}个，"
                "这次没有预约。请先办完或发“取消预约”取消一个，再来预约。")
    return ("这个手机号已经预约过这项业务了，同一项业务只能保留一个预约，这次没有重复预约。"
            "想换时间的话，请先发“取消预约”取消原来的预约，再重新预约。")


def submit(ctx: FlowContext, state: Dict[str, Any], sender_id: str) -> SubmitResult:
    """Store what the confirmed flow collected; a limit the services enforce becomes a kind reply."""
    try:
        return _store(ctx, state, sender_id)
    except (OpenApplicationExists, AlreadyBookedForService, TooManyBookings) as exc:
        return SubmitResult(_limit_text(exc))


def _store(ctx: FlowContext, state: Dict[str, Any], sender_id: str) -> SubmitResult:
    """Store what the confirmed flow collected, once per flow instance (idempotent)."""
    values = state["values"]
    key = f"{sender_id}:{state['instance']}"
    if state["flow"] == progress_lookup.FLOW_NAME:  # shows the record the digits proved
        return SubmitResult(progress_lookup.finish(ctx.sessions, values))
    if state["flow"] in cancel_booking.FLOW_NAMES:
        return SubmitResult(cancel_booking.finish(state["flow"], ctx.sessions, values, sender_id=sender_id,
                                                  today=ctx.today))
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
                           phone=values["phone"], sender_id=sender_id, idempotency_key=key,
                           today=ctx.today)  # the clock the offered days came from
        except SlotFull:
            return SubmitResult("抱歉，这个时段刚刚被约满了。", reopen(state, "slot", "请换一个时段："))
        except DateNotBookable:
            return SubmitResult("抱歉，这一天现在约不了了。", reopen(state, "day", "请换一天："))
        day = appointment.day_label(date.fromisoformat(values["day"]))
        place = ctx.hall_text(values["district"], ctx.hall_types[values["service"]]) or booking.hall_name
        return SubmitResult(
            f"预约成功！预约编号：{booking.display}\n时间：{day} {values['slot']}\n地点：{place}\n"
            "请按时带好材料到大厅，报姓名和预约编号。去不了的话，发“取消预约”。")
    raise ValueError(f"unknown flow {state['flow']!r}")

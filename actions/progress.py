"""查进度 and 取消预约: a resident sees and changes only their own applications and bookings.

Everything is tied to the conversation's sender id, so nobody can read another
person's application by guessing receipt numbers.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import GuardedAction, run_blocking
from bot.applications.service import applications_for_sender
from bot.appointments.service import AppointmentStatus, appointments_for_sender, cancel
from bot.config import get_settings
from bot.db import session_factory

NOTHING_FOUND = ("没有找到您在这个对话里提交的申请或预约。"
                 "如果是在别的渠道办的，请拨打12345政务服务便民热线，或带身份证到窗口查询。")


def _sessions():
    return session_factory(get_settings().database_url)


def _progress_text(sender_id: str) -> str:
    sessions = _sessions()
    lines = []
    for i, app in enumerate(applications_for_sender(sessions, sender_id=sender_id), start=1):
        latest = app.history[-1]
        line = f"{i}. {app.kind_name}（受理编号 {app.display}）：{app.status}，{latest.at:%m月%d日 %H:%M}更新"
        if latest.reason:
            line += f"，原因：{latest.reason}"
        lines.append(line)
    bookings = appointments_for_sender(sessions, sender_id=sender_id)
    for booking in bookings:
        lines.append(f"· 预约 {booking.service_name}：{booking.day.month}月{booking.day.day}日 {booking.slot}，"
                     f"{booking.hall_name}（预约编号 {booking.display}，{booking.status}）")
    if not lines:
        return NOTHING_FOUND
    return "您的办理情况：\n" + "\n".join(lines)


def _cancel_latest(sender_id: str) -> str:
    sessions = _sessions()
    active = [b for b in appointments_for_sender(sessions, sender_id=sender_id)
              if b.status == AppointmentStatus.BOOKED.value]
    if not active:
        return "您现在没有可以取消的预约。"
    booking = cancel(sessions, receipt_no=active[0].receipt_no, sender_id=sender_id)
    text = (f"已取消预约：{booking.service_name}，{booking.day.month}月{booking.day.day}日 {booking.slot}"
            f"（预约编号 {booking.display}）。")
    if len(active) > 1:
        text += f"您还有{len(active) - 1}个预约，需要的话再发一次“取消预约”。"
    return text


class ActionCheckProgress(GuardedAction):
    def name(self) -> Text:
        return "action_check_progress"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=await run_blocking(_progress_text, tracker.sender_id))
        return []


class ActionCancelAppointment(GuardedAction):
    def name(self) -> Text:
        return "action_cancel_appointment"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=await run_blocking(_cancel_latest, tracker.sender_id))
        return []

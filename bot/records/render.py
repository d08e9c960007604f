"""The lines residents see about their applications and bookings (nothing personal in them)."""
from __future__ import annotations

from collections.abc import Sequence

from bot.applications.views import ApplicationView
from bot.appointments.service import Booking
from bot.flows.appointment import day_label


def booking_label(booking: Booking) -> str:
    """社会保障卡申领，12月4日（周五）09:00-10:00，镜湖区政务服务中心: what a booking is."""
    return f"{booking.service_name}，{day_label(booking.day)} {booking.slot}，{booking.hall_name}"


def booking_line(booking: Booking) -> str:
    return f"· 预约 {booking_label(booking)}（预约编号 {booking.display}，{booking.status}）"


def application_line(app: ApplicationView, number: int | None = None) -> str:
    latest = app.history[-1] if app.history else None
    line = (f"{number}. " if number else "· ") + f"{app.kind_name}（受理编号 {app.display}）：{app.status}"
    if latest is not None:
        line += f"，{latest.at:%m月%d日 %H:%M}更新"
        if latest.reason:
            line += f"，原因：{latest.reason}"
    return line


def records_text(apps: Sequence[ApplicationView], bookings: Sequence[Booking],
                 heading: str = "您的办理情况：") -> str:
    lines = [application_line(app, i) for i, app in enumerate(apps, start=1)]
    lines += [booking_line(b) for b in bookings]
    return heading + "\n" + "\n".join(lines)

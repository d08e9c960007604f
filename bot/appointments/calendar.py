"""Which days service halls take appointments: China's official working days.

Weekends are not simply closed and weekdays not simply open: public holidays fall
on weekdays, and the State Council moves working days onto weekends (调休上班).
`chinese_calendar` carries each year's official arrangement. A year it does not know
yet (the package is released once the State Council publishes the next year's
holidays) is left out with a warning rather than guessed: sending an elderly
resident to a closed hall is worse than offering fewer dates. Updating the pinned
package fixes it.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar.constants import Holiday

log = logging.getLogger(__name__)

BOOKING_WINDOW_DAYS = 14
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"


def now() -> datetime:
    """The current moment (UTC). The one clock of bookings: tests replace it to set the time."""
    return datetime.now(timezone.utc)


def local_today() -> date:
    """Today in Wuhu, whatever the server's time zone (00:30 in Wuhu is still yesterday in UTC)."""
    return now().astimezone(LOCAL_TZ).date()


def day_label(day: date, *, today: date | None = None) -> str:
    """12月5日（周六）; the year is named when it is not this year's."""
    year = f"{day.year}年" if today is not None and day.year != today.year else ""
    return f"{year}{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def holiday_name(day: date) -> str | None:
    """The public holiday `day` falls in, in Chinese (国庆节), or None."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if not on_holiday or not name:
        return None
    return next((h.chinese for h in Holiday if h.value == name), name)


def is_working_day(day: date) -> bool | None:
    """True on official working days (make-up days included), None if the year is unknown."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def bookable_dates(today: date, days: int = BOOKING_WINDOW_DAYS) -> list[date]:
    """Working days among the `days` days after `today` (tomorrow first)."""
    result: list[date] = []
    unknown: list[date] = []
    for offset in range(1, days + 1):
        day = today + timedelta(days=offset)
        working = is_working_day(day)
        if working is None:
            unknown.append(day)
        elif working:
            result.append(day)
    if unknown:
        log.warning("chinese_calendar has no holiday data for %s; those dates are not offered. "
                    "Update the chinesecalendar package.", sorted({d.year for d in unknown}))
    return result


def is_bookable(day: date, *, today: date, days: int = BOOKING_WINDOW_DAYS) -> bool:
    """True if `day` is one of :func:`bookable_dates` for `today`."""
    return 1 <= (day - today).days <= days and bool(is_working_day(day))


def why_not_bookable(day: date, *, today: date, days: int = BOOKING_WINDOW_DAYS) -> str | None:
    """Why a resident cannot book `day`, in words they can act on; None when they can.

    The reasons come in the order a clerk would give them: gone, today, closed (weekend
    or a holiday by name), too far ahead, or a year whose holidays are not published.
    """
    if day < today:
        return f"{day.month}月{day.day}日已经过去了"
    if day == today:
        return "当天不能预约，最早可以约明天"
    label = f"{day.month}月{day.day}日"
    working = is_working_day(day)
    if working is False:
        holiday = holiday_name(day)
        if holiday:
            return f"{label}是{holiday}假期，大厅不开放"
        return f"{label}是周{WEEKDAYS[day.weekday()]}，大厅不开放"
    if (day - today).days > days:
        last = today + timedelta(days=days)
        return f"只能预约{days}天以内的日子（到{last.month}月{last.day}日），{label}太远了"
    if working is None:
        return f"{day.year}年的节假日安排还没有公布，{label}暂时约不了"
    return None

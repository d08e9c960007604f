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
from datetime import date, datetime, timedelta
from typing import List, Optional
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)

BOOKING_WINDOW_DAYS = 14
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    """Today in Wuhu, whatever the server's time zone."""
    return datetime.now(LOCAL_TZ).date()


def is_working_day(day: date) -> Optional[bool]:
    """True on official working days (make-up days included), None if the year is unknown."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def bookable_dates(today: date, days: int = BOOKING_WINDOW_DAYS) -> List[date]:
    """Working days among the `days` days after `today` (tomorrow first)."""
    result: List[date] = []
    unknown: List[date] = []
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

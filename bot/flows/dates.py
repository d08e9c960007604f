"""Dates as residents say them: 明天, 下周六, 周五, 12月3号, 十二月三日, 国庆节那天.

Only reading happens here; whether a day can be booked, and why not, is the
calendar's business (bot/appointments/calendar.py). A reply that names no date at
all gives None, so a step can go on and read it as a numbered choice ("2").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar.constants import Holiday

from bot.text import normalize
from bot.validators.chinese_digits import small_number

_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
            **{str(i): i - 1 for i in range(1, 8)}}
#: Spoken holiday names -> chinese_calendar's holiday, and the day for the fixed-date ones.
_HOLIDAYS = {
    "元旦": (Holiday.new_years_day, (1, 1)),
    "劳动节": (Holiday.labour_day, (5, 1)), "五一": (Holiday.labour_day, (5, 1)),
    "国庆": (Holiday.national_day, (10, 1)),
    "春节": (Holiday.spring_festival, None), "过年": (Holiday.spring_festival, None),
    "清明": (Holiday.tomb_sweeping_day, None), "端午": (Holiday.dragon_boat_festival, None),
    "中秋": (Holiday.mid_autumn_festival, None),
}
_NUM = r"[0-9]{1,4}|[零一二两三四五六七八九十]{1,3}"
_WEEKDAY_RE = re.compile(r"(这|本|这个|下|下个|下一个|下下|下下个)?(?:周|星期|礼拜)([一二三四五六日天末1-7])")
_MONTH_DAY_RE = re.compile(rf"(?:({_NUM})年)?({_NUM})月(?:份)?({_NUM})(?:日|号)?")
_DAY_RE = re.compile(rf"^(?:这个月|本月)?({_NUM})(?:日|号)")


@dataclass(frozen=True)
class SpokenDate:
    """The day a reply names; `holiday` when it was named by a holiday (国庆节)."""

    day: date | None
    holiday: str | None = None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(year: int | None, month: int, day: int, today: date) -> date | None:
    """Without a year, a date more than two months gone means next year's (1月5日 said in December)."""
    if year is not None:
        return _safe_date(year, month, day)
    found = _safe_date(today.year, month, day)
    if found is not None and (today - found).days > 60:
        found = _safe_date(today.year + 1, month, day)
    return found


def _weekday(prefix: str | None, name: str, today: date) -> date:
    weekday = _WEEKDAY[name]
    monday = today - timedelta(days=today.weekday())
    if prefix in ("这", "本", "这个"):
        return monday + timedelta(days=weekday)
    if prefix in ("下", "下个", "下一个"):
        return monday + timedelta(days=7 + weekday)
    if prefix in ("下下", "下下个"):
        return monday + timedelta(days=14 + weekday)
    ahead = (weekday - today.weekday()) % 7 or 7  # a bare 周五: the next Friday to come
    return today + timedelta(days=ahead)


def _holiday(holiday: Holiday, fixed: tuple | None, today: date) -> SpokenDate:
    name = holiday.chinese if holiday.chinese.endswith("节") or holiday is Holiday.new_years_day \
        else holiday.chinese + "节"
    if fixed is not None:
        day = date(today.year, *fixed)
        return SpokenDate(day if day >= today else date(today.year + 1, *fixed), name)
    for offset in range(400):  # lunar holidays: the next day chinese_calendar files under it
        day = today + timedelta(days=offset)
        try:
            _, found = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            break
        if found == holiday.value:
            return SpokenDate(day, name)
    return SpokenDate(None, name)


def read_date(text: str, today: date) -> SpokenDate | None:
    """The date a reply names, relative to `today` (local), or None if it names none."""
    clean = normalize(text).replace(" ", "")
    if not clean:
        return None
    for spoken, (holiday, fixed) in _HOLIDAYS.items():
        if spoken in clean:
            return _holiday(holiday, fixed, today)
    for word in sorted(_RELATIVE, key=len, reverse=True):  # 大后天 before 后天
        if word in clean:
            return SpokenDate(today + timedelta(days=_RELATIVE[word]))
    match = _WEEKDAY_RE.search(clean)
    if match:
        return SpokenDate(_weekday(match.group(1), match.group(2), today))
    match = _MONTH_DAY_RE.search(clean)
    if match:
        year = small_number(match.group(1)) if match.group(1) else None
        month, day = small_number(match.group(2)), small_number(match.group(3))
        if month is None or day is None:
            return None
        return SpokenDate(_month_day(year, month, day, today))
    match = _DAY_RE.match(clean)
    if match:
        day = small_number(match.group(1))
        if day is None:
            return None
        this_month = _safe_date(today.year, today.month, day)
        if this_month is not None and this_month >= today:
            return SpokenDate(this_month)
        next_month = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
        return SpokenDate(_safe_date(next_month.year, next_month.month, day))
    return None

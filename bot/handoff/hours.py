"""When the hand-off desk (人工服务) is staffed: the halls' opening hours and China's official calendar.

Pure functions over an injected clock (every ``now`` is an aware datetime; naive means UTC),
in Wuhu's time (Asia/Shanghai) whatever the server's zone. Where the hours text comes from
(the city centre hall, or GOV_HANDOFF_HOURS) is bot/handoff/desk.py.

The hours are the halls' own text, e.g. "周一至周五 8:30-12:00，14:00-17:30（法定节假日除外）":
the days ("周一至周五", "周一到周六", "周一、周三", "工作日", "每天"), then one or more
time ranges. A day is open when:

1. it is in a public holiday period (国庆节, 春节…): closed, unless the text says 全年无休
   or 节假日照常;
2. it is an official make-up working day (调休上班, a Saturday or Sunday): open, as the
   halls are;
3. otherwise, when its weekday is one of the text's days.

chinese-calendar knows each year once the State Council has published it; for a year it
does not know yet, rule 3 alone decides (weekdays), as the brief of issue 16 asks: a desk
that answers on an unannounced holiday costs less than a resident told "closed" all year.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"
DEFAULT_HOURS = "周一至周五 8:30-12:00，14:00-17:30（法定节假日除外）"
#: How far ahead :func:`next_opening` looks (the longest holiday, 春节, is 8-9 days).
LOOKAHEAD_DAYS = 30

_DAY = r"(?:周|星期|礼拜)?([一二三四五六日天七])"
_DAY_RANGE = re.compile(rf"(?:周|星期|礼拜)([一二三四五六日天七])\s*(?:至|到|-|—|–|~|～)\s*{_DAY}")
_DAY_LIST = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天七])")
_TIME_RANGE = re.compile(r"(\d{1,2})\s*[:：]\s*(\d{2})\s*(?:-|—|–|~|～|至|到)\s*(\d{1,2})\s*[:：]\s*(\d{2})")
_EVERY_DAY = re.compile(r"每天|每日|全年无休|周一至周日|周一到周日|7\s*[×x*]\s*24")
_HOLIDAYS_OPEN = re.compile(r"全年无休|节假日照常|节假日不休")
_WORKDAYS = re.compile(r"工作日")


class UnreadableHours(ValueError):
    """The text names no time range this module can read."""


@dataclass(frozen=True)
class DeskHours:
    """Open weekdays (0 = Monday) and periods (minutes since midnight, end excluded, at most 1440)."""

    weekdays: frozenset[int]
    periods: tuple[tuple[int, int], ...]
    holidays_closed: bool = True


def _weekday(char: str) -> int:
    return 6 if char in "日天七" else WEEKDAYS.index(char)


def _days(text: str) -> frozenset[int]:
    if _EVERY_DAY.search(text):
        return frozenset(range(7))
    ranges = _DAY_RANGE.findall(text)
    if ranges:
        days: set[int] = set()
        for first, last in ranges:
            start, end = _weekday(first), _weekday(last)
            days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
        return frozenset(days)
    listed = _DAY_LIST.findall(text)
    if listed:
        return frozenset(_weekday(c) for c in listed)
    return frozenset(range(5))  # "工作日", or no days named: a hall's working week


def parse_hours(text: str) -> DeskHours:
    """The hours a hall's text gives; UnreadableHours when it names no time range."""
    text = (text or "").strip()
    periods = []
    for h1, m1, h2, m2 in _TIME_RANGE.findall(text):
        start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if int(m1) > 59 or int(m2) > 59 or not 0 <= start < end <= 24 * 60:
            raise UnreadableHours(f"not a time range: {h1}:{m1}-{h2}:{m2}")
        periods.append((start, end))
    if not periods:
        raise UnreadableHours("no time range such as 8:30-12:00")
    return DeskHours(_days(text), tuple(sorted(periods)), holidays_closed=not _HOLIDAYS_OPEN.search(text))


# -- the official calendar ----------------------------------------------------------------------

def _holiday(day: date) -> bool | None:
    """True in a public holiday period, None when the year is not published."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return bool(on_holiday and name)


def _make_up_day(day: date) -> bool:
    """An official working day on a weekend (调休上班); False for a year not published."""
    if day.weekday() < 5:
        return False
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return False


def is_open_day(hours: DeskHours, day: date) -> bool:
    """Whether the desk opens at all on `day` (rules 1-3 of the module docstring)."""
    if hours.holidays_closed and _holiday(day):
        return False
    if _make_up_day(day):
        return True
    return day.weekday() in hours.weekdays


def local(now: datetime) -> datetime:
    """`now` in Wuhu's time; a naive datetime is UTC, as the tables store it."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(LOCAL_TZ)


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ) + timedelta(minutes=minutes)


def is_open(hours: DeskHours, now: datetime) -> bool:
    """Whether the desk is staffed at `now`."""
    moment = local(now)
    if not is_open_day(hours, moment.date()):
        return False
    minute = moment.hour * 60 + moment.minute
    return any(start <= minute < end for start, end in hours.periods)


def next_opening(hours: DeskHours, now: datetime) -> datetime | None:
    """When the desk next opens after `now` (local, aware); `now` itself while it is open.

    None when it opens on none of the next LOOKAHEAD_DAYS days (hours with no days).
    """
    moment = local(now)
    if is_open(hours, moment):
        return moment
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = moment.date() + timedelta(days=offset)
        if not is_open_day(hours, day):
            continue
        for start, _end in hours.periods:
            opening = _at(day, start)
            if opening > moment:
                return opening
    return None


# -- what residents read ------------------------------------------------------------------------

def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _day_words(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if len(ordered) == 7:
        return "每天"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"周{WEEKDAYS[ordered[0]]}至周{WEEKDAYS[ordered[-1]]}"
    return "、".join(f"周{WEEKDAYS[d]}" for d in ordered)


def describe(hours: DeskHours) -> str:
    """"周一至周五 8:30-12:00、14:00-17:30（法定节假日除外）"; "全年无休 0:00-24:00" for a desk that never closes."""
    periods = "、".join(f"{_clock(start)}-{_clock(end)}" for start, end in hours.periods)
    if not hours.holidays_closed:
        days = "全年无休" if len(hours.weekdays) == 7 else _day_words(hours.weekdays) + "（节假日照常）"
        return f"{days} {periods}"
    return f"{_day_words(hours.weekdays)} {periods}（法定节假日除外）"


def when_text(moment: datetime, now: datetime) -> str:
    """"今天14:00", "明天（12月3日，周四）8:30", "12月7日（周一）8:30": an opening as a resident hears it."""
    moment, today = local(moment), local(now).date()
    clock = _clock(moment.hour * 60 + moment.minute)
    day = moment.date()
    label = f"{day.month}月{day.day}日"
    weekday = f"周{WEEKDAYS[day.weekday()]}"
    if day == today:
        return f"今天{clock}"
    if day == today + timedelta(days=1):
        return f"明天（{label}，{weekday}）{clock}"
    year = f"{day.year}年" if day.year != today.year else ""
    return f"{year}{label}（{weekday}）{clock}"

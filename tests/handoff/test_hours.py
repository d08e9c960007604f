"""The desk's opening hours: the halls' text, China's official calendar, Wuhu's clock.

Dates of 2026 from chinese-calendar: 10月1日-7日 国庆节 (Thursday to Wednesday), 10月10日 a
make-up working Saturday; 2030 is a year the package does not know.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.handoff import desk
from bot.handoff.hours import (
    DEFAULT_HOURS,
    DeskHours,
    UnreadableHours,
    describe,
    is_open,
    is_open_day,
    local,
    next_opening,
    parse_hours,
    when_text,
)

HALL = "周一至周五 8:30-12:00，14:00-17:30（法定节假日除外，夏季作息以公告为准）"
BEIJING = timezone(timedelta(hours=8))


def wuhu(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture(scope="module")
def hall() -> DeskHours:
    return parse_hours(HALL)


def test_a_halls_text_is_read_and_described_back(hall):
    assert hall == DeskHours(frozenset(range(5)), ((510, 720), (840, 1050)), holidays_closed=True)
    assert describe(hall) == "周一至周五 8:30-12:00、14:00-17:30（法定节假日除外）"
    assert parse_hours(DEFAULT_HOURS) == hall


@pytest.mark.parametrize("text, days, periods, words", [
    ("周一到周六 9:00—17:00", range(6), ((540, 1020),), "周一至周六 9:00-17:00（法定节假日除外）"),
    ("星期一至星期五 8：30～17：30", range(5), ((510, 1050),), "周一至周五 8:30-17:30（法定节假日除外）"),
    ("周一、周三、周五 9:00-11:30", (0, 2, 4), ((540, 690),), "周一、周三、周五 9:00-11:30（法定节假日除外）"),
    ("工作日 8:30-12:00", range(5), ((510, 720),), "周一至周五 8:30-12:00（法定节假日除外）"),
    ("每天 8:00-20:00", range(7), ((480, 1200),), "每天 8:00-20:00（法定节假日除外）"),
])
def test_other_ways_halls_write_their_hours(text, days, periods, words):
    hours = parse_hours(text)
    assert (hours.weekdays, hours.periods) == (frozenset(days), periods)
    assert describe(hours) == words


def test_a_desk_that_never_closes():
    hours = parse_hours("全年无休 0:00-24:00")
    assert describe(hours) == "全年无休 0:00-24:00" and not hours.holidays_closed
    assert is_open(hours, wuhu(2026, 10, 1, 3)) and is_open(hours, wuhu(2026, 12, 5, 23, 59))


@pytest.mark.parametrize("text", ["", "周一至周五", "周一至周五 上午", "8:30-25:00", "12:00-8:00"])
def test_text_without_a_readable_time_range_is_refused(text):
    with pytest.raises(UnreadableHours):
        parse_hours(text)


def test_open_in_the_periods_of_a_working_day_closed_at_lunch_and_at_night(hall):
    wednesday = (2026, 12, 2)
    assert not is_open(hall, wuhu(*wednesday, 8, 29))
    assert is_open(hall, wuhu(*wednesday, 8, 30)) and is_open(hall, wuhu(*wednesday, 11, 59))
    assert not is_open(hall, wuhu(*wednesday, 12, 0)) and not is_open(hall, wuhu(*wednesday, 13, 59))
    assert is_open(hall, wuhu(*wednesday, 17, 29)) and not is_open(hall, wuhu(*wednesday, 17, 30))
    assert not is_open(hall, wuhu(2026, 12, 5, 10))  # an ordinary Saturday


def test_the_clock_is_wuhus_whatever_zone_now_comes_in(hall):
    utc_0230 = datetime(2026, 12, 2, 2, 30, tzinfo=timezone.utc)  # 10:30 in Wuhu
    assert is_open(hall, utc_0230) and is_open(hall, utc_0230.replace(tzinfo=None))  # naive is UTC
    assert not is_open(hall, datetime(2026, 12, 2, 10, 30, tzinfo=timezone.utc))  # 18:30 in Wuhu
    assert local(utc_0230).hour == 10


def test_a_public_holiday_on_a_weekday_is_closed_and_a_make_up_saturday_open(hall):
    assert not is_open_day(hall, date(2026, 10, 1)) and not is_open(hall, wuhu(2026, 10, 5, 10))  # Monday
    assert is_open_day(hall, date(2026, 10, 10)) and is_open(hall, wuhu(2026, 10, 10, 10))  # 调休上班
    assert not is_open_day(hall, date(2026, 10, 11))  # the Sunday after stays closed
    six_days = parse_hours("周一至周六 9:00-17:00（法定节假日除外）")
    assert not is_open_day(six_days, date(2026, 10, 3))  # a Saturday inside 国庆节


def test_a_year_the_calendar_does_not_know_opens_on_weekdays(hall):
    assert is_open_day(hall, date(2030, 10, 1)) and not is_open_day(hall, date(2030, 10, 5))


def test_next_opening_after_lunch_after_hours_and_across_a_holiday(hall):
    assert next_opening(hall, wuhu(2026, 12, 2, 12, 30)) == wuhu(2026, 12, 2, 14)
    assert next_opening(hall, wuhu(2026, 12, 2, 20)) == wuhu(2026, 12, 3, 8, 30)
    assert next_opening(hall, wuhu(2026, 12, 4, 18)) == wuhu(2026, 12, 7, 8, 30)  # Friday → Monday
    assert next_opening(hall, wuhu(2026, 9, 30, 18)) == wuhu(2026, 10, 8, 8, 30)  # 国庆节 skipped
    assert next_opening(hall, wuhu(2026, 10, 9, 18)) == wuhu(2026, 10, 10, 8, 30)  # the make-up Saturday
    moment = wuhu(2026, 12, 2, 10)
    assert next_opening(hall, moment) == moment  # open now
    assert next_opening(DeskHours(frozenset(), ((0, 60),)), moment) is None


def test_an_opening_as_a_resident_hears_it():
    now = wuhu(2026, 12, 2, 12, 30)
    assert when_text(wuhu(2026, 12, 2, 14), now) == "今天14:00"
    assert when_text(wuhu(2026, 12, 3, 8, 30), now) == "明天（12月3日，周四）8:30"
    assert when_text(wuhu(2026, 12, 7, 8, 30), now) == "12月7日（周一）8:30"
    assert when_text(wuhu(2027, 1, 4, 8, 30), wuhu(2026, 12, 31, 20)) == "2027年1月4日（周一）8:30"


def test_the_desk_keeps_the_city_halls_hours_unless_the_deployment_sets_its_own(sessions, monkeypatch):
    monkeypatch.delenv(desk.HOURS_ENV, raising=False)
    assert describe(desk.desk_hours(sessions)) == "周一至周五 8:30-12:00、14:00-17:30（法定节假日除外）"
    monkeypatch.setenv(desk.HOURS_ENV, "周一至周日 7:00-22:00")
    assert describe(desk.desk_hours(sessions)) == "每天 7:00-22:00（法定节假日除外）"
    monkeypatch.setenv(desk.HOURS_ENV, "看公告")  # unreadable: the hall's hours, with a warning
    assert describe(desk.desk_hours(sessions)) == "周一至周五 8:30-12:00、14:00-17:30（法定节假日除外）"


def test_the_desk_state_says_when_it_opens_next(sessions, monkeypatch):
    monkeypatch.delenv(desk.HOURS_ENV, raising=False)
    state = desk.desk_state(sessions, wuhu(2026, 12, 5, 9))
    assert not state.open and state.next_opening == wuhu(2026, 12, 7, 8, 30)
    assert state.hours_text.startswith("周一至周五")

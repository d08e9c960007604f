"""The booking calendar follows the official 2026 arrangement (holidays and 调休上班)."""
from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.appointments.calendar import bookable_dates, is_bookable, is_working_day

MAKE_UP_WORKING_DAYS_2026 = [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
                             date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)]


@pytest.mark.parametrize("day", MAKE_UP_WORKING_DAYS_2026)
def test_2026_make_up_working_days_are_weekend_days_and_bookable(day):
    assert day.weekday() >= 5
    assert is_working_day(day) is True
    assert is_bookable(day, today=date.fromordinal(day.toordinal() - 3))


@pytest.mark.parametrize("day", [date(2026, 10, d) for d in range(1, 8)])
def test_national_day_2026_is_not_bookable(day):
    assert is_working_day(day) is False
    assert not is_bookable(day, today=date(2026, 9, 28))


def test_window_over_national_day_2026():
    assert bookable_dates(date(2026, 9, 28)) == [
        date(2026, 9, 29), date(2026, 9, 30),  # Tue, Wed
        date(2026, 10, 8), date(2026, 10, 9),  # after the holiday
        date(2026, 10, 10),                    # Saturday, 调休上班
        date(2026, 10, 12),                    # Monday (Sunday 11th is off)
    ]


def test_window_over_spring_festival_2026():
    # 2/8 is a Sunday, 2/14 a make-up Saturday, 2/15-2/23 the holiday.
    assert bookable_dates(date(2026, 2, 7)) == [date(2026, 2, d) for d in (9, 10, 11, 12, 13, 14)]


def test_ordinary_weekends_are_not_bookable_and_window_is_tomorrow_plus_13():
    today = date(2026, 3, 2)  # Monday
    dates = bookable_dates(today)
    assert today not in dates and dates[0] == date(2026, 3, 3)
    assert date(2026, 3, 7) not in dates and date(2026, 3, 8) not in dates  # Sat, Sun
    assert dates[-1] == date(2026, 3, 16)  # the 14th day
    assert len(dates) == 10
    assert not is_bookable(date(2026, 3, 17), today=today)  # 15th day
    assert not is_bookable(today, today=today)


def test_days_of_an_unknown_year_are_left_out_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.appointments.calendar"):
        dates = bookable_dates(date(2026, 12, 24))
    assert dates == [date(2026, 12, d) for d in (25, 28, 29, 30, 31)]
    assert "2027" in caplog.text
    assert is_working_day(date(2027, 1, 4)) is None


# --- one clock (issue 20): Wuhu's date, and why a day cannot be booked ----------------------

@pytest.mark.parametrize("utc_hour, minute, wuhu_day", [(16, 30, date(2026, 12, 2)), (15, 30, date(2026, 12, 1)),
                                                        (0, 0, date(2026, 12, 1))])
def test_local_today_is_wuhus_date_whatever_the_utc_date(monkeypatch, utc_hour, minute, wuhu_day):
    from datetime import datetime, timezone

    from bot.appointments import calendar

    monkeypatch.setattr(calendar, "now", lambda: datetime(2026, 12, 1, utc_hour, minute, tzinfo=timezone.utc))
    assert calendar.local_today() == wuhu_day


@pytest.mark.parametrize("day, why", [
    (date(2026, 11, 30), "11月30日已经过去了"),
    (date(2026, 12, 1), "当天不能预约，最早可以约明天"),
    (date(2026, 12, 5), "12月5日是周六，大厅不开放"),
    (date(2026, 12, 6), "12月6日是周日，大厅不开放"),
    (date(2026, 12, 16), "只能预约14天以内的日子（到12月15日），12月16日太远了"),
])
def test_why_not_bookable(day, why):
    from bot.appointments.calendar import why_not_bookable

    assert why_not_bookable(day, today=date(2026, 12, 1)) == why


def test_a_holiday_is_named_and_a_bookable_day_has_no_reason():
    from bot.appointments.calendar import why_not_bookable

    assert why_not_bookable(date(2026, 10, 1), today=date(2026, 9, 28)) == "10月1日是国庆节假期，大厅不开放"
    assert why_not_bookable(date(2026, 10, 10), today=date(2026, 9, 28)) is None  # 调休上班
    assert "2027年的节假日安排还没有公布" in why_not_bookable(date(2027, 1, 4), today=date(2026, 12, 24))

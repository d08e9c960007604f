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

"""Working-day deadlines across a holiday and a make-up working day (bot/evaluation/workdays.py)."""
from __future__ import annotations

from datetime import date, datetime

from bot.workdays import add_working_days, due_date, local_date, working_days_between


def test_an_ordinary_week():
    assert add_working_days(date(2026, 12, 1), 5) == date(2026, 12, 8)  # Tue → next Tue over a weekend


def test_national_day_is_skipped_and_the_make_up_saturday_counts():
    # 2026: 1-7 October are holidays, Friday the 9th and Saturday the 10th are working days (调休).
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_an_unpublished_year_counts_monday_to_friday():
    assert add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)  # Friday → Monday


def test_deadlines_use_the_local_date():
    # 17:00 UTC on 30 November is 01:00 on 1 December in Wuhu.
    assert local_date(datetime(2026, 11, 30, 17, 0)) == date(2026, 12, 1)
    assert due_date(datetime(2026, 11, 30, 17, 0), 1) == date(2026, 12, 2)

"""Reading dates the way residents say them (bot/flows/dates.py)."""
from __future__ import annotations

from datetime import date

import pytest

from bot.flows.dates import read_date

TUESDAY = date(2026, 12, 1)


@pytest.mark.parametrize("said, day", [
    ("今天", date(2026, 12, 1)), ("明天", date(2026, 12, 2)), ("后天", date(2026, 12, 3)),
    ("大后天", date(2026, 12, 4)),
    ("周五", date(2026, 12, 4)), ("星期五", date(2026, 12, 4)), ("礼拜天", date(2026, 12, 6)),
    ("周二", date(2026, 12, 8)),  # today is Tuesday: a bare 周二 is the next one
    ("这周一", date(2026, 11, 30)), ("下周六", date(2026, 12, 12)), ("下个星期三", date(2026, 12, 9)),
    ("下下周一", date(2026, 12, 14)),
    ("12月3号", date(2026, 12, 3)), ("12月3日", date(2026, 12, 3)), ("十二月三号", date(2026, 12, 3)),
    ("12月 3号", date(2026, 12, 3)), ("2026年12月24日", date(2026, 12, 24)),
    ("3号", date(2026, 12, 3)), ("二号", date(2026, 12, 2)), ("三十号", date(2026, 12, 30)),
    ("1月5日", date(2027, 1, 5)),  # said in December: next January
    ("11月30日", date(2026, 11, 30)),  # yesterday stays yesterday (the caller says it is gone)
    ("周五上午可以吗", date(2026, 12, 4)),
])
def test_days(said, day):
    assert read_date(said, TUESDAY).day == day


def test_a_day_of_the_month_already_gone_is_next_months():
    assert read_date("1号", date(2026, 12, 15)).day == date(2027, 1, 1)


def test_holidays_by_name():
    national = read_date("国庆节那天", TUESDAY)
    assert national.holiday == "国庆节" and national.day == date(2027, 10, 1)
    assert read_date("元旦", TUESDAY).day == date(2027, 1, 1)
    assert read_date("中秋", date(2026, 9, 1)) == read_date("中秋节", date(2026, 9, 1))
    assert read_date("中秋节", date(2026, 9, 1)).day == date(2026, 9, 25)


@pytest.mark.parametrize("said", ["1", "第一个", "两", "张伟", "", "随便"])
def test_replies_that_name_no_date(said):
    assert read_date(said, TUESDAY) is None


def test_an_impossible_date_is_recognised_but_has_no_day():
    reading = read_date("2月30日", TUESDAY)
    assert reading is not None and reading.day is None

"""Local time for staff: Asia/Shanghai unless GOV_TIMEZONE says otherwise; stored times stay UTC."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from console import timefmt


@pytest.fixture(autouse=True)
def default_zone(monkeypatch):
    monkeypatch.delenv(timefmt.TIMEZONE_ENV, raising=False)


def test_utc_half_past_four_pm_is_half_past_midnight_the_next_day():
    assert timefmt.format_time(datetime(2026, 3, 1, 16, 30)) == "2026-03-02 00:30"
    assert timefmt.format_time(datetime(2026, 3, 1, 16, 30, 5), seconds=True) == "2026-03-02 00:30:05"
    assert timefmt.to_local(datetime(2026, 3, 1, 16, 30)).date() == date(2026, 3, 2)
    assert timefmt.zone_label() == "北京时间"


def test_aware_times_and_timestamps_are_converted_too():
    aware = datetime(2026, 3, 1, 16, 30, tzinfo=timezone.utc)
    assert timefmt.format_time(aware) == "2026-03-02 00:30"
    assert timefmt.format_epoch(aware.timestamp()) == "2026-03-02 00:30"
    assert timefmt.format_time(None) == "—" and timefmt.format_time(None, empty="从未登录") == "从未登录"


def test_the_zone_comes_from_gov_timezone(monkeypatch):
    monkeypatch.setenv("GOV_TIMEZONE", "Europe/Berlin")
    assert timefmt.format_time(datetime(2026, 1, 15, 16, 30)) == "2026-01-15 17:30"  # CET, UTC+1
    assert timefmt.zone_label() == "Europe/Berlin"
    monkeypatch.setenv("GOV_TIMEZONE", "UTC")
    assert timefmt.format_time(datetime(2026, 1, 15, 16, 30)) == "2026-01-15 16:30"
    monkeypatch.setenv("GOV_TIMEZONE", "  ")
    assert timefmt.zone_key() == "Asia/Shanghai"


@pytest.mark.parametrize("name", ["Asia/Wuhu", "../etc/passwd", "not a zone"])
def test_an_unknown_zone_is_refused(monkeypatch, name):
    monkeypatch.setenv("GOV_TIMEZONE", name)
    with pytest.raises(timefmt.InvalidTimezone, match="GOV_TIMEZONE"):
        timefmt.local_zone()


def test_local_days_become_utc_ranges():
    since, until = timefmt.day_range_utc(date(2026, 3, 2), date(2026, 3, 2))
    assert (since, until) == (datetime(2026, 3, 1, 16, 0), datetime(2026, 3, 2, 16, 0))
    assert timefmt.day_range_utc(None, None) == (None, None)
    assert timefmt.local_today(datetime(2026, 3, 1, 16, 30)) == date(2026, 3, 2)

"""Response-time medians read once for a period (bot/analytics/response_times.py), against the
hand-computed fixture of tests/support/analytics.py and report.overview's own query."""
from __future__ import annotations

from datetime import date

import pytest

from bot.analytics import report, response_times
from bot.analytics.report import Filters
from tests.support.analytics import PERIOD, load_fixture

TODAY = date(2026, 12, 3)


@pytest.fixture()
def fixture_db(catalogue_backend):
    load_fixture(catalogue_backend)
    return catalogue_backend


def overview_median(db, **only) -> float | None:
    return report.overview(db, Filters(PERIOD.start, PERIOD.end, **only), today=TODAY).median_response_ms


def test_medians_per_period_agree_with_the_overview(fixture_db):
    times = response_times.load(fixture_db, PERIOD)
    assert times.median() == overview_median(fixture_db)
    days = dict(times.by_period("day"))
    assert sorted(days) == [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 7)]
    assert times.by_period("month") == [(date(2026, 12, 1), times.median())]
    assert report.overview(fixture_db, PERIOD, today=TODAY, median=False).median_response_ms is None


def test_medians_per_dimension_agree_with_the_filtered_overview(fixture_db):
    times = response_times.load(fixture_db, PERIOD, report.DIMENSIONS)
    by_channel = times.by("channel")
    assert set(by_channel) == {"webchat", "wechat"} and by_channel["wechat"] == overview_median(fixture_db,
                                                                                                channel="wechat")
    by_service = times.by("service")
    assert set(by_service) == {"sbk-apply", "elderly-allowance", "未知"}  # 未知: replies before any service
    assert by_service["sbk-apply"] == overview_median(fixture_db, service="sbk-apply")
    by_department = times.by("department")
    assert by_department["市民政局"] == by_service["elderly-allowance"] == overview_median(
        fixture_db, department="市民政局")
    assert "未知" not in by_department
    by_district = times.by("district")
    assert set(by_district) == {"镜湖区", "未知"} and by_district["镜湖区"] == overview_median(fixture_db,
                                                                                               district="镜湖区")
    with pytest.raises(ValueError):
        times.by("street")


def test_only_the_dimensions_read_are_answered_and_channels_alone_need_no_detail(fixture_db):
    channels = response_times.load(fixture_db, PERIOD, ["channel"])
    assert channels.by("channel") == response_times.load(fixture_db, PERIOD, report.DIMENSIONS).by("channel")
    with pytest.raises(LookupError):
        channels.by("service")
    with pytest.raises(ValueError):
        response_times.load(fixture_db, PERIOD, ["street"])


def test_filters_apply_before_the_medians(fixture_db):
    wechat = response_times.load(fixture_db, Filters(PERIOD.start, PERIOD.end, channel="wechat"), ["channel"])
    assert set(wechat.by("channel")) == {"wechat"} and wechat.median() == overview_median(fixture_db, channel="wechat")
    sbk = response_times.load(fixture_db, Filters(PERIOD.start, PERIOD.end, service="sbk-apply"), ["channel"])
    assert set(sbk.by("channel")) == {"webchat"} and sbk.median() == overview_median(fixture_db, service="sbk-apply")
    nothing = response_times.load(fixture_db, Filters(date(2027, 1, 1), date(2027, 1, 31)), ["service"])
    assert nothing.median() is None and nothing.by_period("week") == [] and nothing.by("service") == {}

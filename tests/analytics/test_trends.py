"""Ratings, response times and follow-ups per period and per dimension (bot/analytics/trends.py),
and the public results (published.py), on the hand-computed fixture, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.analytics import report, trends
from bot.analytics.published import published
from bot.analytics.report import Filters
from bot.evaluation import ratings
from bot.evaluation.invitations import Context, subject_of
from bot.evaluation.levels import Level
from tests.support.analytics import PERIOD, load_fixture


@pytest.fixture()
def fixture_db(catalogue_backend):
    load_fixture(catalogue_backend)
    return catalogue_backend


def test_periods_cover_every_day_of_the_filters():
    assert trends.periods(PERIOD, "week") == [date(2026, 11, 30), date(2026, 12, 7)]
    assert trends.periods(Filters(date(2026, 11, 29), date(2027, 1, 1)), "month") == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert len(trends.periods(PERIOD, "day")) == 14


def test_ratings_per_period_count_local_days(fixture_db):
    # 23:30 on 1 December in Wuhu is 15:30 UTC: a local 1 December rating, not the 2nd's or the 30th's.
    ratings.invite(fixture_db, conversation_id="web:late", subject=subject_of(Context.ANSWER, "sbk-apply"),
                   channel="webchat", service_id="sbk-apply", now=datetime(2026, 12, 1, 15, 30))
    ratings.rate(fixture_db, conversation_id="web:late", level=Level.VERY_SATISFIED, now=datetime(2026, 12, 1, 15, 30))
    days = dict(trends.rating_series(fixture_db, PERIOD, "day"))
    assert days == {date(2026, 12, 1): {5: 1}, date(2026, 12, 2): {4: 1, 2: 1}}  # the set-aside one is not counted
    assert dict(trends.rating_series(fixture_db, PERIOD, "week")) == {date(2026, 11, 30): {5: 1, 4: 1, 2: 1}}
    overall = report.overview(fixture_db, PERIOD, today=date(2026, 12, 3)).ratings
    assert overall == {5: 1, 4: 1, 2: 1}


def test_ratings_and_followups_per_dimension(fixture_db):
    assert trends.ratings_by(fixture_db, PERIOD, "service") == {"sbk-apply": {4: 1}, "elderly-allowance": {2: 1}}
    assert trends.ratings_by(fixture_db, PERIOD, "department") == {"市人力资源和社会保障局": {4: 1}, "市民政局": {2: 1}}
    assert trends.ratings_by(fixture_db, PERIOD, "district") == {"未知": {4: 1, 2: 1}}
    # The follow-up is due 9 December: open on the 9th, overdue on the 10th.
    assert trends.followups_by(fixture_db, PERIOD, "department", today=date(2026, 12, 9)) == {"市民政局": (1, 0)}
    assert trends.followups_by(fixture_db, PERIOD, "service", today=date(2026, 12, 10)) == {"elderly-allowance": (1, 1)}
    assert trends.followups_by(fixture_db, Filters(PERIOD.start, PERIOD.end, service="sbk-apply"), "channel",
                               today=date(2026, 12, 10)) == {}


def test_published_results(fixture_db):
    data = published(fixture_db, start=PERIOD.start, end=PERIOD.end, today=date(2026, 12, 10))
    assert [(r.key, r.total, r.poor) for r in data.by_service] == [("elderly-allowance", 1, 1), ("sbk-apply", 1, 0)]
    assert data.overall.satisfaction == pytest.approx(0.5)
    assert (data.overall.followups_due, data.overall.followups_on_time) == (1, 0)  # open past its deadline
    before = published(fixture_db, start=PERIOD.start, end=PERIOD.end, today=date(2026, 12, 9))
    assert before.overall.followups_due == 0  # the deadline day itself is not late


def test_days_rolled_up_are_the_weeks_and_months_of_report(fixture_db):
    wide = Filters(date(2026, 11, 1), date(2026, 12, 31))
    days = report.series(fixture_db, wide, "day")
    for grain in ("week", "month"):
        assert trends.roll_up(days, grain) == report.series(fixture_db, wide, grain)
    assert trends.roll_up(days, "day") == days

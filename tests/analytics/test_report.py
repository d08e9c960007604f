"""The dashboard's figures against a small fixture computed by hand (bot/analytics/report.py).

The fixture (local dates, Wuhu):
  A  Tue 1 Dec, web chat, 镜湖区: answered sbk-apply, resolved, 4 turns, response times 120/330/1200/60 ms.
  B  Wed 2 Dec, WeChat: 1 fallback turn, elderly-allowance flow cancelled at step 2, hand-off at the end:
     not resolved, 6 turns (1 fallback).
  C  Mon 7 Dec, web chat, 镜湖区: the same as A, on another day and week.
Ratings: 满意 for sbk-apply (web chat), 不满意 for elderly-allowance (WeChat) with an open follow-up,
and a 非常不满意 set aside on appeal (not counted).
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.analytics import report
from bot.analytics.report import Filters
from bot.analytics.store import apply_batch
from bot.evaluation import appeals, ratings
from bot.evaluation.invitations import Context, subject_of
from bot.evaluation.levels import Level
from tests.analytics.events import T0, answered_conversation, flow_dropped_at_step_2

DAY = 86400
TUE_1_DEC = T0 - DAY  # 16:26 local on Tuesday 1 December 2026
WEEK = Filters(start=date(2026, 11, 30), end=date(2026, 12, 13))


@pytest.fixture()
def fixture_db(catalogue_backend):
    db = catalogue_backend
    with db.begin() as session:
        apply_batch(session, [("web:aaaaaaaa01", e) for e in answered_conversation(TUE_1_DEC)])
        apply_batch(session, [("wechat:openid-b", e) for e in flow_dropped_at_step_2(TUE_1_DEC + DAY)])
        apply_batch(session, [("web:cccccccc03", e) for e in answered_conversation(TUE_1_DEC + 6 * DAY)])
    now = datetime(2026, 12, 2, 3, 0)
    for conversation, channel, service, level in (("web:aaaaaaaa01", "webchat", "sbk-apply", Level.SATISFIED),
                                                  ("wechat:openid-b", "wechat", "elderly-allowance",
                                                   Level.DISSATISFIED),
                                                  ("web:cccccccc03", "webchat", "sbk-apply", Level.VERY_DISSATISFIED)):
        ratings.invite(db, conversation_id=conversation, subject=subject_of(Context.ANSWER, service), channel=channel,
                       service_id=service, now=now)
        rated = ratings.rate(db, conversation_id=conversation, level=level, now=now)
    appeal = appeals.request_appeal(db, rating_id=rated.id, requested_by="zhang", reason="恶意")
    appeals.decide(db, appeal_id=appeal.id, decided_by="admin", approve=True, note="属实")
    return db


def test_overview(fixture_db):
    view = report.overview(fixture_db, WEEK, today=date(2026, 12, 10))
    c = view.counts
    assert (c.conversations, c.resolved, c.turns, c.fallback_turns, c.handoffs) == (3, 2, 14, 1, 1)
    assert (c.flows_started, c.flows_submitted) == (1, 0)
    assert c.resolution_rate == pytest.approx(2 / 3) and c.fallback_rate == pytest.approx(1 / 14)
    assert view.ratings == {Level.SATISFIED: 1, Level.DISSATISFIED: 1}
    # Response times: A and C 60, 120, 330, 1200 ms each; B four replies of about 200 ms (its
    # 不办了 got no reply): twelve, the middle two in the 150-250 ms buckets.
    assert view.median_response_ms is not None and 150 <= view.median_response_ms < 250
    assert (view.followups_open, view.followups_overdue) == (1, 1)  # due 9 Dec (5 working days after 2 Dec)


def test_filters_by_channel_district_service_and_department(fixture_db):
    wechat = report.overview(fixture_db, Filters(WEEK.start, WEEK.end, channel="wechat"), today=date(2026, 12, 3))
    assert (wechat.counts.conversations, wechat.counts.resolved, wechat.counts.handoffs) == (1, 0, 1)
    assert wechat.ratings == {Level.DISSATISFIED: 1}
    jinghu = report.overview(fixture_db, Filters(WEEK.start, WEEK.end, district="镜湖区"), today=date(2026, 12, 3))
    assert jinghu.counts.conversations == 2
    civil = report.overview(fixture_db, Filters(WEEK.start, WEEK.end, department="市民政局"),
                            today=date(2026, 12, 3))
    assert (civil.counts.conversations, civil.followups_open, civil.followups_overdue) == (1, 1, 0)
    sbk = report.overview(fixture_db, Filters(WEEK.start, WEEK.end, service="sbk-apply"), today=date(2026, 12, 3))
    assert (sbk.counts.conversations, sbk.counts.resolved) == (2, 2)


def test_the_median_follows_the_service_district_and_department_filters(fixture_db):
    def median(**only):
        return report.overview(fixture_db, Filters(WEEK.start, WEEK.end, **only), today=date(2026, 12, 3)
                               ).median_response_ms

    # sbk-apply: A's and C's replies from its answer on, 330, 1200 and 60 ms each (the greeting
    # came before the service): buckets 50, 300, 1000 twice each; the median is in the 300 bucket.
    assert median(service="sbk-apply") == pytest.approx(300 + 50 * (3 - 2) / 2)
    # 镜湖区: the replies once the district was said, 1200 and 60 ms, twice.
    assert median(district="镜湖区") == pytest.approx(50 + 50 * 2 / 2)
    # 市民政局 owns elderly-allowance: B's replies of about 200 ms from its answer on.
    civil = median(department="市民政局")
    assert civil == median(service="elderly-allowance") and civil is not None and 150 <= civil < 250
    assert median(service="sbk-apply", channel="wechat") is None


def test_series_by_day_week_and_month(fixture_db):
    days = report.series(fixture_db, WEEK, "day")
    assert [(d, c.conversations) for d, c in days] == [
        (date(2026, 12, 1), 1), (date(2026, 12, 2), 1), (date(2026, 12, 7), 1)]
    weeks = report.series(fixture_db, WEEK, "week")
    assert [(d, c.conversations, c.resolved) for d, c in weeks] == [
        (date(2026, 11, 30), 2, 1), (date(2026, 12, 7), 1, 1)]
    months = report.series(fixture_db, WEEK, "month")
    assert [(d, c.conversations) for d, c in months] == [(date(2026, 12, 1), 3)]


def test_by_dimension_and_drop_off(fixture_db):
    by_service = dict(report.by_dimension(fixture_db, WEEK, "service"))
    assert by_service["sbk-apply"].conversations == 2 and by_service["elderly-allowance"].conversations == 1
    by_channel = {k: c.conversations for k, c in report.by_dimension(fixture_db, WEEK, "channel")}
    assert by_channel == {"webchat": 2, "wechat": 1}
    by_district = {k: c.conversations for k, c in report.by_dimension(fixture_db, WEEK, "district")}
    assert by_district == {"镜湖区": 2, "未知": 1}
    by_department = {k: c.conversations for k, c in report.by_dimension(fixture_db, WEEK, "department")}
    assert by_department["市民政局"] == 1
    assert report.drop_off(fixture_db, WEEK) == [("elderly-allowance", 2, 1)]


def test_median_from_a_histogram():
    assert report.median_from_histogram([]) is None
    assert report.median_from_histogram([(100, 1), (300, 1), (1000, 1)]) == pytest.approx(300 + 50 * 0.5)
    assert report.median_from_histogram([(50, 2), (100, 2)]) == pytest.approx(100.0)
    assert report.median_from_histogram([(1000, 4)]) == pytest.approx(1125.0)  # 1000-1250 ms bucket

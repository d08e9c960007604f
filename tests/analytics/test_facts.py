"""Events to facts (bot/analytics/facts.py, store.py), on the application database."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.analytics.facts import BUCKETS_MS, bucket_of, channel_of
from bot.analytics.models import (
    AnalyticsFlowRun,
    AnalyticsResponseTime,
    AnalyticsServiceResponseTime,
    AnalyticsSession,
    AnalyticsSessionService,
)
from bot.analytics.store import apply_batch
from tests.analytics.events import (
    T0,
    answered_conversation,
    flow_dropped_at_step_2,
    guided_flow,
    session_start,
    user,
)


def _apply(sessions, conversation, events):
    with sessions.begin() as session:
        return apply_batch(session, [(conversation, e) for e in events])


def _rows(sessions):
    with sessions() as session:
        return session.execute(select(AnalyticsSession).order_by(AnalyticsSession.id)).scalars().all()


def test_an_answered_conversation(sessions):
    events = answered_conversation()
    assert _apply(sessions, "web:aaaaaaaa01", events) == len(events)
    [row] = _rows(sessions)
    assert (row.channel, row.district, row.last_service, row.turns, row.fallbacks) == (
        "webchat", "镜湖区", "sbk-apply", 4, 0)
    assert row.answered and not row.last_turn_fallback and not row.handoff and row.flow is None
    assert row.day == date(2026, 12, 2)
    with sessions() as session:
        assert session.execute(select(AnalyticsSessionService.service_id)).scalars().all() == ["sbk-apply"]
        counts = dict(session.execute(select(AnalyticsResponseTime.bucket_ms, AnalyticsResponseTime.count)).all())
    # 0.12 s (greeting), 0.33 s (service), 1.2 s (district), 0.06 s (thanks)
    assert counts == {100: 1, 300: 1, 1000: 1, 50: 1}


def test_a_reply_counts_for_the_service_and_district_its_turn_ended_on(sessions):
    _apply(sessions, "web:aaaaaaaa01", answered_conversation())
    with sessions() as session:
        R = AnalyticsServiceResponseTime
        rows = session.execute(select(R.bucket_ms, R.service, R.district)).all()
    # The service's slot comes after its answer, and the district's before its reply.
    assert sorted(rows) == [(50, "sbk-apply", "镜湖区"), (100, "", ""), (300, "sbk-apply", ""),
                            (1000, "sbk-apply", "镜湖区")]


def _runs(sessions):
    with sessions() as session:
        return [(r.seq, r.flow, r.step, r.outcome) for r in session.execute(
            select(AnalyticsFlowRun).order_by(AnalyticsFlowRun.seq)).scalars()]


def test_every_flow_of_a_session_is_a_run_and_the_rating_reason_is_not_one(sessions):
    events = [*session_start(T0), *guided_flow(T0 + 10, "sbk-loss", steps_shown=3, outcome="cancelled"),
              *guided_flow(T0 + 30, "elderly-allowance", steps_shown=6, outcome="submitted"),
              *guided_flow(T0 + 50, "rating_reason", steps_shown=1, outcome="submitted", of=1),
              *guided_flow(T0 + 70, "sbk-loss", steps_shown=2, outcome=None)]
    _apply(sessions, "web:dddddddd04", events[:25])  # split inside the second flow
    _apply(sessions, "web:dddddddd04", events[25:])
    [row] = _rows(sessions)
    assert (row.flows_started, row.flows_submitted) == (3, 1)
    assert _runs(sessions) == [(1, "sbk-loss", 3, "cancelled"), (2, "elderly-allowance", 6, "submitted"),
                               (3, "sbk-loss", 2, None)]


def test_fallback_flow_drop_off_and_handoff(sessions):
    _apply(sessions, "wechat:openid-1", flow_dropped_at_step_2(T0))
    [row] = _rows(sessions)
    assert (row.channel, row.fallbacks, row.flow, row.flow_step, row.flow_steps, row.flow_outcome) == (
        "wechat", 1, "elderly-allowance", 2, 6, "cancelled")
    assert row.handoff and row.handoff_open and row.answered


def test_a_conversation_split_across_batches_is_one_session(sessions):
    events = answered_conversation()
    _apply(sessions, "rest:x", events[:7])
    _apply(sessions, "rest:x", events[7:])
    [row] = _rows(sessions)
    assert (row.turns, row.last_service) == (4, "sbk-apply")
    _apply(sessions, "rest:y", answered_conversation())  # the same reply times again, in one batch
    with sessions() as session:
        for model in (AnalyticsResponseTime, AnalyticsServiceResponseTime):
            counts = session.execute(select(model.bucket_ms, model.count)).all()
            assert sorted(counts) == [(50, 2), (100, 2), (300, 2), (1000, 2)], model.__tablename__


def test_a_new_rasa_session_is_a_new_row(sessions):
    later = T0 + 3 * 3600
    _apply(sessions, "web:bbbbbbbb02", answered_conversation() + session_start(later)
           + [user(later + 1, "你好", "greet")])
    first, second = _rows(sessions)
    assert (first.turns, second.turns) == (4, 1)
    assert second.started_ts > first.started_ts and second.last_service is None


def test_buckets_and_channels():
    assert bucket_of(0) == 0 and bucket_of(49.9) == 0 and bucket_of(50) == 50
    assert bucket_of(1100) == 1000 and bucket_of(4999) == 4750 and bucket_of(120_000) == BUCKETS_MS[-1]
    assert [channel_of(c) for c in ("web:x", "wechat:o", "rest:r", "cli")] == ["webchat", "wechat", "rest", "other"]

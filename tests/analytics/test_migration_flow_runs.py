"""Revision 0011 on a database at 0010 holding facts, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from bot.db import make_engine
from bot.migrations import runner
from tests.support.schema import BACKENDS, database_at, schema_diff

AT_0010 = "0010_analytics_report_index"
SESSION = ("INSERT INTO analytics_sessions (id, conversation_id, started_ts, started_at, day, channel, turns, "
           "fallbacks, answered, last_turn_fallback, handoff, handoff_open, flow, flow_step, flow_steps, flow_outcome, "
           "last_ts) VALUES ({id}, 'web:{id}', 1796200000, '2026-12-02 08:26:40', '2026-12-02', 'webchat', 3, 0, "
           "{false}, {false}, {false}, {false}, {flow}, {step}, 6, {outcome}, 1796200009)")


def _facts(connection) -> None:
    false = "false" if connection.dialect.name == "postgresql" else "0"
    for id_, flow, step, outcome in ((1, "'sbk-loss'", 2, "'cancelled'"), (2, "'elderly-allowance'", 6, "'submitted'"),
                                     (3, "'rating_reason'", "NULL", "'submitted'"), (4, "NULL", "NULL", "NULL")):
        connection.execute(text(SESSION.format(id=id_, flow=flow, step=step, outcome=outcome, false=false)))
    connection.execute(text("INSERT INTO analytics_response_times (day, channel, bucket_ms, count) "
                            "VALUES ('2026-12-02', 'webchat', 300, 7)"))


@pytest.fixture(params=BACKENDS)
def url_at_0010(request, tmp_path, keys) -> Iterator[str]:
    with database_at(request.param, tmp_path, AT_0010, _facts) as url:
        yield url


def test_0011_carries_each_latest_flow_and_the_response_times_over(url_at_0010):
    assert runner.migrate(make_engine(url_at_0010)) == "upgraded"
    assert schema_diff(url_at_0010) == []
    with make_engine(url_at_0010).connect() as connection:
        counts = connection.execute(text("SELECT id, flows_started, flows_submitted FROM analytics_sessions "
                                         "ORDER BY id")).all()
        runs = connection.execute(text("SELECT session_id, seq, flow, step, outcome FROM analytics_flow_runs "
                                       "ORDER BY session_id")).all()
        times = connection.execute(text("SELECT channel, bucket_ms, count FROM analytics_response_times")).all()
        detailed = connection.execute(text("SELECT count(*) FROM analytics_service_response_times")).scalar()
    assert [tuple(r) for r in counts] == [(1, 1, 0), (2, 1, 1), (3, 0, 0), (4, 0, 0)]  # 评价原因 is no service flow
    assert [tuple(r) for r in runs] == [(1, 1, "sbk-loss", 2, "cancelled"), (2, 1, "elderly-allowance", 6, "submitted")]
    assert [tuple(r) for r in times] == [("webchat", 300, 7)] and detailed == 0  # kept, and the new one empty

    runner.downgrade(make_engine(url_at_0010), AT_0010)
    with make_engine(url_at_0010).connect() as connection:
        assert connection.execute(text("SELECT bucket_ms, count FROM analytics_response_times")).all() == [(300, 7)]
        assert "analytics_service_response_times" not in inspect(connection).get_table_names()
        assert connection.execute(text("SELECT count(*) FROM analytics_sessions")).scalar() == 4
    assert runner.migrate(make_engine(url_at_0010)) == "upgraded"  # and up again

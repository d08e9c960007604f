"""The SQL event broker and the worker (bot/analytics/broker.py, sources.py, worker.py)."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.analytics import worker
from bot.analytics.broker import LocalEventBroker
from bot.analytics.models import AnalyticsSession
from bot.analytics.sources import BROKER_EVENTS, SqlSource
from tests.analytics.events import T0, answered_conversation, flow_dropped_at_step_2


def _publish(broker, conversation, events):
    broker.publish_many([{"sender_id": conversation, **e} for e in events])


def _broker_rows(source) -> list[int]:
    with source.engine.connect() as connection:
        return list(connection.execute(select(BROKER_EVENTS.c.id).order_by(BROKER_EVENTS.c.id)).scalars())


def test_events_are_applied_once_and_deleted_once_applied(sessions, tmp_path):
    db = str(tmp_path / "events.db")
    broker, source = LocalEventBroker(db), SqlSource(db, idle_wait_s=0)
    _publish(broker, "web:aaaaaaaa01", answered_conversation())
    applied = asyncio.run(worker.run_once(sessions, source))
    assert applied == len(answered_conversation())
    assert asyncio.run(worker.run_once(sessions, source)) == 0  # nothing new: nothing applied twice
    # Only the last consumed row stays, so SQLite keeps numbering after it.
    assert _broker_rows(source) == [applied]
    _publish(broker, "wechat:openid-1", flow_dropped_at_step_2(T0 + 60))
    assert _broker_rows(source)[1] == applied + 1
    assert asyncio.run(worker.run_once(sessions, source)) == len(flow_dropped_at_step_2(T0))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AnalyticsSession)) == 2


def test_a_batch_limit_splits_work_without_losing_events(sessions, tmp_path):
    db = str(tmp_path / "events.db")
    broker, source = LocalEventBroker(db), SqlSource(db, idle_wait_s=0)
    events = answered_conversation()
    _publish(broker, "rest:split", events)
    total = 0
    while (applied := asyncio.run(worker.run_once(sessions, source, limit=5))):
        total += applied
    assert total == len(events)
    with sessions() as session:
        row = session.execute(select(AnalyticsSession)).scalar_one()
        assert (row.turns, row.last_service) == (4, "sbk-apply")


def test_the_broker_file_is_private(tmp_path):
    LocalEventBroker(str(tmp_path / "private" / "events.db"))
    assert (tmp_path / "private" / "events.db").stat().st_mode & 0o077 == 0


def test_the_worker_reads_the_brokers_settings():
    from bot.analytics.sources import RabbitSource

    env = {"GOV_ANALYTICS_SOURCE": "rabbitmq", "RABBITMQ_HOST": "mq.internal", "RABBITMQ_PORT": "5673",
           "RABBITMQ_USERNAME": "gov", "RABBITMQ_PASSWORD": "p@ss/word", "RABBITMQ_QUEUE": "gov_events"}
    source = worker.source_from_env(env)
    assert isinstance(source, RabbitSource)
    assert (source.url, source.queue_name) == ("amqp://gov:p%40ss%2Fword@mq.internal:5673/", "gov_events")

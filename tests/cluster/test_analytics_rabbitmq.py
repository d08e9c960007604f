"""The analytics worker on the cluster's RabbitMQ queue (bot/analytics/sources.py RabbitSource).

Events go through Rasa's own pika broker, as deploy/cluster/endpoints.yml publishes them,
and the worker acknowledges them only after their facts are committed.
"""
from __future__ import annotations

import asyncio
import secrets

import aio_pika
import rasa.shared.core.events  # noqa: F401 - the pika broker uses it without importing it
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import select

from bot.analytics import worker
from bot.analytics.models import AnalyticsSession
from bot.analytics.sources import RabbitSource
from bot.db import session_factory
from tests.analytics.events import answered_conversation
from tests.support.backing_services import RABBITMQ_URL, delete_queue, rabbitmq_settings, require


async def _publish(queue: str, events: list[dict]) -> None:
    settings = rabbitmq_settings()
    broker = await EventBroker.create(EndpointConfig(
        url=settings["rabbitmq_host"], type="pika", port=settings["rabbitmq_port"],
        username=settings["rabbitmq_username"], password=settings["rabbitmq_password"], queues=[queue],
        connection_attempts=2, retry_delay_in_seconds=1))
    assert broker is not None
    try:
        for event in events:
            broker.publish({"sender_id": "wechat:openid-rabbit", **event})
        await asyncio.sleep(0.5)  # the pika broker publishes from background tasks
    finally:
        await broker.close()


async def _left_on(queue: str) -> int:
    connection = await aio_pika.connect(RABBITMQ_URL)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True, passive=True)
        return int(declared.declaration_result.message_count or 0)
    finally:
        await connection.close()


def test_events_from_rasas_pika_broker_become_facts_and_are_acknowledged(tmp_path, keys):
    require("rabbitmq")
    queue = f"gov_test_analytics_{secrets.token_hex(4)}"
    sessions = session_factory(f"sqlite:///{tmp_path / 'app.db'}")
    events = answered_conversation()

    async def scenario() -> int:
        await _publish(queue, events)
        source = await RabbitSource(RABBITMQ_URL, queue, idle_wait_s=1.0).open()
        try:
            applied = 0
            while applied < len(events):
                got = await worker.run_once(sessions, source)
                if not got:
                    break
                applied += got
            return applied
        finally:
            await source.close()

    try:
        assert asyncio.run(scenario()) == len(events)
        assert asyncio.run(_left_on(queue)) == 0  # every message acknowledged
    finally:
        delete_queue(queue)
    with sessions() as session:
        row = session.execute(select(AnalyticsSession)).scalar_one()
    assert (row.channel, row.turns, row.last_service, row.district) == ("wechat", 4, "sbk-apply", "镜湖区")

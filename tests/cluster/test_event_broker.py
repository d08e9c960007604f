"""Events streamed to RabbitMQ (the cluster's event broker) are masked like the stored ones."""
from __future__ import annotations

import asyncio
import json
import secrets
import time

import aio_pika
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.logging_setup import uninstall_log_masking
from bot.tracker_store import MaskingSQLTrackerStore
from tests.support.backing_services import RABBITMQ_URL, rabbitmq_settings, require
from tests.support.ids import id_number

ID_NUMBER = id_number("19400315")
PHONE = "13812345678"


async def consume(queue_name: str, expected: int, seconds: float = 20) -> list[dict]:
    """The messages on the queue, waiting up to `seconds` for `expected` of them; then the queue goes."""
    connection = await aio_pika.connect(RABBITMQ_URL)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        bodies: list[dict] = []
        deadline = time.monotonic() + seconds
        while len(bodies) < expected and time.monotonic() < deadline:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.1)  # published by a background task of the broker
                continue
            bodies.append(json.loads(message.body))
        await channel.queue_delete(queue_name)
        return bodies
    finally:
        await connection.close()


def test_events_published_to_rabbitmq_carry_no_unmasked_numbers(pg_url):
    require("rabbitmq")
    queue = f"gov_test_{secrets.token_hex(4)}"
    rabbitmq = rabbitmq_settings()

    async def scenario() -> list[dict]:
        broker = await EventBroker.create(EndpointConfig(
            url=rabbitmq["rabbitmq_host"], type="pika", port=rabbitmq["rabbitmq_port"],
            username=rabbitmq["rabbitmq_username"], password=rabbitmq["rabbitmq_password"], queues=[queue],
            connection_attempts=2, retry_delay_in_seconds=1))
        store = MaskingSQLTrackerStore(domain=Domain.empty(), host=pg_url, event_broker=broker)
        try:
            tracker = DialogueStateTracker("rest:broker-test", [])
            text = f"身份证{ID_NUMBER}，电话{PHONE}"
            parse = {"text": text, "intent": {"name": "inform", "confidence": 0.9}, "entities": []}
            for event in (ActionExecuted("action_listen"), UserUttered(text, parse["intent"], [], parse),
                          BotUttered(f"您的电话是{PHONE}吗？")):
                tracker.update(event)
            await store.save(tracker)
            return await consume(queue, expected=3)
        finally:
            store.engine.dispose()
            await broker.close()

    try:
        events = asyncio.run(scenario())
    finally:
        uninstall_log_masking()
    assert [e["event"] for e in events] == ["action", "user", "bot"]
    streamed = json.dumps(events, ensure_ascii=False)
    assert ID_NUMBER not in streamed and PHONE not in streamed
    assert f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}" in events[1]["text"] and "138****5678" in events[2]["text"]

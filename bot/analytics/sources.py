"""Where the worker reads events: the SQL broker's table, or a RabbitMQ queue (cluster).

Both give batches of (conversation id, event) in delivery order and are told when the
batch's facts are committed: the SQL source then deletes the rows (events are kept no
longer than needed), RabbitMQ acknowledges the messages.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from rasa.core.brokers.sql import SQLEventBroker
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from bot.analytics.broker import events_url
from bot.db import make_engine

logger = logging.getLogger(__name__)
Batch = list[tuple[str, dict[str, Any]]]
BROKER_EVENTS = SQLEventBroker.SQLBrokerEvent.__table__


@dataclass(frozen=True)
class Read:
    events: Batch
    #: The position to store with the facts (SQL: the last row id; RabbitMQ: unused).
    position: int


class Source(Protocol):
    name: str

    async def read(self, after: int, limit: int) -> Read:
        """Up to `limit` events after position `after` (waiting briefly when there are none)."""

    async def done(self, read: Read) -> None:
        """The facts of `read` are committed."""


def _decode(sender_id: str | None, data: str | bytes) -> tuple[str, dict[str, Any]] | None:
    try:
        event = json.loads(data)
    except ValueError:
        logger.warning("an event the broker holds is not JSON; skipped")
        return None
    if not isinstance(event, dict):
        return None
    conversation = sender_id or event.get("sender_id")
    return (str(conversation), event) if conversation else None


class SqlSource:
    """The ``events`` table of the SQL event broker (broker.py), read by id."""

    name = "sql-broker"

    def __init__(self, db: str, engine: Engine | None = None, idle_wait_s: float = 0.2) -> None:
        self.engine = engine or make_engine(events_url(db))
        self.idle_wait_s = idle_wait_s
        BROKER_EVENTS.create(self.engine, checkfirst=True)

    def _rows(self, after: int, limit: int) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(
                select(BROKER_EVENTS.c.id, BROKER_EVENTS.c.sender_id, BROKER_EVENTS.c.data)
                .where(BROKER_EVENTS.c.id > after).order_by(BROKER_EVENTS.c.id).limit(limit)).all())

    async def read(self, after: int, limit: int) -> Read:
        rows = await asyncio.to_thread(self._rows, after, limit)
        if not rows:
            await asyncio.sleep(self.idle_wait_s)
            return Read([], after)
        events = [decoded for _, sender, data in rows if (decoded := _decode(sender, data)) is not None]
        return Read(events, int(rows[-1][0]))

    def _delete(self, position: int) -> None:
        # The row at `position` stays: Rasa's table has no AUTOINCREMENT, and SQLite numbers a
        # new row max(id) + 1, so emptying the table would restart ids below the checkpoint.
        with self.engine.begin() as connection:
            connection.execute(delete(BROKER_EVENTS).where(BROKER_EVENTS.c.id < position))

    async def done(self, read: Read) -> None:
        await asyncio.to_thread(self._delete, read.position)


class RabbitSource:
    """The RabbitMQ queue the cluster's pika broker publishes to (deploy/cluster/endpoints.yml).

    Messages are acknowledged only after their facts are committed (:meth:`done`), so a
    worker that dies loses nothing: RabbitMQ delivers the batch again.
    """

    name = "rabbitmq"

    def __init__(self, url: str, queue: str, idle_wait_s: float = 0.2) -> None:
        self.url, self.queue_name, self.idle_wait_s = url, queue, idle_wait_s
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._unacked: list[Any] = []
        self._connection: Any = None

    async def open(self, prefetch: int = 2000) -> RabbitSource:
        import aio_pika

        self._connection = await aio_pika.connect_robust(self.url)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        queue = await channel.declare_queue(self.queue_name, durable=True)
        await queue.consume(self._inbox.put)
        return self

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def read(self, after: int, limit: int) -> Read:
        events: Batch = []
        try:
            message = await asyncio.wait_for(self._inbox.get(), self.idle_wait_s)
        except asyncio.TimeoutError:
            return Read(events, after)
        while True:
            self._unacked.append(message)
            decoded = _decode(None, message.body)
            if decoded is not None:
                events.append(decoded)
            if len(events) >= limit or self._inbox.empty():
                return Read(events, after)
            message = self._inbox.get_nowait()

    async def done(self, read: Read) -> None:
        if self._unacked:
            await self._unacked[-1].ack(multiple=True)
            self._unacked = []

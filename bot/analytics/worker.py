"""The analytics worker: broker events → fact tables, one transaction per batch.

`make run` starts it beside the assistant (``python -m bot analytics``): in the embedded
default it reads the SQL event broker's table (EVENTS_DB), in the cluster profile the
RabbitMQ queue (GOV_ANALYTICS_SOURCE=rabbitmq, RABBITMQ_* as the broker's). For each batch
the facts and the new read position are committed together, then the source is told
(rows deleted, messages acknowledged): a crash in between repeats nothing on SQL and, on
RabbitMQ, redelivers that one batch.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.analytics.models import AnalyticsCheckpoint
from bot.analytics.sources import Read, Source
from bot.analytics.store import apply_batch
from bot.db import begin_immediate
from bot.evaluation.clock import utcnow

logger = logging.getLogger(__name__)
BATCH = 2000


@dataclass
class Progress:
    batches: int = 0
    events: int = 0


def _position(sessions: sessionmaker, source: str) -> int:
    with sessions() as session:
        return int(session.scalar(select(AnalyticsCheckpoint.position).where(AnalyticsCheckpoint.source == source))
                   or 0)


def _commit(sessions: sessionmaker, source: str, read: Read) -> int:
    with sessions.begin() as session:
        begin_immediate(session, "analytics-worker")
        applied = apply_batch(session, read.events)
        checkpoint = session.get(AnalyticsCheckpoint, source)
        if checkpoint is None:
            session.add(AnalyticsCheckpoint(source=source, position=read.position, updated_at=utcnow()))
        else:
            checkpoint.position, checkpoint.updated_at = read.position, utcnow()
        return applied


async def run_once(sessions: sessionmaker, source: Source, *, limit: int = BATCH) -> int:
    """Read one batch and apply it; the number of events applied (0 when there was nothing)."""
    after = await asyncio.to_thread(_position, sessions, source.name)
    read = await source.read(after, limit)
    if not read.events and read.position == after:
        return 0
    applied = await asyncio.to_thread(_commit, sessions, source.name, read)
    await source.done(read)
    return applied


async def run(sessions: sessionmaker, source: Source, *, stop: asyncio.Event | None = None,
              progress: Progress | None = None) -> Progress:
    """Apply batches until `stop` is set; errors are logged and retried after a pause."""
    stop = stop or asyncio.Event()
    progress = progress or Progress()
    while not stop.is_set():
        try:
            applied = await run_once(sessions, source)
        except Exception:  # noqa: BLE001 - a bad batch or a database restart must not end the worker
            logger.exception("analytics batch failed; retrying in 5 s")
            await asyncio.sleep(5)
            continue
        if applied:
            progress.batches += 1
            progress.events += applied
    return progress


def rabbitmq_url(env: Mapping[str, str]) -> str:
    """The broker's RabbitMQ from the RABBITMQ_* settings deploy/cluster/endpoints.yml uses."""
    user = quote(env.get("RABBITMQ_USERNAME", "guest"), safe="")
    password = quote(env.get("RABBITMQ_PASSWORD", "guest"), safe="")
    return (f"amqp://{user}:{password}@{env.get('RABBITMQ_HOST', '127.0.0.1')}:"
            f"{env.get('RABBITMQ_PORT', '5672')}/")


def source_from_env(env: Mapping[str, str] | None = None) -> Source:
    """GOV_ANALYTICS_SOURCE: "sql" (default; EVENTS_DB) or "rabbitmq" (RABBITMQ_*, RABBITMQ_QUEUE)."""
    from bot.analytics.sources import RabbitSource, SqlSource
    from bot.config import get_settings

    env = os.environ if env is None else env
    if env.get("GOV_ANALYTICS_SOURCE", "sql") == "rabbitmq":
        return RabbitSource(rabbitmq_url(env), env.get("RABBITMQ_QUEUE", "gov_events"))
    return SqlSource(env.get("EVENTS_DB") or str(get_settings().var_dir / "events.db"))

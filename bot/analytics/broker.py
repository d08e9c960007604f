"""The embedded default's event broker: Rasa's SQL event broker on a private SQLite file.

Rasa's ``SQLEventBroker`` (rasa/core/brokers/sql.py) keeps every event as a row of its
``events`` table for a consumer to read. This subclass changes only how it is stored:
the engine of bot/db.py (a 0600 file in a 0700 folder, WAL, so the worker reading and
deleting rows never blocks a turn), and :meth:`publish_many`, which the masking tracker
store (bot/tracker_store.py) calls with a turn's new events: one transaction per turn
instead of one commit per event. What it stores is what the tracker store stores: masked.

The analytics worker (worker.py) reads the rows in order and deletes them once their
facts are committed, so events wait here for seconds, not for the retention period.
"""
from __future__ import annotations

import json
from asyncio import AbstractEventLoop
from collections.abc import Sequence
from typing import Any

import sqlalchemy.orm
from rasa.core.brokers.sql import SQLEventBroker
from rasa.utils.endpoints import EndpointConfig

from bot.db import make_engine


def events_url(db: str) -> str:
    """A SQLAlchemy URL for `db` (a path or a URL)."""
    return db if "://" in db else f"sqlite:///{db}"


class LocalEventBroker(SQLEventBroker):
    """``type: bot.analytics.broker.LocalEventBroker`` with ``db:`` a path or URL (EVENTS_DB)."""

    def __init__(self, db: str) -> None:  # noqa: D107 - Rasa's __init__ builds its own engine; not called
        self.engine = make_engine(events_url(db))
        self.Base.metadata.create_all(self.engine)
        self.sessionmaker = sqlalchemy.orm.sessionmaker(bind=self.engine)

    @classmethod
    async def from_endpoint_config(cls, broker_config: EndpointConfig,
                                   event_loop: AbstractEventLoop | None = None) -> LocalEventBroker:
        db = broker_config.kwargs.get("db") or broker_config.url
        if not db:
            raise ValueError("event_broker: set db (EVENTS_DB), a file path or a SQLAlchemy URL")
        return cls(str(db))

    def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        """Store a turn's events in one transaction."""
        if not events:
            return
        with self.session_scope() as session:
            session.add_all(self.SQLBrokerEvent(sender_id=event.get("sender_id"), data=json.dumps(event))
                            for event in events)
            session.commit()

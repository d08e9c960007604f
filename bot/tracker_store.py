"""SQL tracker store that never writes residents' personal data unmasked.

Rasa keeps every event of every conversation. Before new events are written they go
through :mod:`bot.event_masking`: ID, phone and bank-card numbers in any spelling the
parsers accept, in user messages, their parse data, slots and bot messages; names and
addresses given as answers to the flows' questions and listed in their summaries. Events
published to an event broker (a cluster's Kafka or RabbitMQ) are masked the same way.
Actions still see the real text of the current message (they receive the tracker
before it is saved); flows keep their answers in drafts (bot/flows/drafts.py), not in
slots. Configured in endpoints.yml as `type: bot.tracker_store.MaskingSQLTrackerStore`.

Building this store is also where the Rasa server starts masking its logs
(:func:`bot.logging_setup.install_log_masking`): `rasa run` has no start-up hook of its
own, and this class is built exactly once, at start, after Rasa and Sanic have set up
their logging and before the first message is read.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from sqlalchemy import create_engine
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.event_masking import ConversationMasker
from bot.logging_setup import install_log_masking


def context_start(events: list[Event], stored: int) -> int:
    """Where the context the masker needs begins among the first ``stored`` events.

    :class:`ConversationMasker` remembers only what the last bot message asked and how the
    last user message was masked, which depends on the bot message before it; events
    from the last bot message before the last user message on leave it in the same state
    as the whole conversation would, without masking every earlier turn again.
    """
    last_user = next((i for i in range(stored - 1, -1, -1) if events[i].type_name == "user"), 0)
    return next((i for i in range(last_user - 1, -1, -1) if events[i].type_name == "bot"), 0)


def masked_events(events: list[Event], stored: int) -> list[Event]:
    """``events[stored:]`` with personal data masked; the first ``stored`` are context.

    An event that needs no change is returned as it is; others are rebuilt from their
    masked dict, exactly as Rasa itself reads them back from the store.
    """
    masker = ConversationMasker()
    for event in events[context_start(events, stored):stored]:
        masker.observe(event.as_dict())
    out = []
    for event in events[stored:]:
        original = event.as_dict()
        masked = masker.mask(original)
        out.append(event if masked == original else Event.from_parameters(masked))
    return out


#: SQLite settings of the embedded default's tracker database, per connection. WAL lets
#: reads go on beside a write; with synchronous=NORMAL a commit does not wait for the disk
#: (a crash of the process loses nothing; a power cut may lose the last turns, never corrupt
#: the file). secure_delete overwrites purged events (bot/retention.py) instead of leaving
#: them readable in free pages.
TRACKER_SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "secure_delete=ON")


def pooled_sqlite_engine(url: Any) -> Engine:
    """A SQLite engine that keeps its connections (SQLAlchemy 1.4 opens one per session).

    Opening a connection and setting its pragmas cost more than a turn's queries; pooled
    connections are used by one thread at a time, so pysqlite's same-thread check is off.
    """
    engine = create_engine(url, poolclass=QueuePool, pool_size=5, max_overflow=10,
                           connect_args={"check_same_thread": False}, hide_parameters=True)

    @sa_event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:  # pragma: no cover - trivial
        cursor = dbapi_conn.cursor()
        for pragma in TRACKER_SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return engine


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        install_log_masking()
        super().__init__(*args, **kwargs)
        engine: Engine = self.engine  # type: ignore[has-type]  # set by SQLTrackerStore
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            engine.dispose()
            self.engine = pooled_sqlite_engine(engine.url)
            self.sessionmaker = sessionmaker(bind=self.engine)

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        new = list(super()._additional_events(session, tracker))
        events = list(tracker.events)
        return iter(masked_events(events, len(events) - len(new)))

    async def stream_events(self, tracker: Any) -> None:
        """Publish new events to the event broker (if one is configured) masked as well."""
        if self.event_broker is None:
            return
        previous = await self.retrieve(tracker.sender_id)
        events = list(tracker.events)
        new = masked_events(events, len(previous.events) if previous else 0)
        await self._stream_new_events(self.event_broker, new, tracker.sender_id)

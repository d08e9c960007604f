"""SQL tracker store that never writes residents' personal data unmasked.

Rasa keeps every event of every conversation. Before new events are written they go
through :mod:`bot.event_masking`: ID, phone and bank-card numbers in any spelling the
parsers accept, in user messages, their parse data, slots and bot messages; names and
addresses given as answers to the flows' questions and listed in their summaries. Events
published to an event broker (a cluster's Kafka or RabbitMQ) are masked the same way.
Actions still see the real text of the current message (they receive the tracker
before it is saved); flows keep their answers in drafts (bot/flows/drafts.py), not in
slots. Configured in endpoints.yml as `type: bot.tracker_store.MaskingSQLTrackerStore`.

On a database server (the cluster profile's PostgreSQL) the store checks at start that the
database answers and ends the process loudly if not (bot/service_checks.py): Rasa's own
SQLTrackerStore would retry forever without serving, and a store that cannot be built
leaves Rasa on an in-memory one that forgets conversations. The SQLite default is
unchanged (its file is created on first use).

Building this store is also where the Rasa server starts masking its logs
(:func:`bot.logging_setup.install_log_masking`): `rasa run` has no start-up hook of its
own, and this class is built exactly once, at start, after Rasa and Sanic have set up
their logging and before the first message is read.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine, insert, text
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.event_masking import ConversationMasker
from bot.logging_setup import install_log_masking
from bot.service_checks import probe_sql, require


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


def store_url(kwargs: dict[str, Any]) -> str:
    """The database URL Rasa's SQLTrackerStore builds from its endpoint settings."""
    url = SQLTrackerStore.get_db_url(
        kwargs.get("dialect", "sqlite"), kwargs.get("host"), kwargs.get("port"), kwargs.get("db", "rasa.db"),
        kwargs.get("username"), kwargs.get("password"), kwargs.get("login_db"), kwargs.get("query"))
    return url if isinstance(url, str) else url.render_as_string(hide_password=False)


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        install_log_masking()
        url = store_url(kwargs)
        if not url.startswith("sqlite"):
            require("tracker store database", url, probe_sql)
        super().__init__(*args, **kwargs)
        engine: Engine = self.engine  # type: ignore[has-type]  # set by SQLTrackerStore
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            engine.dispose()
            self.engine = pooled_sqlite_engine(engine.url)
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """The conversation's events (the latest session's, or all), as Rasa's own query returns them.

        The same rows in the same order as ``SQLTrackerStore._event_query``, in plain SQL:
        building Rasa's ORM query cost more per turn than running it.
        """
        statement = _ALL_EVENTS if fetch_events_from_all_sessions else _SESSION_EVENTS
        with self.session_scope() as session:
            rows = session.execute(statement, {"sender_id": sender_id}).scalars().all()
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)

    def stored_count(self, session: Any, sender_id: str) -> int:
        """How many events of the latest session are stored: the tracker's events after them are new."""
        return int(session.execute(_SESSION_COUNT, {"sender_id": sender_id}).scalar_one())

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        events = list(tracker.events)
        return iter(masked_events(events, self.stored_count(session, tracker.sender_id)))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events masked, and publish them masked to the event broker if there is one.

        One count finds the new events for both (Rasa's own ``stream_events`` retrieved the
        whole stored conversation again to find them); they go in as one multi-row insert.
        """
        with self.session_scope() as session:
            new = list(self._additional_events(session, tracker))
            if self.event_broker is not None:
                await self._stream_new_events(self.event_broker, new, tracker.sender_id)
            rows = [_row(tracker.sender_id, event) for event in new]
            if rows:
                session.execute(insert(self.SQLEvent.__table__), rows)
            session.commit()

    async def _stream_new_events(self, event_broker: Any, new_events: list[Event], sender_id: str) -> None:
        """Publish a turn's events: in one call when the broker takes a batch (bot/analytics/broker.py)."""
        publish_many = getattr(event_broker, "publish_many", None)
        if publish_many is None:
            await super()._stream_new_events(event_broker, new_events, sender_id)
            return
        publish_many([{"sender_id": sender_id, **event.as_dict()} for event in new_events])

    async def stream_events(self, tracker: Any) -> None:
        """Publish new events masked (:meth:`save` does it with the same count; kept for callers)."""
        if self.event_broker is None:
            return
        with self.session_scope() as session:
            new = list(self._additional_events(session, tracker))
        await self._stream_new_events(self.event_broker, new, tracker.sender_id)


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The events table's columns for one event, as ``SQLTrackerStore.save`` fills them."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": ((data.get("parse_data") or {}).get("intent") or {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


#: The start of the latest session: Rasa's ``session_start_sub_query``.
_SESSION_START = ("(SELECT max(timestamp) FROM events WHERE sender_id = :sender_id "
                  f"AND type_name = '{SessionStarted.type_name}')")
_IN_SESSION = f"sender_id = :sender_id AND ({_SESSION_START} IS NULL OR timestamp >= {_SESSION_START})"
_ALL_EVENTS = text("SELECT data FROM events WHERE sender_id = :sender_id ORDER BY id")
_SESSION_EVENTS = text(f"SELECT data FROM events WHERE {_IN_SESSION} ORDER BY id")
_SESSION_COUNT = text(f"SELECT count(*) FROM events WHERE {_IN_SESSION}")

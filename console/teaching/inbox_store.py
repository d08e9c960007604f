"""The inbox's reading of the tracker store, kept per conversation between page views.

Reading, masking and judging every conversation of the last 90 days takes seconds once
there are thousands (bot/event_masking.py's number search dominates), too slow for every
page, filter and decision. So an :class:`InboxReader` remembers each conversation's items
with the conversation's last event id and event count, and on the next read asks the
database only which conversations changed (one grouped query) and reads those again. A
conversation with new events, or with events purged or erased, is read afresh; one that
is gone is forgotten. What the items hold never depends on anything but the events:
acknowledgements are judged against the training data on every read
(inbox.judge_acknowledgements), so teaching a phrasing needs no re-reading.
"""
from __future__ import annotations

import threading
from collections.abc import Collection, Iterator

import sqlalchemy as sa

from bot.event_masking import mask_events
from console.teaching.inbox import (
    EVENTS,
    InboxItem,
    conversations,
    find_uncertain,
    judge_acknowledgements,
)

#: Conversations read per query (bound parameters stay well under SQLite's limit).
CHUNK = 500


class InboxReader:
    """Uncertain messages of one tracker store; thread-safe, one per store (:func:`reader_for`)."""

    def __init__(self, tracker_db_url: str, threshold: float = 0.5) -> None:
        self.engine = sa.create_engine(tracker_db_url, future=True, hide_parameters=True)
        self.threshold = threshold
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[tuple[int, int], list[InboxItem]]] = {}

    def read(self, since: float, known: Collection[str]) -> list[InboxItem]:
        """Items of messages since ``since`` (Unix seconds), ordered by conversation and time;
        ``known``: the normalized training examples (see inbox.find_uncertain)."""
        with self._lock, self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                self._kept.clear()
                return []  # no conversation yet: Rasa creates the table on first use
            stamps = self._stamps(connection, since)
            stale = [s for s, stamp in stamps.items() if s not in self._kept or self._kept[s][0] != stamp]
            for sender_id, events in self._conversations(connection, stale):
                # Every acknowledgement for now; judged against ``known`` below, on each read.
                items = find_uncertain(sender_id, mask_events(events), self.threshold, None, frozenset())
                self._kept[sender_id] = (stamps[sender_id], items)
            for sender_id in set(self._kept) - set(stamps):
                del self._kept[sender_id]
            found = [i for s in sorted(stamps) for i in self._kept.get(s, (None, []))[1] if i.timestamp >= since]
        return judge_acknowledgements(found, known)

    @staticmethod
    def _stamps(connection: sa.engine.Connection, since: float) -> dict[str, tuple[int, int]]:
        """(last event id, event count) of every conversation with a message since ``since``."""
        recent = (sa.select(EVENTS.c.sender_id)
                  .where(EVENTS.c.type_name == "user", EVENTS.c.timestamp >= since).distinct())
        statement = (sa.select(EVENTS.c.sender_id, sa.func.max(EVENTS.c.id), sa.func.count(EVENTS.c.id))
                     .where(EVENTS.c.sender_id.in_(recent)).group_by(EVENTS.c.sender_id))
        return {str(s): (int(last), int(count)) for s, last, count in connection.execute(statement)}

    @staticmethod
    def _conversations(connection: sa.engine.Connection, senders: list[str]
                       ) -> Iterator[tuple[str, list[dict]]]:
        columns = [EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp,
                   EVENTS.c.intent_name, EVENTS.c.action_name, EVENTS.c.data]
        for start in range(0, len(senders), CHUNK):
            statement = (sa.select(*columns).where(EVENTS.c.sender_id.in_(senders[start:start + CHUNK]))
                         .order_by(EVENTS.c.sender_id, EVENTS.c.id))
            yield from conversations(dict(row._mapping) for row in connection.execute(statement))

    def close(self) -> None:
        self.engine.dispose()


_readers: dict[tuple[str, float], InboxReader] = {}
_readers_lock = threading.Lock()


def reader_for(tracker_db_url: str, threshold: float = 0.5) -> InboxReader:
    """The process's reader of this store (created on first use)."""
    with _readers_lock:
        key = (tracker_db_url, threshold)
        if key not in _readers:
            _readers[key] = InboxReader(tracker_db_url, threshold)
        return _readers[key]


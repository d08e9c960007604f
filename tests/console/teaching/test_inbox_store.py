"""The inbox's reader keeps conversations between page views and reads again only what changed:
new messages, purged or erased conversations, and the training data it judges against."""
from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot import replies
from bot.config import PROJECT_ROOT
from console.teaching.inbox import Reason, read_uncertain
from console.teaching.inbox_store import InboxReader
from tests.support.tracker_events import T0, act, bot, fallback, start, user

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def save(path, sender: str, events: list) -> None:
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))

    async def write() -> None:
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, DOMAIN.slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)

    asyncio.run(write())
    store.engine.dispose()


@pytest.fixture()
def store(tmp_path):
    path = tmp_path / "tracker.db"
    save(path, "a", [*start(T0), fallback("第一句没听懂", T0 + 1), act("action_listen", T0 + 1)])
    save(path, "b", [*start(T0), user("嗯嗯啊啊哈", "thank", 0.9, T0 + 2), act("utter_thank", T0 + 3),
                     bot("不客气！", T0 + 3), act("action_listen", T0 + 3)])
    return path


def texts(items) -> list[str]:
    return [i.text for i in items]


def test_it_reads_what_the_uncached_reading_reads_and_again_only_what_changed(store, monkeypatch):
    url = f"sqlite:///{store}"
    reader = InboxReader(url)
    assert reader.read(T0 - 10, known=set()) == read_uncertain(url, T0 - 10, known=set())
    assert texts(reader.read(T0 - 10, known=set())) == ["第一句没听懂", "嗯嗯啊啊哈"]

    read = []
    original = InboxReader._conversations

    def counted(connection, senders):
        read.append(list(senders))
        return original(connection, senders)

    monkeypatch.setattr(InboxReader, "_conversations", staticmethod(counted))
    reader.read(T0 - 10, known=set())
    assert read == [[]]  # nothing changed: nothing read
    save(store, "a", [fallback("第二句也没听懂", T0 + 20), act("action_clarify", T0 + 21),
                      bot(replies.NOT_UNDERSTOOD, T0 + 21)])
    items = reader.read(T0 - 10, known=set())
    assert read[-1] == ["a"]
    assert texts(items) == ["第一句没听懂", "第二句也没听懂", "嗯嗯啊啊哈"]
    assert items[1].reasons == {Reason.FALLBACK, Reason.NOT_UNDERSTOOD}


def test_erased_conversations_and_the_window_and_taught_phrasings(store):
    url = f"sqlite:///{store}"
    reader = InboxReader(url)
    assert texts(reader.read(T0 - 10, known={"嗯嗯啊啊哈"})) == ["第一句没听懂"]  # taught: no longer wrong
    assert texts(reader.read(T0 + 1.5, known=set())) == ["嗯嗯啊啊哈"]
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'a'"))
    engine.dispose()
    assert texts(reader.read(T0 - 10, known=set())) == ["嗯嗯啊啊哈"]


def test_a_store_without_conversations(tmp_path):
    assert InboxReader(f"sqlite:///{tmp_path / 'none.db'}").read(0.0, known=set()) == []

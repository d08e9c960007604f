"""`python -m bot purge` on a real Rasa SQL tracker store and a real application database."""
from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from bot import cli, retention
from bot.config import get_settings
from bot.db import session_factory
from bot.flows.drafts import FlowDraft, load_draft, save_draft
from bot.handoff.tickets import close_ticket, create_ticket, list_tickets

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def save_conversation(tracker_db, sender: str, when: datetime, text: str) -> None:
    """Two events of a conversation, written by Rasa's own SQL tracker store."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tracker_db))
    tracker = DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_listen", timestamp=when.timestamp()),
        UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=when.timestamp() + 1),
    ])
    asyncio.run(store.save(tracker))
    store.engine.dispose()


def events(tracker_db) -> list:
    with sqlite3.connect(tracker_db) as db:
        rows = db.execute("select sender_id, type_name from events order by id").fetchall()
    db.close()
    return rows


@pytest.fixture()
def deployment(tmp_path, monkeypatch):
    var = tmp_path / "var"
    var.mkdir()  # scripts/run.sh makes it before Rasa starts
    monkeypatch.setenv("GOV_VAR_DIR", str(var))
    monkeypatch.setenv("GOV_DATABASE_URL", f"sqlite:///{var / 'app.db'}")
    monkeypatch.delenv("TRACKER_DB", raising=False)
    monkeypatch.delenv("GOV_RETENTION_DAYS", raising=False)
    return var


def age_draft(sessions, draft_id: str, age: timedelta) -> None:
    with sessions.begin() as session:
        session.execute(update(FlowDraft).where(FlowDraft.id == draft_id)
                        .values(updated_at=(NOW - age).replace(tzinfo=None)))


def test_old_events_and_stale_drafts_go_recent_ones_stay(deployment):
    tracker_db = deployment / "tracker.db"
    save_conversation(tracker_db, "old", NOW - timedelta(days=181), "我的手机13811112222")
    save_conversation(tracker_db, "recent", NOW - timedelta(days=179), "社保卡怎么办 kept-42")
    sessions = session_factory(get_settings().database_url)
    stale = save_draft(sessions, sender_id="a", state={"values": {"id_number": "340202194001011239"}})
    fresh = save_draft(sessions, sender_id="b", state={"values": {}})
    age_draft(sessions, stale, timedelta(hours=25))
    age_draft(sessions, fresh, timedelta(hours=23))

    report = retention.purge(now=NOW)

    assert report == retention.PurgeReport(tracker_events=2, drafts=1)
    assert [sender for sender, _ in events(tracker_db)] == ["recent", "recent"]
    with sessions() as session:
        assert session.get(FlowDraft, stale) is None and session.get(FlowDraft, fresh) is not None
    # secure_delete and the checkpoint: the purged message is gone from the files themselves.
    data = b"".join(p.read_bytes() for p in deployment.glob("tracker.db*"))
    assert b"13811112222" not in data and b"kept-42" in data
    assert b"340202194001011239" not in b"".join(p.read_bytes() for p in deployment.glob("app.db*"))


def test_retention_days_come_from_the_environment(deployment, monkeypatch):
    tracker_db = deployment / "tracker.db"
    save_conversation(tracker_db, "week-old", NOW - timedelta(days=8), "你好")
    save_conversation(tracker_db, "today", NOW - timedelta(hours=1), "你好")
    assert retention.purge(now=NOW).tracker_events == 0
    monkeypatch.setenv("GOV_RETENTION_DAYS", "7")
    assert retention.purge(now=NOW).tracker_events == 2
    assert {sender for sender, _ in events(tracker_db)} == {"today"}


def test_tracker_db_env_points_at_another_store(deployment, monkeypatch, tmp_path):
    elsewhere = tmp_path / "cluster" / "conversations.db"
    elsewhere.parent.mkdir()
    save_conversation(elsewhere, "old", NOW - timedelta(days=400), "你好")
    monkeypatch.setenv("TRACKER_DB", str(elsewhere))
    assert retention.purge(now=NOW).tracker_events == 2 and events(elsewhere) == []


def test_no_tracker_store_yet_is_not_an_error_and_creates_nothing(deployment):
    assert retention.purge(now=NOW) == retention.PurgeReport(0, 0)
    assert not (deployment / "tracker.db").exists()


def test_the_command_prints_counts_only(deployment, capsys):
    save_conversation(deployment / "tracker.db", "old", datetime.now(timezone.utc) - timedelta(days=365),
                      "我叫张三丰，电话13811112222")
    assert cli.main(["purge"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "已清理：对话记录事件 2 条，未完成的填写草稿 0 份"


def test_every_repeats_the_purge_and_sleeps_in_between(deployment):
    sessions = session_factory(get_settings().database_url)
    reports, sleeps = [], []

    def sleep(seconds):
        sleeps.append(seconds)
        draft = save_draft(sessions, sender_id="a", state={})  # something new expires meanwhile
        age_draft(sessions, draft, timedelta(days=2))

    retention.purge_every(3600, rounds=3, sleep=sleep, report=reports.append)
    assert sleeps == [3600, 3600]
    assert [r.drafts for r in reports] == [0, 1, 1]
    assert load_draft(sessions, sender_id="a", draft_id="x") is None


def test_a_failed_round_is_reported_and_the_loop_goes_on(deployment, monkeypatch, capsys):
    outcomes = iter([RuntimeError("database is locked"), retention.PurgeReport(1, 0)])

    def flaky_purge():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(retention, "purge", flaky_purge)
    reports = []
    retention.purge_every(60, rounds=2, sleep=lambda _s: None, report=reports.append)
    assert reports == [retention.PurgeReport(1, 0)]
    assert "清理失败，下一轮再试：RuntimeError: database is locked" in capsys.readouterr().err


def test_messages_left_for_a_callback_go_once_closed_longer_than_the_retention_period(deployment, keys):
    sessions = session_factory(get_settings().database_url)

    def ticket(conversation: str, days_ago: int, closed_days_ago: int | None) -> str:
        made = create_ticket(sessions, conversation_id=conversation, channel="webchat", phone="13955556666",
                             message="请回电", reason="closed", days=2, now=NOW - timedelta(days=days_ago))
        if closed_days_ago is not None:
            close_ticket(sessions, ticket_id=made.id, handled_by="zhang", note="已回电",
                         now=NOW - timedelta(days=closed_days_ago))
        return made.number

    ticket("web:old", 200, 190)
    kept = {ticket("web:recent", 30, 20), ticket("web:waiting", 400, None)}  # an open one stays
    report = retention.purge(now=NOW)
    assert report.tickets == 1 and "已办结的留言 1 条" in report.summary()
    assert {t.number for t in list_tickets(sessions)} == kept

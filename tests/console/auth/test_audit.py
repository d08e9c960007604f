"""Audit log: entries are written masked and read back newest first."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from console.auth.audit import AuditFilter, actions, matching, recent, record, search, usernames
from console.tables import AuditEntry

T0 = datetime(2025, 3, 1, 9, 0, 0)
PHONE = "13812345678"
ID_NUMBER = "340202199001011234"


def test_phone_in_text_detail_is_masked(console_db):
    record(console_db, "alice", "inbox.annotate", f"群众留言：我的电话 {PHONE}", ip="10.0.0.7", now=T0)
    (entry,) = recent(console_db)
    assert entry.detail == "群众留言：我的电话 138****5678"
    assert (entry.username, entry.action, entry.ip, entry.at) == ("alice", "inbox.annotate", "10.0.0.7", T0)
    with console_db() as session:
        stored = session.execute(select(AuditEntry.detail)).scalar_one()
    assert PHONE not in str(stored)


def test_structured_detail_is_masked_throughout(console_db):
    detail = {"message": f"电话 {PHONE}", "numbers": [ID_NUMBER, {"phone": int(PHONE)}], "count": 3,
              "ok": True, "note": None}
    record(console_db, "bob", "inbox.annotate", detail, now=T0)
    (entry,) = recent(console_db)
    assert entry.detail == {"message": "电话 138****5678", "numbers": ["340202********1234", {"phone": "138****5678"}],
                            "count": 3, "ok": True, "note": None}
    assert entry.ip is None


def test_recent_is_newest_first_and_limited(console_db):
    for i in range(5):
        record(console_db, "cli", f"action.{i}", now=T0 + timedelta(minutes=i))
    assert [e.action for e in recent(console_db, limit=3)] == ["action.4", "action.3", "action.2"]
    assert len(recent(console_db)) == 5
    assert recent(console_db)[-1].detail is None
    assert len(recent(console_db, limit=0)) == 1  # clamped, never "everything"


def _seed(console_db) -> None:
    """Three people over three days: 30 entries, one every two hours from T0."""
    for i in range(30):
        who = ("alice", "bob", "cli")[i % 3]
        record(console_db, who, "login" if i % 2 else "faq_add", {"n": i}, now=T0 + timedelta(hours=2 * i))


def test_search_filters_by_person_action_and_time(console_db):
    _seed(console_db)
    page = search(console_db, AuditFilter(username="alice"))
    assert page.total == 10 and {r.username for r in page.records} == {"alice"}
    page = search(console_db, AuditFilter(username="alice", action="login"))
    assert page.total == 5 and [r.detail["n"] for r in page.records] == [27, 21, 15, 9, 3]
    window = AuditFilter(since=T0 + timedelta(hours=10), until=T0 + timedelta(hours=20))
    assert [r.detail["n"] for r in search(console_db, window).records] == [9, 8, 7, 6, 5]  # until is exclusive
    assert search(console_db, AuditFilter(username="nobody")).total == 0
    assert usernames(console_db) == ["alice", "bob", "cli"]
    assert actions(console_db) == ["faq_add", "login"]


def test_search_pages_newest_first(console_db):
    _seed(console_db)
    first = search(console_db, AuditFilter(), number=1, per_page=12)
    assert (first.total, first.number, first.pages) == (30, 1, 3)
    assert [r.detail["n"] for r in first.records] == list(range(29, 17, -1))
    last = search(console_db, AuditFilter(), number=3, per_page=12)
    assert [r.detail["n"] for r in last.records] == list(range(5, -1, -1))
    beyond = search(console_db, AuditFilter(), number=99, per_page=12)
    assert beyond.number == 3 and beyond.records == last.records  # clamped to the last page
    assert search(console_db, AuditFilter(), number=-5, per_page=12).number == 1
    empty = search(console_db, AuditFilter(action="nothing"))
    assert (empty.total, empty.pages, empty.records) == (0, 1, [])


def test_matching_returns_every_entry_for_the_export(console_db):
    _seed(console_db)
    assert len(matching(console_db, AuditFilter(username="bob"))) == 10
    assert [r.detail["n"] for r in matching(console_db, AuditFilter(), limit=3)] == [29, 28, 27]

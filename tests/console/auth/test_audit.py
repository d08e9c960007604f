"""Audit log: entries are written masked and read back newest first."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from console.auth.audit import recent, record
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

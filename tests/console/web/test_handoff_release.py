"""An agent who signs out or goes idle gives their unanswered residents back to the queue.

Signing out is exercised over HTTP; the idle rule on a database of its own with the clock
given (sessions' last_seen_at is the activity); the console's own sweep once, with its
interval made short, on a console of its own.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.handoff import service
from console.auth import accounts, audit, sessions
from console.auth.audit import SYSTEM_USER
from console.auth.audit_text import describe, user_label
from console.handoff import idle
from tests.support.console_web import PASSWORD, post
from tests.support.handoff_desk import agent, desk_console, queued, row, wait_until

T0 = datetime(2026, 12, 3, 1, 0, 0)
LIMIT = timedelta(minutes=10)


def test_signing_out_returns_only_the_residents_waiting_for_an_answer(desk):
    base, db = desk.base, desk.db
    seat = agent(base, db, "leaving.a")
    answered, waiting = queued(db, "web:out-answered"), queued(db, "web:out-waiting", says=["在吗"])
    for rid in (answered, waiting):
        assert post(seat.http, base + "/handoff/claim", {"request": str(rid), "csrf": seat.csrf}).status_code == 303
    assert post(seat.http, base + "/handoff/reply", {"request": str(answered), "text": "您好",
                                                     "csrf": seat.csrf}).status_code == 303
    assert post(seat.http, base + "/logout", {"csrf": seat.csrf}).headers["Location"] == "/login"
    assert (row(db, waiting).status, row(db, waiting).agent) == ("queued", None)
    assert (row(db, answered).status, row(db, answered).agent) == ("claimed", "leaving.a")
    (entry,) = [e for e in audit.recent(db, 200) if e.action == "handoff_release_logout" and e.username == "leaving.a"]
    assert entry.detail == {"requests": [waiting]}
    # The resident who was answered writes again while nobody is there: the idle rule takes over.
    service.record_resident_message(db, request_id=answered, text="还有一个问题")
    assert idle.release_idle(db, idle_for=LIMIT) == {"leaving.a": [answered]}


def test_signing_out_on_one_device_keeps_the_residents_while_another_is_at_the_desk(desk):
    base, db = desk.base, desk.db
    laptop = agent(base, db, "two.devices")
    tablet = agent(base, db, "two.devices")  # the same account, signed in again elsewhere
    waiting = queued(db, "web:two-devices", says=["在吗"])
    assert post(laptop.http, base + "/handoff/claim", {"request": str(waiting), "csrf": laptop.csrf}).status_code == 303
    assert post(laptop.http, base + "/logout", {"csrf": laptop.csrf}).headers["Location"] == "/login"
    assert (row(db, waiting).status, row(db, waiting).agent) == ("claimed", "two.devices")
    assert post(tablet.http, base + "/logout", {"csrf": tablet.csrf}).headers["Location"] == "/login"
    assert (row(db, waiting).status, row(db, waiting).agent) == ("queued", None)  # the last one out releases


def test_an_idle_agent_releases_the_unanswered_and_an_active_one_keeps_them(console_db, keys):
    db = console_db
    for name in ("idle.a", "busy.b"):
        accounts.create_user(db, name, PASSWORD, "agent")
    idle_token = sessions.start_session(db, accounts.get_user(db, "idle.a"), now=T0)
    busy_token = sessions.start_session(db, accounts.get_user(db, "busy.b"), now=T0)
    mine = {name: [queued(db, f"web:{name}-{i}", now=T0) for i in range(2)] for name in ("idle.a", "busy.b")}
    for name, ids in mine.items():
        for rid in ids:
            service.claim(db, request_id=rid, agent=name, now=T0)
    service.reply(db, request_id=mine["idle.a"][1], agent="idle.a", text="已回复", now=T0)
    sessions.resolve(db, idle_token, now=T0 + timedelta(minutes=1))
    sessions.resolve(db, busy_token, now=T0 + timedelta(minutes=9))  # a page or its live stream

    assert idle.release_idle(db, idle_for=LIMIT, now=T0 + timedelta(minutes=10)) == {}
    later = T0 + timedelta(minutes=11)
    assert idle.release_idle(db, idle_for=LIMIT, now=later) == {"idle.a": [mine["idle.a"][0]]}
    assert row(db, mine["idle.a"][0]).status == "queued"
    assert row(db, mine["idle.a"][1]).agent == "idle.a"  # answered: still theirs
    assert all(row(db, rid).agent == "busy.b" for rid in mine["busy.b"])
    (entry,) = [e for e in audit.recent(db, 50) if e.action == "handoff_release_idle"]
    assert (entry.username, entry.at) == (SYSTEM_USER, later)
    assert entry.detail == {"agent": "idle.a", "requests": [mine["idle.a"][0]], "idle_minutes": 10}
    assert user_label(entry.username) == "系统（自动）"
    assert describe(entry.action, entry.detail) == f"坐席：idle.a；退回队列的会话：{mine['idle.a'][0]}；闲置分钟数：10"
    assert idle.release_idle(db, idle_for=LIMIT, now=later) == {}  # nothing left to release


def test_an_agent_without_a_session_is_idle_at_once(console_db, keys):
    db = console_db
    rid = queued(db, "web:nobody-home", now=T0)
    service.claim(db, request_id=rid, agent="gone.c", now=T0)  # signed out, expired, or no account at all
    assert idle.release_idle(db, idle_for=LIMIT, now=T0 + timedelta(seconds=1)) == {"gone.c": [rid]}


def test_the_idle_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(idle.IDLE_ENV, raising=False)
    assert idle.idle_limit() == timedelta(minutes=10)
    monkeypatch.setenv(idle.IDLE_ENV, "3")
    assert idle.idle_limit() == timedelta(minutes=3)
    for bad in ("0", "-1", "ten", "1.5"):
        monkeypatch.setenv(idle.IDLE_ENV, bad)
        with pytest.raises(ValueError, match=idle.IDLE_ENV):
            idle.idle_limit()


def test_the_console_runs_the_sweep_by_itself(tmp_path):
    with desk_console(tmp_path, sweep_every=0.05) as served:
        rid = queued(served.db, "web:swept")
        service.claim(served.db, request_id=rid, agent="agent")  # an account with no session
        wait_until(lambda: row(served.db, rid).status == "queued", what="the sweep to release it")
        assert [e.username for e in audit.recent(served.db, 20) if e.action == "handoff_release_idle"] == [SYSTEM_USER]

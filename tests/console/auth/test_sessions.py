"""Sessions (hashed tokens, idle and absolute expiry) and CSRF tokens."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from console.auth.accounts import create_user, set_active, set_password
from console.auth.sessions import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    cookie_attributes,
    csrf_token,
    csrf_valid,
    end_session,
    resolve,
    start_session,
)
from console.tables import ConsoleSession, StaffUser

T0 = datetime(2025, 3, 1, 9, 0, 0)
SECRET = "a-server-secret-of-decent-length"


@pytest.fixture()
def alice(console_db):
    return create_user(console_db, "alice", "jinghu-district-42", "trainer", now=T0)


def test_start_and_resolve(console_db, alice):
    token = start_session(console_db, alice, now=T0)
    assert len(token) >= 43
    assert resolve(console_db, token, now=T0 + timedelta(minutes=5)) == alice
    assert start_session(console_db, alice, now=T0) != token  # a fresh token every login


def test_token_is_stored_only_as_its_hash(console_db, console_db_url, alice):
    token = start_session(console_db, alice, now=T0)
    with console_db() as session:
        row = session.execute(select(ConsoleSession)).scalar_one()
    assert row.id == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.id, str(row.user_id))
    db_file = Path(console_db_url.removeprefix("sqlite:///"))
    for path in (db_file, db_file.with_name(db_file.name + "-wal")):  # WAL mode: recent pages live there
        if path.exists():
            assert token.encode() not in path.read_bytes()
    assert resolve(console_db, row.id, now=T0) is None  # the stored hash is not a usable token


def test_idle_expiry(console_db, alice):
    token = start_session(console_db, alice, now=T0)
    almost = T0 + IDLE_TIMEOUT - timedelta(minutes=1)
    assert resolve(console_db, token, now=almost) == alice  # resets the idle clock
    assert resolve(console_db, token, now=almost + IDLE_TIMEOUT - timedelta(minutes=1)) == alice
    assert resolve(console_db, token, now=almost + IDLE_TIMEOUT * 2) is None
    with console_db() as session:
        assert session.execute(select(ConsoleSession)).first() is None  # dead sessions are deleted


def test_idle_expiry_without_any_request(console_db, alice):
    token = start_session(console_db, alice, now=T0)
    assert resolve(console_db, token, now=T0 + IDLE_TIMEOUT) is None


def test_absolute_expiry_despite_activity(console_db, alice):
    token = start_session(console_db, alice, now=T0)
    for hours in (4, 8, 12, 16, 20):
        assert resolve(console_db, token, now=T0 + timedelta(hours=hours)) == alice
    assert resolve(console_db, token, now=T0 + ABSOLUTE_TIMEOUT - timedelta(seconds=1)) == alice
    assert resolve(console_db, token, now=T0 + ABSOLUTE_TIMEOUT) is None


def test_inactive_users_session_is_refused(console_db, alice):
    token = start_session(console_db, alice, now=T0)
    # Switched off behind the module's back: resolve checks the flag itself.
    with console_db.begin() as session:
        session.execute(update(StaffUser).values(active=False))
    assert resolve(console_db, token, now=T0) is None
    with console_db.begin() as session:
        session.execute(update(StaffUser).values(active=True))
    assert resolve(console_db, token, now=T0) is None  # the session was ended, not just hidden


def test_disabling_or_new_password_ends_sessions(console_db, alice):
    token = start_session(console_db, alice, now=T0)
    set_active(console_db, "alice", False)
    set_active(console_db, "alice", True)
    assert resolve(console_db, token, now=T0) is None
    token = start_session(console_db, alice, now=T0)
    set_password(console_db, "alice", "another-long-secret")
    assert resolve(console_db, token, now=T0) is None


def test_no_session_for_a_disabled_account(console_db, alice):
    set_active(console_db, "alice", False)
    with pytest.raises(ValueError):
        start_session(console_db, alice, now=T0)


def test_end_session(console_db, alice):
    token = start_session(console_db, alice, now=T0)
    other = start_session(console_db, alice, now=T0)
    assert end_session(console_db, token)
    assert resolve(console_db, token, now=T0) is None
    assert not end_session(console_db, token)
    assert resolve(console_db, other, now=T0) == alice  # logging out on one device only


@pytest.mark.parametrize("token", [None, "", "nonsense", "x" * 10_000])
def test_junk_tokens(console_db, alice, token):
    assert resolve(console_db, token, now=T0) is None
    assert not end_session(console_db, token)


def test_csrf(console_db, alice):
    token = start_session(console_db, alice, now=T0)
    other = start_session(console_db, alice, now=T0)
    good = csrf_token(token, SECRET)
    assert good == csrf_token(token, SECRET.encode())  # str or bytes secret
    assert csrf_valid(token, SECRET, good)
    assert not csrf_valid(token, SECRET, "0" * 64)  # forged
    assert not csrf_valid(token, SECRET, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not csrf_valid(token, SECRET, csrf_token(other, SECRET))  # another session's token
    assert not csrf_valid(other, SECRET, good)
    assert not csrf_valid(token, "a-different-secret-entirely", good)
    for junk in (None, "", "令牌", good + "x"):
        assert not csrf_valid(token, SECRET, junk)
    assert not csrf_valid(None, SECRET, good) and not csrf_valid("", SECRET, good)


def test_csrf_needs_a_real_secret():
    for weak in ("", "short", b""):
        with pytest.raises(ValueError):
            csrf_token("some-session-token", weak)


def test_cookie_attributes_fit_sanic():
    from sanic.cookies import Cookie

    attributes = cookie_attributes()
    assert attributes["httponly"] is True and attributes["samesite"] == "Strict" and attributes["secure"] is True
    assert cookie_attributes(secure=False)["secure"] is False
    cookie = Cookie("console_session", "tok")
    for key, value in attributes.items():
        cookie[key] = value
    header = str(cookie)
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Secure" in header
    assert f"Max-Age={int(ABSOLUTE_TIMEOUT.total_seconds())}" in header

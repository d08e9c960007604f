"""Refused logins reach the audit log: the name tried, the network, the reason; repeats bounded."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from console.auth.accounts import MAX_FAILURES_PER_USER, LoginRefused, authenticate, create_user, set_active
from console.auth.audit import UNKNOWN_USER, recent
from console.auth.login_audit import mask_ip, shown_name

PASSWORD = "jinghu-district-42"
T0 = datetime(2025, 3, 1, 9, 0, 0)
IP = "10.0.3.17"


@pytest.fixture()
def alice(console_db):
    return create_user(console_db, "alice", PASSWORD, "reviewer", now=T0 - timedelta(days=1))


def refuse(console_db, username, password, ip=IP, now=T0) -> None:
    with pytest.raises(LoginRefused):
        authenticate(console_db, username, password, ip, now=now)


def test_a_wrong_password_is_recorded_against_the_account(console_db, alice):
    refuse(console_db, "Alice", "not-the-password")
    (entry,) = recent(console_db)
    assert (entry.username, entry.action, entry.ip, entry.at) == ("alice", "login_failed", "10.0.3.*", T0)
    assert entry.detail == {"attempted": "alice", "reason": "wrong_password"}


def test_an_unknown_name_is_recorded_cut_short(console_db, alice):
    refuse(console_db, "my-secret-password", "whatever-else")  # a password typed in the name field
    (entry,) = recent(console_db)
    assert entry.username == UNKNOWN_USER and entry.action == "login_failed"
    assert entry.detail == {"attempted": "my***", "reason": "unknown_user"}
    assert "secret" not in str(entry.detail)


def test_a_disabled_account_is_recorded_only_with_the_right_password(console_db, alice):
    set_active(console_db, "alice", False)
    refuse(console_db, "alice", PASSWORD)
    assert recent(console_db)[0].detail == {"attempted": "alice", "reason": "disabled"}
    refuse(console_db, "alice", "wrong-password")
    assert recent(console_db)[0].detail["reason"] == "wrong_password"  # no hint to someone guessing


def test_locked_logins_are_recorded_once_a_minute(console_db, alice):
    for i in range(MAX_FAILURES_PER_USER):
        refuse(console_db, "alice", f"guess-{i}", now=T0 + timedelta(seconds=i))
    for second in range(10, 40):  # 30 attempts in half a minute while locked
        refuse(console_db, "alice", PASSWORD, now=T0 + timedelta(seconds=second))
    refuse(console_db, "alice", PASSWORD, ip="192.168.7.9", now=T0 + timedelta(seconds=41))  # another network
    refuse(console_db, "alice", PASSWORD, now=T0 + timedelta(seconds=75))  # a minute after the first
    entries = recent(console_db)
    assert [e.action for e in entries].count("login_failed") == MAX_FAILURES_PER_USER
    locked = [(e.at, e.ip) for e in entries if e.action == "login_locked"]
    assert locked == [(T0 + timedelta(seconds=75), "10.0.3.*"), (T0 + timedelta(seconds=41), "192.168.7.*"),
                      (T0 + timedelta(seconds=10), "10.0.3.*")]
    assert entries[0].username == "alice" and entries[0].detail == {"attempted": "alice", "reason": "locked"}


def test_a_successful_login_writes_no_refusal(console_db, alice):
    authenticate(console_db, "alice", PASSWORD, IP, now=T0)
    assert recent(console_db) == []


@pytest.mark.parametrize("ip, shown", [
    ("10.0.3.17", "10.0.3.*"), ("::ffff:192.168.1.20", "192.168.1.*"), ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
    ("garbage", "（无法识别的地址）"), (None, None), ("", None),
])
def test_addresses_keep_only_their_network(ip, shown):
    assert mask_ip(ip) == shown


def test_shown_name():
    assert shown_name(" ghost01 ") == "gh***" and shown_name("x") == "x***"

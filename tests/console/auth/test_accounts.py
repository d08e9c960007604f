"""Accounts and logging in: validation, refusals, and the per-username / per-address limits."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from console.auth import accounts, passwords
from console.auth.accounts import (
    MAX_FAILURES_PER_IP,
    MAX_FAILURES_PER_USER,
    WINDOW,
    InvalidUsername,
    LastAdmin,
    LoginRefused,
    RefusalReason,
    StaffAccount,
    UsernameTaken,
    UserNotFound,
    WrongPassword,
    authenticate,
    change_own_password,
    create_user,
    list_users,
    set_active,
    set_password,
    set_role,
)
from console.auth.passwords import WeakPassword
from console.auth.roles import Role, UnknownRole
from console.tables import LoginAttempt, StaffUser

PASSWORD = "jinghu-district-42"
T0 = datetime(2025, 3, 1, 9, 0, 0)
IP = "10.0.0.7"


@pytest.fixture()
def alice(console_db) -> StaffAccount:
    return create_user(console_db, "alice", PASSWORD, "reviewer", now=T0 - timedelta(days=1))


def refused(console_db, username, password, ip=IP, now=T0) -> RefusalReason:
    with pytest.raises(LoginRefused) as caught:
        authenticate(console_db, username, password, ip, now=now)
    return caught.value.reason


def test_create_and_log_in(console_db, alice):
    assert alice.username == "alice" and alice.role is Role.REVIEWER and alice.active
    account = authenticate(console_db, "alice", PASSWORD, IP, now=T0)
    assert account == replace(alice, last_login_at=T0)
    assert alice.last_login_at is None and not alice.must_change_password
    assert not hasattr(account, "password_hash")
    assert authenticate(console_db, " Alice ", PASSWORD, IP, now=T0).id == alice.id  # typed with capitals


def test_password_is_stored_hashed(console_db, alice):
    with console_db() as session:
        stored = session.execute(select(StaffUser.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_password_and_unknown_user_are_refused_alike(console_db, alice):
    assert refused(console_db, "alice", PASSWORD + "!") is RefusalReason.BAD_CREDENTIALS
    with pytest.raises(LoginRefused) as unknown:
        authenticate(console_db, "mallory", PASSWORD, IP, now=T0)
    with pytest.raises(LoginRefused) as wrong:
        authenticate(console_db, "alice", "nope-nope-nope", IP, now=T0)
    assert unknown.value.reason is wrong.value.reason is RefusalReason.BAD_CREDENTIALS
    assert str(unknown.value) == str(wrong.value) == "用户名或密码不正确。"


@pytest.mark.parametrize("username", ["mallory", "not a valid name!", ""])
def test_unknown_users_still_cost_a_hash_check(console_db, alice, monkeypatch, username):
    checked = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    assert refused(console_db, username, PASSWORD) is RefusalReason.BAD_CREDENTIALS
    assert checked == [passwords.dummy_hash()]


def test_oversized_password_is_just_wrong(console_db, alice):
    assert refused(console_db, "alice", PASSWORD + "x" * 10_000) is RefusalReason.BAD_CREDENTIALS


def test_failures_are_recorded_per_username_and_address(console_db, alice):
    refused(console_db, "alice", "wrong-password-1")
    refused(console_db, "ghost", "wrong-password-1", ip="10.0.0.8")
    with console_db() as session:
        keys = sorted(session.execute(select(LoginAttempt.key)).scalars())
    assert keys == ["ip:10.0.0.7", "ip:10.0.0.8", "user:alice", "user:ghost"]


def test_lockout_after_five_failures_even_with_the_right_password(console_db, alice):
    for i in range(MAX_FAILURES_PER_USER):
        assert refused(console_db, "alice", f"guess-number-{i}", now=T0 + timedelta(seconds=i)) \
            is RefusalReason.BAD_CREDENTIALS
    locked_at = T0 + timedelta(seconds=10)
    assert refused(console_db, "alice", PASSWORD, now=locked_at) is RefusalReason.LOCKED
    assert refused(console_db, "alice", PASSWORD, ip="192.168.1.1", now=locked_at) is RefusalReason.LOCKED
    assert refused(console_db, "ALICE", PASSWORD, now=locked_at) is RefusalReason.LOCKED
    assert refused(console_db, "alice", PASSWORD, now=T0 + timedelta(minutes=14)) is RefusalReason.LOCKED
    with pytest.raises(LoginRefused, match="15 分钟后再试"):
        authenticate(console_db, "alice", PASSWORD, IP, now=locked_at)

    # Other accounts are not affected by alice's lock (the address has only 5 failures).
    create_user(console_db, "bob.wang", PASSWORD, "trainer", now=T0)
    assert authenticate(console_db, "bob.wang", PASSWORD, IP, now=locked_at).username == "bob.wang"

    after = T0 + WINDOW + timedelta(seconds=10)
    assert authenticate(console_db, "alice", PASSWORD, IP, now=after).id == alice.id
    # The successful login cleared alice's failures: one more mistake does not lock her out.
    refused(console_db, "alice", "one-more-typo", now=after)
    assert authenticate(console_db, "alice", PASSWORD, IP, now=after + timedelta(seconds=1)).id == alice.id


def test_the_lock_lifts_as_old_failures_leave_the_window(console_db, alice):
    for i in range(MAX_FAILURES_PER_USER):
        refused(console_db, "alice", "wrong-password", now=T0 + timedelta(minutes=i))
    # At T0+15m01s the first failure is out of the window: 4 left, so one attempt is allowed.
    assert refused(console_db, "alice", "wrong-again!", now=T0 + WINDOW + timedelta(seconds=1)) \
        is RefusalReason.BAD_CREDENTIALS
    assert refused(console_db, "alice", PASSWORD, now=T0 + WINDOW + timedelta(seconds=2)) is RefusalReason.LOCKED


def test_per_address_limit(console_db, alice):
    # 20 failures spread over usernames, none of which reaches its own limit.
    for i in range(MAX_FAILURES_PER_IP):
        refused(console_db, f"user{i % 10:02d}", "wrong-password", now=T0 + timedelta(seconds=i))
    now = T0 + timedelta(minutes=1)
    assert refused(console_db, "alice", PASSWORD, now=now) is RefusalReason.LOCKED
    assert authenticate(console_db, "alice", PASSWORD, "10.0.0.99", now=now).id == alice.id
    assert authenticate(console_db, "alice", PASSWORD, IP, now=T0 + WINDOW + timedelta(seconds=20)).id == alice.id


def test_nineteen_failures_from_an_address_are_not_yet_a_lock(console_db, alice):
    for i in range(MAX_FAILURES_PER_IP - 1):
        refused(console_db, f"user{i % 10:02d}", "wrong-password", now=T0)
    assert authenticate(console_db, "alice", PASSWORD, IP, now=T0).id == alice.id


def test_old_attempts_are_pruned(console_db, alice):
    refused(console_db, "alice", "wrong-password", now=T0)
    refused(console_db, "nobody", "x" * 10, ip="10.9.9.9", now=T0 + WINDOW * 2)
    with console_db() as session:
        keys = sorted(session.execute(select(LoginAttempt.key)).scalars())
    assert keys == ["ip:10.9.9.9", "user:nobody"]


def test_disabled_account(console_db, alice):
    set_active(console_db, "alice", False)
    with pytest.raises(LoginRefused, match="已停用") as caught:
        authenticate(console_db, "alice", PASSWORD, IP, now=T0)
    assert caught.value.reason is RefusalReason.DISABLED
    # No hint without the password.
    assert refused(console_db, "alice", "wrong-password") is RefusalReason.BAD_CREDENTIALS
    set_active(console_db, "alice", True)
    assert authenticate(console_db, "alice", PASSWORD, IP, now=T0).active


def test_set_password(console_db, alice):
    set_password(console_db, "alice", "a-brand-new-secret")
    assert refused(console_db, "alice", PASSWORD) is RefusalReason.BAD_CREDENTIALS
    assert authenticate(console_db, "alice", "a-brand-new-secret", IP, now=T0).id == alice.id
    with pytest.raises(WeakPassword):
        set_password(console_db, "alice", "123")
    with pytest.raises(UserNotFound, match="没有找到账号 nobody"):
        set_password(console_db, "nobody", "a-brand-new-secret")


def test_login_upgrades_an_old_hash(console_db, alice, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    authenticate(console_db, "alice", PASSWORD, IP, now=T0)
    with console_db() as session:
        stored = session.execute(select(StaffUser.password_hash)).scalar_one()
    assert extract_parameters(stored).time_cost == 2
    assert authenticate(console_db, "alice", PASSWORD, IP, now=T0).id == alice.id


@pytest.mark.parametrize("username", ["ab", "1alice", "_alice", "a" * 33, "zhang san", "张三", "alice;drop",
                                      "ali\nce", "al!ce"])
def test_bad_usernames(console_db, username):
    with pytest.raises(InvalidUsername, match="小写字母开头"):
        create_user(console_db, username, PASSWORD, "reviewer")


@pytest.mark.parametrize("username", ["abc", "zhang.san", "li-si_2", "a" * 32, "Wang.Wu"])
def test_good_usernames(console_db, username):
    assert create_user(console_db, username, PASSWORD, "admin").username == username.lower()


def test_create_user_refusals(console_db, alice):
    with pytest.raises(UsernameTaken, match="alice 已被使用"):
        create_user(console_db, "Alice", PASSWORD, "admin")
    with pytest.raises(UnknownRole):
        create_user(console_db, "carol", PASSWORD, "superuser")
    with pytest.raises(WeakPassword, match="至少需要 10 个字符"):
        create_user(console_db, "carol", "short", "admin")
    with pytest.raises(WeakPassword, match="不能全是数字"):
        create_user(console_db, "carol", "12345678901", "admin")
    assert [a.username for a in list_users(console_db)] == ["alice"]


def test_list_users_sorted(console_db):
    for name, role in (("zhou", "admin"), ("chen", "trainer"), ("li.na", "reviewer")):
        create_user(console_db, name, PASSWORD, role)
    assert [(a.username, a.role) for a in list_users(console_db)] == [
        ("chen", Role.TRAINER), ("li.na", Role.REVIEWER), ("zhou", Role.ADMIN)]
    assert accounts.get_user(console_db, "nobody") is None


# --- roles, the last admin, one-time passwords ---------------------------------------------

def test_set_role(console_db, alice):
    create_user(console_db, "root.admin", PASSWORD, "admin")
    assert set_role(console_db, "ALICE", "trainer").role is Role.TRAINER
    assert accounts.get_user(console_db, "alice").role is Role.TRAINER
    with pytest.raises(UnknownRole):
        set_role(console_db, "alice", "boss")
    with pytest.raises(UserNotFound):
        set_role(console_db, "nobody", "admin")


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(console_db, alice):
    create_user(console_db, "zhou", PASSWORD, "admin")
    for change in (lambda: set_active(console_db, "zhou", False), lambda: set_role(console_db, "zhou", "trainer")):
        with pytest.raises(LastAdmin, match="最后一个启用的管理员"):
            change()
    assert accounts.get_user(console_db, "zhou").role is Role.ADMIN and accounts.get_user(console_db, "zhou").active
    # A second admin that is disabled does not count …
    create_user(console_db, "chen", PASSWORD, "admin")
    set_active(console_db, "chen", False)
    with pytest.raises(LastAdmin):
        set_role(console_db, "zhou", "reviewer")
    # … an enabled one does; and changes to non-admins are never blocked.
    set_active(console_db, "chen", True)
    assert set_role(console_db, "zhou", "reviewer").role is Role.REVIEWER
    assert not set_active(console_db, "alice", False).active
    with pytest.raises(LastAdmin):
        set_active(console_db, "chen", False)
    assert set_role(console_db, "chen", "admin").role is Role.ADMIN  # unchanged role: allowed


def test_a_one_time_password_must_be_changed(console_db):
    account = create_user(console_db, "wang", PASSWORD, "reviewer", must_change_password=True)
    assert account.must_change_password
    assert authenticate(console_db, "wang", PASSWORD, IP, now=T0).must_change_password  # logs in, flagged
    with pytest.raises(WrongPassword, match="当前密码不正确"):
        change_own_password(console_db, "wang", "not-the-password", "my-own-secret-1")
    with pytest.raises(WeakPassword, match="不能与当前密码相同"):
        change_own_password(console_db, "wang", PASSWORD, PASSWORD)
    with pytest.raises(WeakPassword):
        change_own_password(console_db, "wang", PASSWORD, "short")
    changed = change_own_password(console_db, "wang", PASSWORD, "my-own-secret-1")
    assert not changed.must_change_password
    assert authenticate(console_db, "wang", "my-own-secret-1", IP, now=T0).id == account.id
    # An admin's reset sets it again; the CLI's passwd (chosen by a person) does not.
    assert set_password(console_db, "wang", "reset-by-admin-9", must_change_password=True).must_change_password
    assert not set_password(console_db, "wang", "typed-at-the-cli").must_change_password


def test_on_change_runs_inside_the_transaction(console_db, alice):
    create_user(console_db, "zhou", PASSWORD, "admin")

    def fail(session, account):
        assert account.role is Role.TRAINER  # sees the change …
        raise RuntimeError("audit refused")

    with pytest.raises(RuntimeError):
        set_role(console_db, "alice", "trainer", on_change=fail)
    assert accounts.get_user(console_db, "alice").role is Role.REVIEWER  # … which is rolled back with it

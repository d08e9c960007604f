"""An admin's account actions: one-time passwords from `secrets`, each action audited with the change."""
from __future__ import annotations

import pytest

from console.auth import accounts, passwords, staff_admin
from console.auth.accounts import LastAdmin, UsernameTaken, UserNotFound, authenticate, create_user
from console.auth.audit import Actor, recent
from console.auth.roles import Role
from console.auth.staff_admin import ALPHABET, SelfReset

PASSWORD = "jinghu-district-42"
ADMIN = Actor("zhou", "10.0.0.5")


@pytest.fixture()
def admin(console_db):
    return create_user(console_db, "zhou", PASSWORD, "admin")


def test_one_time_passwords_are_random_readable_and_meet_the_policy():
    made = {staff_admin.one_time_password() for _ in range(200)}
    assert len(made) == 200
    for password in made:
        assert passwords.password_problem(password) is None
        groups = password.split("-")
        assert [len(g) for g in groups] == [4, 4, 4] and set("".join(groups)) <= set(ALPHABET)
        assert not set("0O1lI") & set(password)


def test_create_gives_a_one_time_password_and_audits(console_db, admin):
    account, password = staff_admin.create_account(console_db, ADMIN, "Li.Si", "trainer")
    assert account.username == "li.si" and account.role is Role.TRAINER and account.must_change_password
    assert authenticate(console_db, "li.si", password, "10.0.0.9").must_change_password
    (entry,) = [e for e in recent(console_db) if e.action == "user.add"]
    assert (entry.username, entry.ip) == ("zhou", "10.0.0.5")
    assert entry.detail == {"username": "li.si", "role": "trainer"}
    assert password not in str([e.detail for e in recent(console_db)])
    with pytest.raises(UsernameTaken):
        staff_admin.create_account(console_db, ADMIN, "li.si", "reviewer")
    assert len([e for e in recent(console_db) if e.action == "user.add"]) == 1  # a refusal is not audited


def test_role_and_state_changes_are_audited_only_when_something_changes(console_db, admin):
    create_user(console_db, "li.si", PASSWORD, "reviewer")
    staff_admin.change_role(console_db, ADMIN, "li.si", "admin")
    staff_admin.change_role(console_db, ADMIN, "li.si", "admin")
    staff_admin.set_enabled(console_db, ADMIN, "li.si", False)
    staff_admin.set_enabled(console_db, ADMIN, "li.si", False)
    staff_admin.set_enabled(console_db, ADMIN, "li.si", True)
    assert [(e.action, e.detail) for e in recent(console_db)] == [
        ("user.enable", {"username": "li.si"}), ("user.disable", {"username": "li.si"}),
        ("user.role", {"username": "li.si", "role": "admin", "previous": "reviewer"})]


def test_an_admin_cannot_leave_the_console_without_an_enabled_admin(console_db, admin):
    with pytest.raises(LastAdmin):
        staff_admin.set_enabled(console_db, ADMIN, "zhou", False)
    with pytest.raises(LastAdmin):
        staff_admin.change_role(console_db, ADMIN, "zhou", "reviewer")
    assert recent(console_db) == []
    create_user(console_db, "chen", PASSWORD, "admin")
    assert staff_admin.change_role(console_db, ADMIN, "zhou", "trainer").role is Role.TRAINER  # now allowed


def test_reset_forces_a_change_and_ends_the_password(console_db, admin):
    create_user(console_db, "li.si", PASSWORD, "reviewer")
    account, password = staff_admin.reset_password(console_db, ADMIN, "li.si")
    assert account.must_change_password and password != PASSWORD
    with pytest.raises(accounts.LoginRefused):
        authenticate(console_db, "li.si", PASSWORD, "10.0.0.9")
    assert authenticate(console_db, "li.si", password, "10.0.0.9").must_change_password
    assert recent(console_db)[0].action == "login_failed"  # the old password, tried after the reset
    assert [e.action for e in recent(console_db) if e.action.startswith("user.")] == ["user.reset"]
    with pytest.raises(SelfReset):
        staff_admin.reset_password(console_db, ADMIN, "zhou")
    with pytest.raises(UserNotFound):
        staff_admin.reset_password(console_db, ADMIN, "nobody")


def test_changing_ones_own_password_is_audited(console_db, admin):
    staff_admin.change_own_password(console_db, ADMIN, PASSWORD, "zhou-own-secret-7")
    entry = recent(console_db)[0]
    assert (entry.username, entry.action, entry.detail) == ("zhou", "password_change", {"username": "zhou"})

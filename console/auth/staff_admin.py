"""What an admin does to staff accounts on the 账号管理 page, each audited in its own transaction.

An admin never chooses another person's password: a new account and a reset get a
one-time password made here with `secrets`, which the page shows once and the account
must replace at its first login (StaffAccount.must_change_password). The audit entry
is written inside the change's transaction (accounts.OnChange), so a change is never
stored without it. The rules themselves (username, roles, the last enabled admin) are
accounts.py's, shared with the CLI.
"""
from __future__ import annotations

import secrets
from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from console.auth import accounts, audit, passwords
from console.auth.accounts import StaffAccount, UserNotFound
from console.auth.audit import Actor
from console.auth.roles import Role, parse_role

#: No 0/O, 1/l/I: the password is read off a screen and typed by someone else.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 3, 4  # "xxxx-xxxx-xxxx": about 70 bits


class SelfReset(accounts.AccountError):
    def __init__(self) -> None:
        super().__init__("不能在这里重置自己的密码，请用“修改密码”页面。")


def one_time_password() -> str:
    """A random password meeting the policy, in groups that are easy to read out."""
    while True:
        password = "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH))
                            for _ in range(GROUPS))
        if passwords.password_problem(password) is None:
            return password


def _audited(actor: Actor, action: str, **detail: Any) -> accounts.OnChange:
    def on_change(session: Session, account: StaffAccount) -> None:
        audit.write(session, actor.username, action,
                    actor.detail({"username": account.username, **detail}), actor.ip)
    return on_change


def _existing(db: sessionmaker, username: str) -> StaffAccount:
    account = accounts.get_user(db, username)
    if account is None:
        raise UserNotFound(username)
    return account


def create_account(db: sessionmaker, actor: Actor, username: str, role: str | Role
                   ) -> tuple[StaffAccount, str]:
    """A new account and its one-time password (to show once, never stored in clear).

    Raises InvalidUsername, UnknownRole, UsernameTaken.
    """
    parsed = parse_role(role)
    password = one_time_password()
    account = accounts.create_user(db, username, password, parsed, must_change_password=True,
                                   on_change=_audited(actor, "user.add", role=parsed.value))
    return account, password


def change_role(db: sessionmaker, actor: Actor, username: str, role: str | Role) -> StaffAccount:
    """Raises UnknownRole, UserNotFound, LastAdmin; an unchanged role is not audited."""
    parsed = parse_role(role)
    before = _existing(db, username)
    if before.role is parsed:
        return before
    return accounts.set_role(db, username, parsed,
                             on_change=_audited(actor, "user.role", role=parsed.value, previous=before.role.value))


def set_enabled(db: sessionmaker, actor: Actor, username: str, enabled: bool) -> StaffAccount:
    """Raises UserNotFound, LastAdmin; an unchanged state is not audited."""
    before = _existing(db, username)
    if before.active == enabled:
        return before
    return accounts.set_active(db, username, enabled,
                               on_change=_audited(actor, "user.enable" if enabled else "user.disable"))


class UnknownDepartment(accounts.AccountError, ValueError):
    def __init__(self, department: str) -> None:
        self.department = department
        super().__init__(f"没有“{department}”这个部门，请从列表中选择。")


def change_department(db: sessionmaker, actor: Actor, username: str, department: str,
                      known: Collection[str]) -> StaffAccount:
    """Scope the account's 差评回访 to `department` (one of `known`), or '' for every department.

    Raises UnknownDepartment, UserNotFound; an unchanged department is not audited.
    """
    department = department.strip()
    if department and department not in known:
        raise UnknownDepartment(department)
    before = _existing(db, username)
    if (before.department or "") == department:
        return before
    return accounts.set_department(db, username, department or None,
                                   on_change=_audited(actor, "user.department", department=department or None,
                                                      previous_department=before.department))


def reset_password(db: sessionmaker, actor: Actor, username: str) -> tuple[StaffAccount, str]:
    """A new one-time password for someone else's account; their sessions end.

    Raises UserNotFound, SelfReset (an admin changes their own on the password page).
    """
    before = _existing(db, username)
    if before.username == actor.username:
        raise SelfReset()
    password = one_time_password()
    account = accounts.set_password(db, before.username, password, must_change_password=True,
                                    on_change=_audited(actor, "user.reset"))
    return account, password


def change_own_password(db: sessionmaker, actor: Actor, current: str, new: str) -> StaffAccount:
    """The signed-in member of staff replaces their password (after a reset, or any time).

    Raises WrongPassword, WeakPassword.
    """
    return accounts.change_own_password(db, actor.username, current, new,
                                        on_change=_audited(actor, "password_change"))

"""`python -m console user add|list|disable|enable|passwd`: staff console accounts.

The first admin has to be created here, before the console can be used. Passwords are
typed twice at a hidden prompt, or taken from $CONSOLE_PASSWORD for scripts (never from
the command line, where they would end up in the shell history and `ps`).
"""
from __future__ import annotations

import argparse
import getpass
import os
from datetime import timezone
from typing import Any
from zoneinfo import ZoneInfo

from console.auth import audit
from console.auth.accounts import (
    StaffAccount,
    UsernameTaken,
    UserNotFound,
    create_user,
    get_user,
    list_users,
    set_active,
    set_password,
    validate_username,
)
from console.auth.passwords import check_policy
from console.auth.roles import Role, parse_role
from console.cli.common import Parser, cli_actor, database

PASSWORD_ENV = "CONSOLE_PASSWORD"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
ROLE_NAMES = {Role.REVIEWER: "审核员", Role.TRAINER: "训练员", Role.ADMIN: "管理员"}


class Cancelled(Exception):
    """The person stopped at a password prompt."""


class PasswordMismatch(ValueError):
    """The two typed passwords differ."""

    def __init__(self) -> None:
        super().__init__("两次输入的密码不一致，未做改动。")


def add_commands(sub: Any) -> None:
    """Add the `user` command group to the CLI's subparsers."""
    user = sub.add_parser("user", help="manage staff console accounts")
    users = user.add_subparsers(dest="user_command", required=True, parser_class=Parser)

    add = users.add_parser("add", help=f"create an account (password prompted, or ${PASSWORD_ENV})")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="reviewer, trainer or admin")
    add.set_defaults(func=cmd_add)

    list_ = users.add_parser("list", help="all accounts")
    list_.set_defaults(func=cmd_list)

    disable = users.add_parser("disable", help="switch an account off and end its sessions")
    disable.add_argument("username")
    disable.set_defaults(func=cmd_disable)

    enable = users.add_parser("enable", help="switch a disabled account back on")
    enable.add_argument("username")
    enable.set_defaults(func=cmd_enable)

    passwd = users.add_parser("passwd", help=f"set a new password (prompted, or ${PASSWORD_ENV})")
    passwd.add_argument("username")
    passwd.set_defaults(func=cmd_passwd)


# --- helpers ------------------------------------------------------------------------------

def _audit(action: str, **detail: object) -> None:
    actor = cli_actor()
    audit.record(database(), actor.username, action, actor.detail(detail))


def _read_password(username: str) -> str:
    """From $CONSOLE_PASSWORD, or typed twice; checked against the policy before any hashing."""
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        try:
            password = getpass.getpass("请输入密码：")
            again = getpass.getpass("请再次输入密码：")
        except (EOFError, KeyboardInterrupt):
            raise Cancelled() from None
        if password != again:
            raise PasswordMismatch()
    check_policy(password, username)
    return password


def _when(at) -> str:
    return at.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _role_label(role: Role) -> str:
    return f"{role.value}（{ROLE_NAMES[role]}）"


# --- commands -----------------------------------------------------------------------------

def cmd_add(args: argparse.Namespace) -> int:
    username = validate_username(args.username)
    role = parse_role(args.role)
    if get_user(database(), username) is not None:
        raise UsernameTaken(username)  # before the password prompt, not after
    account = create_user(database(), username, _read_password(username), role)
    _audit("user.add", username=account.username, role=account.role.value)
    print(f"已创建账号 {account.username}，角色：{_role_label(account.role)}。")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    accounts: list[StaffAccount] = list_users(database())
    if not accounts:
        print("还没有账号。用 python -m console user add 用户名 --role admin 创建第一个管理员。")
        return 0
    print("用户名\t角色\t状态\t创建时间")
    for a in accounts:
        print("\t".join((a.username, _role_label(a.role), "启用" if a.active else "停用", _when(a.created_at))))
    print(f"共 {len(accounts)} 个账号")
    return 0


def _switch(args: argparse.Namespace, active: bool) -> int:
    before = get_user(database(), args.username)
    if before is None:
        raise UserNotFound(args.username)
    state = "启用" if active else "停用"
    if before.active == active:
        print(f"账号 {before.username} 已是{state}状态，未做改动。")
        return 0
    account = set_active(database(), args.username, active)
    _audit("user.enable" if active else "user.disable", username=account.username)
    ended = "，其登录会话已全部结束" if not active else ""
    print(f"已{state}账号 {account.username}{ended}。")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    return _switch(args, active=False)


def cmd_enable(args: argparse.Namespace) -> int:
    return _switch(args, active=True)


def cmd_passwd(args: argparse.Namespace) -> int:
    before = get_user(database(), args.username)
    if before is None:
        raise UserNotFound(args.username)
    account = set_password(database(), before.username, _read_password(before.username))
    _audit("user.passwd", username=account.username)
    print(f"已为 {account.username} 设置新密码，其登录会话已全部结束。")
    return 0

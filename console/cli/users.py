"""`python -m console user add|list|disable|enable|passwd|role`: staff console accounts.

The first admin has to be created here, before the console can be used; after that admins
can also manage accounts in the browser (账号管理). Passwords are typed twice at a hidden
prompt, or taken from $CONSOLE_PASSWORD for scripts (never from the command line, where
they would end up in the shell history and `ps`). Times are local (console/timefmt.py).
"""
from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from console import timefmt
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
    set_role,
    validate_username,
)
from console.auth.passwords import check_policy
from console.auth.roles import Role, parse_role, role_label
from console.cli.common import Parser, cli_actor, database

PASSWORD_ENV = "CONSOLE_PASSWORD"


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
    add.add_argument("--role", required=True, help="reviewer, trainer, admin or agent (坐席)")
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

    role = users.add_parser("role", help="give an account another role")
    role.add_argument("username")
    role.add_argument("role", help="reviewer, trainer, admin or agent (坐席)")
    role.set_defaults(func=cmd_role)


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


def _role_label(role: Role) -> str:
    return f"{role.value}（{role_label(role)}）"


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
    print(f"用户名\t角色\t状态\t创建时间（{timefmt.zone_label()}）\t最近登录")
    for a in accounts:
        state = "启用" if a.active else "停用"
        if a.active and a.must_change_password:
            state += "（待改一次性密码）"
        print("\t".join((a.username, _role_label(a.role), state, timefmt.format_time(a.created_at),
                         timefmt.format_time(a.last_login_at, empty="从未登录"))))
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


def cmd_role(args: argparse.Namespace) -> int:
    role = parse_role(args.role)
    before = get_user(database(), args.username)
    if before is None:
        raise UserNotFound(args.username)
    if before.role is role:
        print(f"账号 {before.username} 已是{_role_label(role)}，未做改动。")
        return 0
    account = set_role(database(), before.username, role)
    _audit("user.role", username=account.username, role=role.value, previous=before.role.value)
    print(f"已将账号 {account.username} 的角色改为 {_role_label(account.role)}。")
    return 0

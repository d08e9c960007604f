"""Account management for the staff console: `python -m bot.console user add|list|disable|enable|passwd`.

Also `python -m bot.console faq list|add` for the frequently asked questions (bot/console/faq.py).

The first admin has to be created here, before the console can be used. Passwords are
typed twice at a hidden prompt, or taken from $CONSOLE_PASSWORD for scripts (never from
the command line, where they would end up in the shell history and `ps`). Every change
is written to the audit log as user "cli", with the operating-system account that ran it.

Exit codes: 0 done, 1 nothing changed because of the database state (no such account,
name taken, cancelled), 2 bad input (usage, role, username, weak or mismatched password).
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import timezone
from pathlib import Path
from typing import List, NoReturn, Optional, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT, get_settings
from console.auth import audit
from console.teaching import faq
from console.auth.accounts import (
    InvalidUsername, StaffAccount, UserNotFound, UsernameTaken, create_user, get_user, list_users,
    set_active, set_password, validate_username,
)
from console.cli.model_versions import add_model_commands
from console.auth.passwords import WeakPassword, check_policy
from console.auth.roles import Role, UnknownRole, parse_role
from console.teaching.training_data import TrainingDataError
from bot.db import session_factory

PASSWORD_ENV = "CONSOLE_PASSWORD"
AUDIT_USER = "cli"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
ROLE_NAMES = {Role.REVIEWER: "审核员", Role.TRAINER: "训练员", Role.ADMIN: "管理员"}


class UsageError(Exception):
    """argparse found the command line malformed (message already in the parser's words)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that lets main() report errors and return 2 instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage()}")


class Cancelled(Exception):
    """The person stopped at a password prompt."""


class PasswordMismatch(ValueError):
    """The two typed passwords differ."""

    def __init__(self) -> None:
        super().__init__("两次输入的密码不一致，未做改动。")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot.console", description="芜湖政务服务助手 工作台账号管理")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    user = sub.add_parser("user", help="manage staff console accounts")
    users = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)

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
    _add_faq_commands(sub)
    add_model_commands(sub)
    return parser


# --- helpers ------------------------------------------------------------------------------

def _sessions() -> sessionmaker:
    return session_factory(get_settings().database_url)


def _os_user() -> Optional[str]:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the audit entry is still written
        return None


def _audit(action: str, **detail: object) -> None:
    audit.record(_sessions(), AUDIT_USER, action, {**detail, "os_user": _os_user()})


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
    if get_user(_sessions(), username) is not None:
        raise UsernameTaken(username)  # before the password prompt, not after
    account = create_user(_sessions(), username, _read_password(username), role)
    _audit("user.add", username=account.username, role=account.role.value)
    print(f"已创建账号 {account.username}，角色：{_role_label(account.role)}。")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    accounts: List[StaffAccount] = list_users(_sessions())
    if not accounts:
        print("还没有账号。用 python -m bot.console user add 用户名 --role admin 创建第一个管理员。")
        return 0
    print("用户名\t角色\t状态\t创建时间")
    for a in accounts:
        print("\t".join((a.username, _role_label(a.role), "启用" if a.active else "停用", _when(a.created_at))))
    print(f"共 {len(accounts)} 个账号")
    return 0


def _switch(args: argparse.Namespace, active: bool) -> int:
    before = get_user(_sessions(), args.username)
    if before is None:
        raise UserNotFound(args.username)
    state = "启用" if active else "停用"
    if before.active == active:
        print(f"账号 {before.username} 已是{state}状态，未做改动。")
        return 0
    account = set_active(_sessions(), args.username, active)
    _audit("user.enable" if active else "user.disable", username=account.username)
    ended = "，其登录会话已全部结束" if not active else ""
    print(f"已{state}账号 {account.username}{ended}。")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    return _switch(args, active=False)


def cmd_enable(args: argparse.Namespace) -> int:
    return _switch(args, active=True)


def cmd_passwd(args: argparse.Namespace) -> int:
    before = get_user(_sessions(), args.username)
    if before is None:
        raise UserNotFound(args.username)
    account = set_password(_sessions(), before.username, _read_password(before.username))
    _audit("user.passwd", username=account.username)
    print(f"已为 {account.username} 设置新密码，其登录会话已全部结束。")
    return 0


# --- frequently asked questions ------------------------------------------------------------

def _add_faq_commands(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("faq", help="frequently asked questions (常见问题)")
    faqs = group.add_subparsers(dest="faq_command", required=True, parser_class=_Parser)
    for name, text, func in (("list", "every FAQ with its phrasings and answer", cmd_faq_list),
                             ("add", "add an FAQ (takes effect after the next training)", cmd_faq_add)):
        command = faqs.add_parser(name, help=text)
        command.add_argument("--nlu-dir", type=Path, default=PROJECT_ROOT / "data" / "nlu",
                             help=argparse.SUPPRESS)
        command.set_defaults(func=func)
    add = faqs.choices["add"]
    add.add_argument("key", help="lowercase a-z, 0-9 and _, e.g. parking")
    add.add_argument("--answer", required=True, metavar="TEXT", help="the reply sent to residents")
    add.add_argument("--example", action="append", required=True, dest="examples", metavar="TEXT",
                     help="a resident's phrasing; give 2 to 50")
    add.add_argument("--domain", type=Path, default=PROJECT_ROOT / "domain.yml", help=argparse.SUPPRESS)
    add.add_argument("--heldout-dir", type=Path, default=PROJECT_ROOT / "tests" / "nlu_heldout",
                     help=argparse.SUPPRESS)


def cmd_faq_list(args: argparse.Namespace) -> int:
    faqs = faq.list_faqs(args.nlu_dir)
    if not faqs:
        print("还没有常见问题。用 python -m bot.console faq add 标识 --answer 回答 --example 问法 … 添加。")
        return 0
    for item in faqs:
        print(f"{item.key}（{len(item.examples)} 条问法）")
        print("  问法：" + " / ".join(item.examples[:3]) + (" …" if len(item.examples) > 3 else ""))
        print("  回答：" + item.answer.replace("\n", "\n        "))
    print(f"共 {len(faqs)} 个常见问题")
    return 0


def cmd_faq_add(args: argparse.Namespace) -> int:
    try:
        added = faq.add_faq(args.nlu_dir, args.key, args.examples, args.answer, args.domain,
                            args.heldout_dir)
    except TrainingDataError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    _audit("faq_add", key=added.key, examples=added.examples, answer=added.answer)
    print(f"已添加常见问题 {added.key}（{len(added.examples)} 条问法），重新训练并上线模型后生效。")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one command; returns the exit code (0 done, 1 state, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"命令格式有误：{exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return args.func(args)
    except (InvalidUsername, UnknownRole, WeakPassword, PasswordMismatch) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (UserNotFound, UsernameTaken) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Cancelled:
        print("已取消，未做改动。", file=sys.stderr)
        return 1

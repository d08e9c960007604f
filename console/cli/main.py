"""The console's command line, `python -m console`: accounts, FAQs and models.

`user add|list|disable|enable|passwd|role` (users.py), `faq list|add` (faq.py) and
`model list|plan|train|evaluate|activate|rollback` (model_versions.py). Every change is
written to the audit log as user "cli", with the operating-system account that ran it.

Exit codes: 0 done, 1 nothing changed because of the database state (no such account,
name taken, the last enabled admin, cancelled) or a refusal (gate, training, Rasa unreachable), 2 bad input
(usage, role, username, weak or mismatched password, training data refused, GOV_TIMEZONE).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from console import timefmt
from console.auth.accounts import InvalidUsername, LastAdmin, UsernameTaken, UserNotFound
from console.auth.passwords import WeakPassword
from console.auth.roles import UnknownRole
from console.cli import faq, model_versions, users
from console.cli.common import Parser, UsageError


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m console", description="芜湖政务服务助手 工作台账号管理")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    users.add_commands(sub)
    faq.add_commands(sub)
    model_versions.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
        timefmt.local_zone()  # a mistyped GOV_TIMEZONE is reported before anything is done
        return args.func(args)
    except (InvalidUsername, UnknownRole, WeakPassword, users.PasswordMismatch, timefmt.InvalidTimezone) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (UserNotFound, UsernameTaken, LastAdmin) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except users.Cancelled:
        print("已取消，未做改动。", file=sys.stderr)
        return 1

"""Staff commands for applications: `python -m bot applications list|show|advance`.

Wired into bot/cli.py with `register(subparsers)`. Everything printed is masked:
staff who need the full record open it in the back-office system, not a terminal.
"""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

from sqlalchemy.orm import sessionmaker

from bot.applications.errors import ApplicationNotFound, InvalidTransition, ReasonRequired, UnknownStatus
from bot.applications.service import advance_status, get_application, list_applications
from bot.applications.statuses import TRANSITIONS, ApplicationStatus, parse_status
from bot.applications.views import ApplicationView
from bot.config import get_settings
from bot.db import session_factory

DEFAULT_ACTOR = "工作人员"


def _sessions(args: argparse.Namespace) -> sessionmaker:
    return getattr(args, "sessions", None) or session_factory(get_settings().database_url)


def _when(view_time) -> str:
    return view_time.strftime("%Y-%m-%d %H:%M")


def _next_statuses(status: ApplicationStatus) -> str:
    """"审核中" or "办结、退回": the moves staff can make next, in workflow order."""
    return "、".join(s.value for s in ApplicationStatus if s in TRANSITIONS.get(status, ()))


def _print_detail(view: ApplicationView, out: TextIO) -> None:
    print(f"受理编号：{view.display}", file=out)
    print(f"事项：{view.kind_name}", file=out)
    print(f"当前状态：{view.status}", file=out)
    print(f"申请人：{view.applicant}", file=out)
    print(f"身份证号：{view.id_number}", file=out)
    print(f"联系电话：{view.phone}", file=out)
    print(f"提交时间：{_when(view.created_at)}", file=out)
    if view.details:
        print("申请内容：", file=out)
        for label, value in view.details:
            print(f"  {label}：{value}", file=out)
    print("办理记录：", file=out)
    for change in view.history:
        reason = f"  原因：{change.reason}" if change.reason else ""
        print(f"  {_when(change.at)}  {change.status}  {change.actor}{reason}", file=out)
    following = _next_statuses(parse_status(view.status))
    if following:
        print(f"下一步可以改为：{following}", file=out)


def cmd_list(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    views = list_applications(_sessions(args), sender_id=args.sender, limit=args.limit)
    if not views:
        print("没有找到申请。", file=out)
        return 0
    print("受理编号\t事项\t状态\t申请人\t身份证号\t联系电话\t提交时间", file=out)
    for v in views:
        print("\t".join((v.display, v.kind_name, v.status, v.applicant, v.id_number, v.phone,
                         _when(v.created_at))), file=out)
    print(f"共 {len(views)} 条", file=out)
    return 0


def cmd_show(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        view = get_application(_sessions(args), receipt_no=args.receipt)
    except ApplicationNotFound:
        print(f"没有找到受理编号为 {args.receipt} 的申请，请核对编号。", file=err)
        return 1
    _print_detail(view, out)
    return 0


def cmd_advance(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        view = advance_status(_sessions(args), receipt_no=args.receipt, status=args.status,
                              reason=args.reason, actor=args.actor or DEFAULT_ACTOR)
    except ApplicationNotFound:
        print(f"没有找到受理编号为 {args.receipt} 的申请，请核对编号。", file=err)
        return 1
    except UnknownStatus:
        print(f"没有“{args.status}”这个状态。可用的状态：受理、审核中、办结、退回。", file=err)
        return 2
    except ReasonRequired:
        print("退回申请必须写明原因，请加上 --reason \"原因\"，方便群众补正。", file=err)
        return 2
    except InvalidTransition as exc:
        following = _next_statuses(exc.current)
        hint = f"可以改为：{following}。" if following else "这件申请已经办结或退回，不能再改。"
        print(f"不能从“{exc.current.value}”改为“{exc.requested.value}”。{hint}", file=err)
        return 2
    print(f"已将 {view.display} 改为“{view.status}”。", file=out)
    _print_detail(view, out)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `applications list|show|advance` to the main CLI's subparsers."""
    parser = subparsers.add_parser("applications", help="list, show and advance submitted applications")
    sub = parser.add_subparsers(dest="applications_command", required=True)

    list_ = sub.add_parser("list", help="applications, newest first (masked)")
    list_.add_argument("--sender", help="only this conversation's sender id")
    list_.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    list_.set_defaults(func=cmd_list)

    show = sub.add_parser("show", help="one application with its history (masked)")
    show.add_argument("receipt", help="受理编号 (spaces allowed)")
    show.set_defaults(func=cmd_show)

    advance = sub.add_parser("advance", help="move an application on: 受理 -> 审核中 -> 办结 / 退回")
    advance.add_argument("receipt", help="受理编号")
    advance.add_argument("status", help="审核中, 办结 or 退回 (or reviewing, done, returned)")
    advance.add_argument("--reason", help="why (required for 退回; shown to the resident)")
    advance.add_argument("--actor", help=f"who made the change (default {DEFAULT_ACTOR})")
    advance.set_defaults(func=cmd_advance)

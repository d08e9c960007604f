"""`python -m console faq list|add`: the frequently asked questions (常见问题).

`add` runs the same teaching action as the FAQ page (console/teaching/service.py).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from console.cli.common import Parser, cli_actor, database
from console.teaching import faq, service
from console.teaching.errors import TrainingDataError
from console.teaching.service import TrainingFiles


def add_commands(sub: Any) -> None:
    """Add the `faq` command group to the CLI's subparsers."""
    group = sub.add_parser("faq", help="frequently asked questions (常见问题)")
    faqs = group.add_subparsers(dest="faq_command", required=True, parser_class=Parser)
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
        print("还没有常见问题。用 python -m console faq add 标识 --answer 回答 --example 问法 … 添加。")
        return 0
    for item in faqs:
        print(f"{item.key}（{len(item.examples)} 条问法）")
        print("  问法：" + " / ".join(item.examples[:3]) + (" …" if len(item.examples) > 3 else ""))
        print("  回答：" + item.answer.replace("\n", "\n        "))
    print(f"共 {len(faqs)} 个常见问题")
    return 0


def cmd_faq_add(args: argparse.Namespace) -> int:
    files = TrainingFiles(args.nlu_dir, args.domain, args.heldout_dir)
    try:
        added = service.add_faq(database(), files, cli_actor(), args.key, args.examples,
                                args.answer).faq
    except TrainingDataError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"已添加常见问题 {added.key}（{len(added.examples)} 条问法），重新训练并上线模型后生效。")
    return 0

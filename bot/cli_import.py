"""`python -m bot import-catalogue FILE [--dry-run]`: load an official 办事指南 export.

Translates only: bot/catalogue/official/importer.py checks and loads. The report is for
staff, in Chinese: the counts, then every bad row as "第N行 字段 原因" (N as Excel shows it).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.catalogue.official.importer import ImportReport, import_official
from bot.catalogue.official.mapping import RowError
from bot.config import get_settings
from bot.db import session_factory


def _error_line(error: RowError) -> str:
    if error.row is None:
        return f"文件：{error.reason}"
    return f"第{error.row}行 {error.field} {error.reason}"


def summary_lines(report: ImportReport, dry_run: bool) -> list[str]:
    lines = [f"文件：{report.path}" + (f"（{report.kind}）" if report.kind else "")]
    if report.kind:
        lines.append(f"数据行：{report.rows} 行" + (f"（另有空行 {report.blank_rows} 行，已跳过）"
                                                    if report.blank_rows else ""))
    if report.ignored_columns:
        lines.append("未使用的列：" + "、".join(report.ignored_columns))
    if report.ok:
        change = f"新增 {report.added} 项、更新 {report.updated} 项、移除 {report.removed} 项"
        lines.append(f"校验通过：{len(report.services)} 项服务。")
        lines.append(f"试运行，未写入数据库：将{change}。" if dry_run else f"已导入：{change}。")
    return lines


def error_lines(report: ImportReport) -> list[str]:
    if report.ok:
        return []
    rows = report.bad_rows
    head = f"有误：{len(rows)} 行，共 {len(report.errors)} 处" if rows else f"有误：共 {len(report.errors)} 处"
    return [head + "。", *(_error_line(e) for e in report.errors), "整个文件未导入，数据库未改动。"]


def _import(args: argparse.Namespace) -> int:
    settings = get_settings()
    report = import_official(session_factory(settings.database_url), args.file, dry_run=args.dry_run)
    print("\n".join(summary_lines(report, args.dry_run)))
    if not report.ok:
        print("\n".join(error_lines(report)), file=sys.stderr)
        return 2
    if report.written:
        print(f"-> {settings.database_url}")
    return 0


def register(sub: Any) -> None:
    command = sub.add_parser("import-catalogue",
                             help="check an official 办事指南 export (CSV/XLSX) and load it (all or nothing)")
    command.add_argument("file", type=Path, help="the export: .xlsx, or .csv in UTF-8 or GB18030")
    command.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    command.set_defaults(func=_import)

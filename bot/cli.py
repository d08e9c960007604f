"""Command line: `python -m bot <command>` (see `python -m bot --help`)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import cli_analytics, cli_applications, cli_data, cli_import
from bot.catalogue.loader import CatalogueError, load_catalogue, read_catalogue
from bot.config import get_settings
from bot.db import session_factory


def _load(args: argparse.Namespace) -> int:
    settings = get_settings()
    directory = Path(args.dir or settings.catalogue_dir)
    catalogue = load_catalogue(session_factory(settings.database_url), directory)
    print(f"已载入 {len(catalogue.services)} 项服务、{len(catalogue.districts)} 个区县 -> {settings.database_url}")
    return 0


def _check(args: argparse.Namespace) -> int:
    directory = Path(args.dir or get_settings().catalogue_dir)
    catalogue = read_catalogue(directory)
    print(f"校验通过：{len(catalogue.services)} 项服务、{len(catalogue.districts)} 个区县")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="芜湖政务服务助手 管理命令")
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load-catalogue", help="validate the catalogue files and load them (all or nothing)")
    load.add_argument("--dir", help="catalogue folder (default: data/catalogue or $GOV_CATALOGUE_DIR)")
    load.set_defaults(func=_load)
    check = sub.add_parser("check-catalogue", help="validate the catalogue files without loading")
    check.add_argument("--dir", help="catalogue folder")
    check.set_defaults(func=_check)
    cli_analytics.register(sub)
    cli_applications.register(sub)
    cli_data.register(sub)
    cli_import.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CatalogueError as exc:
        print(f"目录数据有误，数据库未改动。\n文件：{exc.file}\n记录：{exc.record}\n原因：{exc.reason}",
              file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

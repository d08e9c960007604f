"""What every console command shares: the parser class, the database, who is acting."""
from __future__ import annotations

import argparse
import getpass
from typing import NoReturn

from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from console.auth.audit import Actor
from console.database import open_database

#: The audit log's user for everything done from the command line.
AUDIT_USER = "cli"


class UsageError(Exception):
    """argparse found the command line malformed (message already in the parser's words)."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that lets main() report errors and return 2 instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage()}")


def database() -> sessionmaker:
    """The console's tables in the configured database (GOV_DATABASE_URL)."""
    return open_database(get_settings().database_url)


def os_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the audit entry is still written
        return None


def cli_actor() -> Actor:
    """The CLI as the audit log records it: user "cli", with the operating-system account."""
    return Actor(AUDIT_USER, extra={"os_user": os_user()})

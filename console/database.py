"""The console's database: the application's (GOV_DATABASE_URL), with the console's tables.

Every part of the console opens it here, so the console's tables are created and migrated
in one place (console/migrations), whichever process (web app, CLI, test) comes first.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.db import session_factory
from bot.migrations.runner import migrate
from console.migrations import HISTORY


def ensure_schema(engine: Engine) -> str:
    """Bring the console's tables to the newest revision ("current", "created" or "upgraded")."""
    return migrate(engine, HISTORY)


@lru_cache(maxsize=4)
def open_database(url: str) -> sessionmaker:
    """A session factory for `url` with the console's tables at their newest revision."""
    sessions = session_factory(url)
    ensure_schema(sessions.kw["bind"])
    return sessions

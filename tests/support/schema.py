"""Schema checks shared by the migration tests of the application (tests/migrations) and the
console (tests/console/test_schema.py): an old database as the code before migrations left
it, and the differences between a database and the models.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db import make_engine
from bot.migrations import runner

LEGACY_SQL = Path(__file__).parents[1] / "migrations" / "legacy_app_db.sql"

#: Tables the staff console keeps in the same database, under a history of its own.
CONSOLE_TABLES = {"staff_users", "console_sessions", "audit_log", "login_attempts",
                  "console_models", "console_model_activations", "inbox_decisions"}


def legacy_db(path: Path) -> str:
    """A var/app.db exactly as the code before migrations left it (WAL, rows, no version table)."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(LEGACY_SQL.read_text(encoding="utf-8"))
    db.close()
    return f"sqlite:///{path}"


def schema_diff(url: str, history: runner.History = runner.APP) -> list:
    """Differences between the database and `history`'s models, in the tables it owns."""
    def include_name(name, type_, parent_names) -> bool:
        return type_ != "table" or history.owns(name)

    with make_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": include_name,
            "version_table": history.version_table})
        return compare_metadata(context, history.metadata())


def table_names(url: str) -> set[str]:
    with make_engine(url).connect() as connection:
        return set(inspect(connection).get_table_names())


def refuse_inserts(session, table: str, message: str) -> None:
    """Make every INSERT into `table` fail with `message` (SQLite or PostgreSQL trigger)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS "
                             f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"))
        session.execute(text(f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                             f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()"))
    else:
        session.execute(text(f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                             f"BEGIN SELECT RAISE(ABORT, '{message}'); END"))


BACKENDS = ("sqlite", "postgresql")


@contextmanager
def database_at(backend: str, tmp_path: Path, revision: str,
                seed: Callable[[Connection], None] | None = None) -> Iterator[str]:
    """A fresh application database (a SQLite file, or a PostgreSQL database of its own)
    migrated to `revision`, with `seed` run in the same transaction; yields its URL.

    For a migration's test: parametrize a fixture with BACKENDS and yield from this.
    """
    def at_revision(url: str) -> str:
        with make_engine(url).begin() as connection:
            command.upgrade(runner.alembic_config(connection), revision)
            if seed is not None:
                seed(connection)
        return url

    if backend == "sqlite":
        yield at_revision(f"sqlite:///{tmp_path / 'at_revision.db'}")
        return
    from tests.support.backing_services import fresh_database

    with fresh_database() as url:
        yield at_revision(url)

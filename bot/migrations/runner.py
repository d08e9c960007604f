"""Bring a database to the newest revision, whatever state it is in.

Three cases, decided inside one write transaction so processes starting together
(action server, console, CLI) never run the same step twice:

- at head already: nothing to do (one small query);
- empty (a brand-new file, every test's database): `create_all` and stamp head. Faster
  than replaying revisions and the same schema (tests/migrations checks this);
- anything else, including a database `create_all` made before migrations existed
  (tables but no version table): `upgrade head`. The baseline revision creates only
  missing tables, the next ones convert the rows.

On SQLite the work runs on a separate short-lived engine that really wraps DDL in the
transaction (pysqlite would otherwise commit before each CREATE/ALTER), with foreign keys
off so rebuilding a table for an ALTER does not cascade-delete its children; they are
checked with `PRAGMA foreign_key_check` before the commit. Afterwards the WAL is
checkpointed, so plaintext replaced by a conversion is not left behind in the -wal file.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).resolve().parent


class MigrationError(RuntimeError):
    """A migration left the database inconsistent; it was rolled back."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file; env.py uses `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    current = script_directory().get_current_head()
    if current is None:  # pragma: no cover - the versions folder ships with the package
        raise RuntimeError(f"no revisions in {MIGRATIONS_DIR / 'versions'}")
    return current


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _work_engine(engine: Engine) -> Engine:
    """The engine migrations run on (see the module docstring for SQLite)."""
    if engine.dialect.name != "sqlite":
        return engine
    work = create_engine(engine.url, future=True, poolclass=NullPool, hide_parameters=True)

    @event.listens_for(work, "connect")
    def _connect(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        dbapi_conn.isolation_level = None  # we send BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(work, "begin")
    def _begin(conn) -> None:  # pragma: no cover - trivial
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return work


def _migrate(connection: Connection) -> str:
    from bot.db import Base, import_models

    import_models()
    current = current_revision(connection)
    if current == head():
        return "current"
    tables = set(inspect(connection).get_table_names())
    if current is None and not tables & set(Base.metadata.tables):
        Base.metadata.create_all(connection)
        MigrationContext.configure(connection).stamp(script_directory(), "head")
        return "created"
    command.upgrade(alembic_config(connection), "head")
    return "upgraded"


def migrate(engine: Engine) -> str:
    """Bring the database to head; returns "current", "created" or "upgraded"."""
    work = _work_engine(engine)
    try:
        with work.begin() as connection:
            outcome = _migrate(connection)
            if work.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise MigrationError(f"foreign keys broken by the migration: {broken[:5]}")
        if outcome == "upgraded" and work.dialect.name == "sqlite":
            raw = work.raw_connection()  # outside any transaction, which a checkpoint needs
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
    finally:
        if work is not engine:
            work.dispose()
    return outcome


def downgrade(engine: Engine, revision: str) -> None:
    """Go back to `revision` (with the data key, 0002's downgrade restores plaintext)."""
    work = _work_engine(engine)
    try:
        with work.begin() as connection:
            command.downgrade(alembic_config(connection), revision)
    finally:
        if work is not engine:
            work.dispose()

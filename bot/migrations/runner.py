"""Bring a database to the newest revision, whatever state it is in.

A :class:`History` is one line of revisions with the tables it owns and the table its
revision is kept in. The application's is :data:`APP` (bot/migrations/versions); another
application sharing the database keeps a history of its own (the staff console does), so
each owns its tables and neither needs to know the other's.

For each history, three cases, decided inside one write transaction so processes starting
together (action server, console, CLI) never run the same step twice:

- at head already: nothing to do (one small query);
- none of its tables yet (a brand-new file, every test's database): `create_all` and stamp
  head. Faster than replaying revisions and the same schema (tests/migrations checks this);
- anything else, including a database `create_all` made before migrations existed
  (tables but no version table): `upgrade head`. The baseline revision creates only
  missing tables, the next ones convert the rows.

On SQLite the work runs on a separate short-lived engine that really wraps DDL in the
transaction (pysqlite would otherwise commit before each CREATE/ALTER), with foreign keys
off so rebuilding a table for an ALTER does not cascade-delete its children; they are
checked with `PRAGMA foreign_key_check` before the commit. Afterwards the WAL is
checkpointed, so plaintext replaced by a conversion is not left behind in the -wal file.

On PostgreSQL DDL is transactional as it is; the transaction first takes an advisory lock
named after the history's version table, so nodes of a cluster starting together queue
and the later ones find the database at head.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from bot.db import advisory_key

MIGRATIONS_DIR = Path(__file__).resolve().parent


class MigrationError(RuntimeError):
    """A migration left the database inconsistent; it was rolled back."""


@dataclass(frozen=True)
class History:
    """A line of revisions: its folder (env.py, versions/), the models it owns, its version table."""

    directory: Path
    #: Imports the model modules and returns their MetaData (called when needed, not at import).
    load_metadata: Callable[[], MetaData]
    version_table: str = "alembic_version"

    def metadata(self) -> MetaData:
        return self.load_metadata()

    def owns(self, table_name: str) -> bool:
        return table_name in self.metadata().tables


def _app_metadata() -> MetaData:
    from bot.db import Base, import_models

    import_models()
    return Base.metadata


#: The application's tables (bot/), revisions in bot/migrations/versions.
APP = History(MIGRATIONS_DIR, _app_metadata)


def alembic_config(connection: Connection | None = None, history: History = APP) -> Config:
    """Alembic's configuration without an ini file; env.py uses `connection` and `history`."""
    config = Config()
    config.set_main_option("script_location", str(history.directory))
    config.attributes["connection"] = connection
    config.attributes["history"] = history
    return config


@cache
def script_directory(history: History = APP) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(history=history))


def head(history: History = APP) -> str:
    current = script_directory(history).get_current_head()
    if current is None:  # pragma: no cover - the versions folder ships with the package
        raise RuntimeError(f"no revisions in {history.directory / 'versions'}")
    return current


def _context(connection: Connection, history: History) -> MigrationContext:
    return MigrationContext.configure(connection, opts={"version_table": history.version_table})


def current_revision(connection: Connection, history: History = APP) -> str | None:
    return _context(connection, history).get_current_revision()


def run_migrations(context: Any) -> None:
    """The body of every env.py: migrate on the runner's connection, seeing only the tables
    the history owns (autogenerate must not offer to drop another history's tables)."""
    connection = context.config.attributes.get("connection")
    history = context.config.attributes.get("history")
    if connection is None or history is None:  # pragma: no cover - guarded by the runner
        raise RuntimeError("run migrations through bot.migrations.runner (python -m bot db upgrade)")

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        return type_ != "table" or (name is not None and history.owns(name))

    context.configure(connection=connection, target_metadata=history.metadata(),
                      version_table=history.version_table, include_name=include_name,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


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


def _queue_migrators(connection: Connection, history: History) -> None:
    """On PostgreSQL, one migrator of a history at a time (see the module docstring)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)",
                                   (advisory_key(f"migrate:{history.version_table}"),))


def _migrate(connection: Connection, history: History) -> str:
    metadata = history.metadata()
    current = current_revision(connection, history)
    if current == head(history):
        return "current"
    tables = set(inspect(connection).get_table_names())
    if current is None and not tables & set(metadata.tables):
        metadata.create_all(connection)
        _context(connection, history).stamp(script_directory(history), "head")
        return "created"
    command.upgrade(alembic_config(connection, history), "head")
    return "upgraded"


def migrate(engine: Engine, history: History = APP) -> str:
    """Bring the database to head; returns "current", "created" or "upgraded"."""
    work = _work_engine(engine)
    try:
        with work.begin() as connection:
            _queue_migrators(connection, history)
            outcome = _migrate(connection, history)
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


def downgrade(engine: Engine, revision: str, history: History = APP) -> None:
    """Go back to `revision` (with the data key, 0002's downgrade restores plaintext)."""
    work = _work_engine(engine)
    try:
        with work.begin() as connection:
            _queue_migrators(connection, history)
            command.downgrade(alembic_config(connection, history), revision)
    finally:
        if work is not engine:
            work.dispose()

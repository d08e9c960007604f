"""Engine and session factories. Nothing connects at import time.

The schema is owned by the Alembic revisions in bot/migrations/: :func:`create_schema`
brings a database to the newest revision (see bot/migrations/runner.py for how a new,
an old unversioned and a versioned database are each handled).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.config import ensure_private_sqlite, sqlite_path

# SQLAlchemy 1.4 ships no type information, so mypy cannot take the declarative base
# for a class; Any lets the models subclass it.
Base: Any = declarative_base()


def import_models() -> None:
    """Register every table of the application on Base.metadata (its migrations compare
    against all of them). Other applications sharing the database keep their own."""
    import bot.applications.models
    import bot.appointments.models
    import bot.catalogue.models
    import bot.flows.drafts
    import bot.records.attempts  # noqa: F401


def make_engine(url: str) -> Engine:
    """Build an engine; for SQLite, a private file (0600 in a 0700 folder), WAL and foreign keys.

    secure_delete makes SQLite overwrite deleted rows (purged drafts, re-encrypted
    values) instead of leaving them readable in free pages of the file.
    """
    path = sqlite_path(url)
    if path is not None:
        ensure_private_sqlite(path)
    kwargs: dict[str, Any] = {}
    if path is not None:  # keep file connections (1.4 opens one per session, pragmas and all), as 2.0 does
        kwargs = {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
    engine = create_engine(url, future=True, hide_parameters=True, **kwargs)  # errors never quote values
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

    return engine


def create_schema(engine: Engine) -> None:
    """Bring the database to the newest migration (idempotent, safe for processes racing)."""
    from bot.migrations.runner import migrate

    import_models()
    migrate(engine)


def begin_immediate(session: Session) -> None:
    """On SQLite, take the write lock now (BEGIN IMMEDIATE); a no-op elsewhere.

    Must be the session's first statement: pysqlite begins transactions lazily, so this
    BEGIN becomes the transaction's start and reads that follow (a limit check) see the
    latest data with no other writer in between.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache(maxsize=4)
def session_factory(url: str) -> sessionmaker:
    """One engine and session factory per database URL, built on first use."""
    engine = make_engine(url)
    create_schema(engine)
    return sessionmaker(engine, future=True, expire_on_commit=False)

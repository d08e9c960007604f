"""Engine and session factories. Nothing connects at import time.

The schema is owned by the Alembic revisions in bot/migrations/: :func:`create_schema`
brings a database to the newest revision (see bot/migrations/runner.py for how a new,
an old unversioned and a versioned database are each handled).

Two engines are supported: SQLite (the embedded default, one machine) and PostgreSQL
(the cluster profile, ``postgresql+psycopg2://…``). Where a transaction must read and
then write with no other writer in between (a limit check before an insert), it starts
with :func:`begin_immediate`, which takes SQLite's write lock or, on PostgreSQL, the
advisory locks named by the caller.
"""
from __future__ import annotations

import hashlib
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
    import bot.analytics.models
    import bot.applications.models
    import bot.appointments.models
    import bot.catalogue.models
    import bot.evaluation.models
    import bot.flows.drafts
    import bot.handoff.models
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
    elif not url.startswith("sqlite"):
        # A server database may restart under a running node: test pooled connections
        # before use instead of failing the next resident's turn.
        kwargs = {"pool_pre_ping": True}
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


def advisory_key(name: str) -> int:
    """A stable signed 64-bit number for a lock name (PostgreSQL's advisory lock space)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def begin_immediate(session: Session, *locks: str) -> None:
    """Make the check-then-write that follows exclusive; must be the session's first statement.

    SQLite: take the database's write lock now (BEGIN IMMEDIATE). pysqlite begins
    transactions lazily, so this BEGIN becomes the transaction's start and reads that
    follow (a limit check) see the latest data with no other writer in between.

    PostgreSQL has no database-wide write lock, and row locks cannot guard rows that do
    not exist yet (the second booking of a phone). So the caller names what it checks
    (``"booking-phone:<digest>"``) and each name is taken as a transaction-level advisory
    lock, held until COMMIT or ROLLBACK. A second transaction with the same name waits;
    under READ COMMITTED (PostgreSQL's default, which the engine keeps) its following
    reads then see what the first committed. Names are taken in sorted order, so two
    transactions never wait for each other. Without names it is a no-op there (the
    callers' unique constraints and conditional UPDATEs are exact on their own).
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        for key in sorted({advisory_key(name) for name in locks}):
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (key,))


@lru_cache(maxsize=4)
def session_factory(url: str) -> sessionmaker:
    """One engine and session factory per database URL, built on first use."""
    engine = make_engine(url)
    create_schema(engine)
    return sessionmaker(engine, future=True, expire_on_commit=False)

"""Engine and session factories. Nothing connects at import time."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base, sessionmaker

Base = declarative_base()


def make_engine(url: str) -> Engine:
    """Build an engine; for SQLite, create the folder and turn on WAL and foreign keys."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def create_schema(engine: Engine) -> None:
    """Create every table the application owns (idempotent)."""
    import bot.catalogue.models  # noqa: F401  (registers tables)
    import bot.applications.models  # noqa: F401
    import bot.appointments.models  # noqa: F401
    import bot.flows.drafts  # noqa: F401
    import bot.console.models  # noqa: F401

    Base.metadata.create_all(engine)


@lru_cache(maxsize=4)
def session_factory(url: str) -> sessionmaker:
    """One engine and session factory per database URL, built on first use."""
    engine = make_engine(url)
    create_schema(engine)
    return sessionmaker(engine, future=True, expire_on_commit=False)

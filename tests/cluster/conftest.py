"""Fixtures of the cluster profile's tests: fresh PostgreSQL databases (skipped without one)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.db import session_factory
from tests.support.backing_services import fresh_database


@pytest.fixture()
def pg_url(keys) -> Iterator[str]:
    """An empty PostgreSQL database of this test's own, dropped afterwards."""
    with fresh_database() as url:
        yield url


@pytest.fixture()
def pg_sessions(pg_url, catalogue):
    """Sessions on `pg_url` at the newest migration, with the real catalogue written in."""
    from bot.catalogue.loader import write_catalogue

    sessions = session_factory(pg_url)
    with sessions.begin() as session:
        write_catalogue(session, catalogue)
    return sessions

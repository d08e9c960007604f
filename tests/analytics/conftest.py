"""Analytics tests on the catalogue database (SQLite), or PostgreSQL with the catalogue loaded."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from bot.db import session_factory


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue_backend(request, sessions, keys) -> Iterator[sessionmaker]:
    """The test's catalogue database, then a fresh PostgreSQL one with the same catalogue."""
    if request.param == "sqlite":
        yield sessions
        return
    from bot.catalogue.loader import load_catalogue
    from tests.support.backing_services import fresh_database

    with fresh_database() as url:
        postgres = session_factory(url)
        load_catalogue(postgres, get_settings().catalogue_dir)
        yield postgres

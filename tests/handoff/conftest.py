"""Hand-off tests run on the real catalogue database (SQLite, or PostgreSQL with
GOV_TEST_DB=postgresql), with key files of their own; `any_backend` runs a test on both."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db import session_factory


@pytest.fixture()
def handoff(sessions, keys) -> sessionmaker:
    return sessions


@pytest.fixture(params=["sqlite", "postgresql"])
def any_backend(request, tmp_path, keys) -> Iterator[sessionmaker]:
    """A fresh, empty application database: a SQLite file, then PostgreSQL when there is one."""
    if request.param == "sqlite":
        yield session_factory(f"sqlite:///{tmp_path / 'handoff.db'}")
        return
    from tests.support.backing_services import fresh_database

    with fresh_database() as url:
        yield session_factory(url)

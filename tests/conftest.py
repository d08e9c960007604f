"""Shared fixtures: a real SQLite database loaded from data/catalogue.

GOV_TEST_DB=postgresql runs the same tests on a fresh PostgreSQL database per test (and
one per session for the catalogue), as the cluster profile stores its data
(tests/support/backing_services.py; skipped when PostgreSQL is not there).
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from tests.support.official_services import official_services


@pytest.fixture(scope="session")
def services_tsv() -> list[dict]:
    """The official services (data/catalogue/services.tsv)."""
    return official_services()


@contextmanager
def _test_database(folder: Path) -> Iterator[str]:
    """A SQLite file in `folder`, or with GOV_TEST_DB=postgresql a fresh PostgreSQL database."""
    if os.environ.get("GOV_TEST_DB") == "postgresql":
        from tests.support.backing_services import fresh_database

        with fresh_database() as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'app.db'}"


@pytest.fixture(scope="session")
def catalogue_db_url(tmp_path_factory) -> Iterator[str]:
    """A database with the real catalogue loaded, shared by the session."""
    with _test_database(tmp_path_factory.mktemp("db")) as url:
        load_catalogue(session_factory(url), PROJECT_ROOT / "data" / "catalogue")
        yield url


@pytest.fixture()
def use_catalogue_db(catalogue_db_url, monkeypatch):
    """Point the actions at the loaded test database."""
    from actions import runtime

    monkeypatch.setenv("GOV_DATABASE_URL", catalogue_db_url)
    runtime.catalogue.cache_clear()
    yield catalogue_db_url
    runtime.catalogue.cache_clear()


@pytest.fixture(scope="session")
def catalogue():
    """The real catalogue files, parsed once."""
    from bot.catalogue.loader import read_catalogue

    return read_catalogue(PROJECT_ROOT / "data" / "catalogue")


@pytest.fixture()
def db_url(tmp_path, catalogue) -> Iterator[str]:
    """A fresh database per test (SQLite file by default) with the real catalogue written into it."""
    from bot.catalogue.loader import write_catalogue

    with _test_database(tmp_path) as url:
        with session_factory(url).begin() as session:
            write_catalogue(session, catalogue)
        yield url


@pytest.fixture()
def sessions(db_url):
    return session_factory(db_url)


@pytest.fixture()
def keys(tmp_path, monkeypatch):
    """Data and digest key files of this test's own (created on first use), not var/'s."""
    monkeypatch.setenv("GOV_DATA_KEY_FILE", str(tmp_path / "keys" / "data.key"))
    monkeypatch.setenv("GOV_DIGEST_KEY_FILE", str(tmp_path / "keys" / "digest.key"))


@pytest.fixture(scope="session")
def wechat_api():
    """WeChat's token and customer-service APIs, played by a local HTTP server."""
    from tests.support.wechat_fakes import FakeWeChatApi

    with FakeWeChatApi() as api:
        yield api


@pytest.fixture(scope="session")
def stack(tmp_path_factory, catalogue_db_url, wechat_api):
    """The real assistant (action server + Rasa with REST, web chat and WeChat), shared.

    Rasa's HTTP API is on, behind ``stack.api_token``, as `make run` starts it: the hand-off
    tests close a request the way the console does (bot/handoff/handback.py). The hand-off
    desk is open around the clock here (GOV_HANDOFF_HOURS), so they queue at any hour;
    the hours themselves are tests/handoff/test_hours.py and tests/actions/test_handoff.py.
    """
    import secrets

    from bot.stack import running_stack
    from tests.support.servers import all_channels, trained_model

    with running_stack(tmp_path_factory.mktemp("stack"), trained_model(), catalogue_db_url,
                       credentials=all_channels(wechat_api.base), api_token=secrets.token_urlsafe(24),
                       extra_env={"GOV_HANDOFF_HOURS": "全年无休 0:00-24:00"}) as running:
        yield running


@pytest.fixture()
def sender() -> str:
    """A fresh conversation id per test."""
    return f"test-{uuid.uuid4().hex[:12]}"


# -- tiers ---------------------------------------------------------------------------------
#: The tiers beside unit; `make test-fast` runs the tests that carry none of them.
_SLOW_TIERS = ("e2e", "browser", "training", "cluster")
#: Fixtures that start the real servers on the trained model, or a browser.
_TIER_BY_FIXTURE = {"stack": "e2e", "guarded_stack": "e2e", "browser": "browser"}
#: Folders (path parts under tests/) whose every test needs the same, so no file there can
#: forget its marker. tests/web is the browser tier; a console's web/ folder is not.
#: tests/cluster needs PostgreSQL, Redis, RabbitMQ or HAProxy (skipped without them); its
#: files that start Rasa nodes carry e2e as well.
_TIER_BY_FOLDER = {("web",): "browser", ("e2e",): "e2e", ("console", "training"): "training",
                   ("cluster",): "cluster"}


def pytest_collection_modifyitems(config, items) -> None:
    """Give each test its tiers: e2e (live servers, a trained model), browser, training, cluster; else unit.

    A test's own markers count first (``pytestmark = pytest.mark.training`` travels with the
    file wherever it moves), then the fixtures it uses, then its folder. A test is unit only
    when nothing gives it another tier, so ``-m unit`` never starts a server or trains.
    """
    tests_dir = Path(__file__).parent
    for item in items:
        tiers = {tier for tier in _SLOW_TIERS if item.get_closest_marker(tier) is not None}
        tiers |= {tier for name, tier in _TIER_BY_FIXTURE.items() if name in item.fixturenames}
        parts = item.path.relative_to(tests_dir).parts if item.path.is_relative_to(tests_dir) else ()
        tiers |= {tier for folder, tier in _TIER_BY_FOLDER.items() if parts[:len(folder)] == folder}
        for tier in sorted(tiers) or ["unit"]:
            if item.get_closest_marker(tier) is None:
                item.add_marker(getattr(pytest.mark, tier))

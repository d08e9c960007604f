"""Shared fixtures: a real SQLite database loaded from data/catalogue."""
from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory

SERVICES_TSV = PROJECT_ROOT.parent / "shared" / "services.tsv"


def official_services() -> list[dict]:
    """Rows of ../shared/services.tsv (id, name, department)."""
    with SERVICES_TSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="session")
def services_tsv() -> list[dict]:
    if not SERVICES_TSV.exists():
        pytest.skip(f"{SERVICES_TSV} not present (maintainers' shared folder)")
    return official_services()


@pytest.fixture(scope="session")
def catalogue_db_url(tmp_path_factory) -> str:
    """A database file with the real catalogue loaded, shared by the session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'app.db'}"
    load_catalogue(session_factory(url), PROJECT_ROOT / "data" / "catalogue")
    return url


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
def db_url(tmp_path, catalogue) -> str:
    """A fresh SQLite file per test with the real catalogue written into it."""
    from bot.catalogue.loader import write_catalogue

    url = f"sqlite:///{tmp_path / 'app.db'}"
    with session_factory(url).begin() as session:
        write_catalogue(session, catalogue)
    return url


@pytest.fixture()
def sessions(db_url):
    return session_factory(db_url)


@pytest.fixture(scope="session")
def wechat_api():
    """WeChat's token and customer-service APIs, played by a local HTTP server."""
    from tests.channels.wechat_fakes import FakeWeChatApi

    with FakeWeChatApi() as api:
        yield api


@pytest.fixture(scope="session")
def stack(tmp_path_factory, catalogue_db_url, wechat_api):
    """The real assistant (action server + Rasa with REST, web chat and WeChat), shared."""
    from bot.stack import running_stack
    from tests.servers import all_channels, trained_model

    with running_stack(tmp_path_factory.mktemp("stack"), trained_model(), catalogue_db_url,
                       credentials=all_channels(wechat_api.base)) as running:
        yield running


@pytest.fixture()
def sender() -> str:
    """A fresh conversation id per test."""
    return f"test-{uuid.uuid4().hex[:12]}"


# -- tiers ---------------------------------------------------------------------------------
#: Folder (path parts under tests/) → tier, so every test carries exactly one tier marker
#: without repeating it per file. tests/web is the browser tier; tests/console/web is not.
_TIER_BY_FOLDER = {("web",): "browser", ("e2e",): "e2e", ("console", "training"): "training"}


def tier_of(parts: tuple[str, ...]) -> str | None:
    """The tier of a test file from its path parts under tests/ (None: decided by markers)."""
    for folder, tier in _TIER_BY_FOLDER.items():
        if len(parts) > len(folder) and parts[:len(folder)] == folder:
            return tier
    return None


def pytest_collection_modifyitems(config, items) -> None:
    """Mark each test with its tier: unit, e2e (live servers), training (trains models), browser."""
    tests_dir = Path(__file__).parent
    for item in items:
        tier = tier_of(Path(str(item.fspath)).relative_to(tests_dir).parts)
        if tier is None and item.get_closest_marker("e2e") is None:
            tier = "unit"
        if tier and item.get_closest_marker(tier) is None:
            item.add_marker(getattr(pytest.mark, tier))

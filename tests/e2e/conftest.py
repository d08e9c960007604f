"""A real running assistant (action server + Rasa REST channel) for the e2e tests."""
from __future__ import annotations

import uuid

import pytest

from bot.stack import latest_model, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory, catalogue_db_url):
    try:
        model = latest_model()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
    with running_stack(tmp_path_factory.mktemp("stack"), model, catalogue_db_url) as running:
        yield running


@pytest.fixture()
def sender() -> str:
    """A fresh conversation id per test."""
    return f"test-{uuid.uuid4().hex[:12]}"

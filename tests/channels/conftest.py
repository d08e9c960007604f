"""Fixtures for the channels' shared state: the local Redis, or a skip saying it is absent."""
from __future__ import annotations

import pytest

from tests.support.redis_server import private_prefix, redis_url_or_skip


@pytest.fixture()
def redis_url() -> str:
    return redis_url_or_skip()


@pytest.fixture()
def redis_prefix(redis_url):
    """A key prefix of this test's own in the test Redis, cleaned up afterwards."""
    with private_prefix(redis_url) as prefix:
        yield prefix


@pytest.fixture()
def handoff_sessions(sessions, keys):
    """The application database with key files of the test's own (the hand-off gate's tests)."""
    return sessions

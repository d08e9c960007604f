"""The health route's verdict from the node's parts (channels/health.py), with stand-in parts."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

from sqlalchemy import create_engine

from bot.service_checks import shown_url
from channels.health import down_parts
from tests.support.server_thread import free_port


class Store:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, connect_args={"connect_timeout": 1} if "postgresql" in url else {})


class Wrapper:  # as Rasa's FailSafeTrackerStore holds the configured store
    def __init__(self, store: Store) -> None:
        self._tracker_store = store


class Redis:
    def __init__(self, up: bool) -> None:
        self.up = up

    def ping(self) -> bool:
        if not self.up:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")
        return True


def agent(ready=True, db="sqlite://", redis_up=True, actions=None):
    return SimpleNamespace(is_ready=lambda: ready, tracker_store=Wrapper(Store(db)),
                           lock_store=SimpleNamespace(red=Redis(redis_up)),
                           action_endpoint=SimpleNamespace(url=actions) if actions else None)


def test_a_node_with_every_part_answering_is_healthy():
    assert asyncio.run(down_parts(agent())) == []


def test_a_node_still_loading_its_model_is_not():
    assert asyncio.run(down_parts(None)) == ["model"]
    assert asyncio.run(down_parts(agent(ready=False))) == ["model"]


def test_each_part_that_does_not_answer_is_named():
    closed = f"http://127.0.0.1:{free_port()}/webhook"
    down = asyncio.run(down_parts(agent(db="postgresql+psycopg2://u:pw@127.0.0.1:1/x", redis_up=False,
                                        actions=closed)))
    assert down == ["tracker store", "lock store", "action server"]


def test_logged_addresses_never_show_a_password():
    assert shown_url("postgresql+psycopg2://root:s3cret@db:5432/gov") == "postgresql+psycopg2://root:***@db:5432/gov"
    assert shown_url("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert shown_url("redis://cache:6379/0") == "redis://cache:6379/0"

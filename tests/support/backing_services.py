"""The cluster profile's services for tests: which are missing, and a fresh PostgreSQL database.

PostgreSQL, Redis and RabbitMQ run on 127.0.0.1 on the machines this project is tested on
(issue 13); elsewhere the tests that need them skip with a message naming what is
missing. Addresses can be moved with GOV_TEST_PG_URL (a maintenance database the test
user may CREATE DATABASE from), GOV_TEST_REDIS_URL and GOV_TEST_RABBITMQ_URL.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bot import cluster_config
from bot.cluster_config import haproxy_binary, temporary_database

PG_ADMIN_URL = os.environ.get("GOV_TEST_PG_URL", "postgresql+psycopg2://root@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("GOV_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("GOV_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
SERVICES = ("postgresql", "redis", "rabbitmq", "haproxy")


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True) if "postgresql" in url else url.split("@")[-1]


@cache
def _problem(service: str) -> str | None:
    """Why `service` cannot be used here, or None when it answers."""
    try:
        if service == "postgresql":
            engine = create_engine(PG_ADMIN_URL, poolclass=NullPool, connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        elif service == "redis":
            import redis

            redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
        elif service == "rabbitmq":
            import asyncio

            import aio_pika

            async def probe() -> None:
                connection = await asyncio.wait_for(aio_pika.connect(RABBITMQ_URL), 5)
                await connection.close()

            asyncio.run(probe())
        elif service == "haproxy":
            if haproxy_binary() is None:
                return "haproxy is not installed (Debian package haproxy; `make haproxy` installs it)"
        else:
            raise ValueError(service)
    except Exception as exc:  # any failure means: not usable here; say which and why
        where = {"postgresql": f"PostgreSQL at {_shown(PG_ADMIN_URL)} (GOV_TEST_PG_URL)",
                 "redis": f"Redis at {_shown(REDIS_URL)} (GOV_TEST_REDIS_URL)",
                 "rabbitmq": f"RabbitMQ at {_shown(RABBITMQ_URL)} (GOV_TEST_RABBITMQ_URL)"}[service]
        return f"{where} is not reachable: {type(exc).__name__}: {str(exc).strip()[:120]}"
    return None


def missing(*services: str) -> list[str]:
    """One sentence per service of `services` (default: all four) that cannot be used."""
    return [p for p in (_problem(s) for s in services or SERVICES) if p]


def require(*services: str) -> None:
    """Skip the calling test, naming every missing service, unless all of `services` answer."""
    problems = missing(*services)
    if problems:
        pytest.skip("cluster profile services missing: " + "; ".join(problems))


@contextmanager
def fresh_database(prefix: str = "gov_test") -> Iterator[str]:
    """A new, empty PostgreSQL database with a random name; dropped afterwards (even in use).

    Tests never share a database, so runs on the same server do not collide.
    """
    require("postgresql")
    with temporary_database(PG_ADMIN_URL, prefix) as url:
        yield url


def rabbitmq_settings() -> dict:
    """GOV_TEST_RABBITMQ_URL as the cluster's RABBITMQ_* settings (bot.stack_cluster.Services)."""
    from urllib.parse import urlsplit

    parts = urlsplit(RABBITMQ_URL)
    return {"rabbitmq_host": parts.hostname or "127.0.0.1", "rabbitmq_port": parts.port or 5672,
            "rabbitmq_username": parts.username or "guest", "rabbitmq_password": parts.password or "guest"}


def delete_queue(name: str) -> None:
    """Remove a test's RabbitMQ queue (the cluster's fanout exchange would keep filling it)."""
    cluster_config.delete_queue(RABBITMQ_URL, name)

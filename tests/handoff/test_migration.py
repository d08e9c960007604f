"""Revision 0005 on a database at 0004, SQLite and PostgreSQL: tables, the one-active index, downgrade."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from bot.db import make_engine
from bot.migrations import runner
from tests.support.schema import BACKENDS, database_at, schema_diff


@pytest.fixture(params=BACKENDS)
def url_at_0004(request, tmp_path, keys) -> Iterator[str]:
    with database_at(request.param, tmp_path, "0004_service_examples") as url:
        yield url


def insert(connection, conversation: str, status: str) -> None:
    connection.execute(text("INSERT INTO handoff_requests (conversation_id, channel, status, created_at) "
                            "VALUES (:c, 'webchat', :s, '2026-12-02 01:00:00')"), {"c": conversation, "s": status})


def test_0005_adds_the_handoff_tables_and_keeps_one_active_request_per_conversation(url_at_0004):
    engine = make_engine(url_at_0004)
    assert "handoff_requests" not in inspect(engine).get_table_names()
    assert runner.migrate(engine) == "upgraded"
    assert schema_diff(url_at_0004) == []  # the same schema create_all makes
    with engine.begin() as connection:
        insert(connection, "web:a", "queued")
        insert(connection, "web:a", "closed")
        insert(connection, "web:a", "cancelled")
        insert(connection, "web:b", "claimed")
    with pytest.raises(Exception) as refused, engine.begin() as connection:
        insert(connection, "web:a", "claimed")
    assert "unique" in str(refused.value).lower()

    runner.downgrade(engine, "0004_service_examples")
    assert not {"handoff_requests", "handoff_messages"} & set(inspect(make_engine(url_at_0004)).get_table_names())

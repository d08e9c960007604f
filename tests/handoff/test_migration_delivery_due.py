"""Revision 0007 on a database at 0006 with a waiting staff message, SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import inspect, text

from bot.db import make_engine
from bot.migrations import runner
from tests.support.schema import schema_diff


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0006(request, tmp_path, keys) -> Iterator[str]:
    def at_0006(url: str) -> str:
        with make_engine(url).begin() as connection:
            command.upgrade(runner.alembic_config(connection), "0006_handoff_delivery_tickets")
            connection.execute(text("INSERT INTO handoff_requests (id, conversation_id, channel, status, created_at) "
                                    "VALUES (1, 'web:a', 'webchat', 'claimed', '2026-12-02 01:00:00')"))
            connection.execute(text("INSERT INTO handoff_messages (request_id, direction, author, text, created_at) "
                                    "VALUES (1, 'agent', 'zhang', 'token', '2026-12-02 01:01:00')"))
        return url

    if request.param == "sqlite":
        yield at_0006(f"sqlite:///{tmp_path / 'at_0006.db'}")
        return
    from tests.support.backing_services import fresh_database

    with fresh_database() as url:
        yield at_0006(url)


def columns(url: str) -> set[str]:
    return {c["name"] for c in inspect(make_engine(url)).get_columns("handoff_messages")}


def test_0007_adds_the_due_time_and_a_waiting_message_stays_due(url_at_0006):
    assert "delivery_due_at" not in columns(url_at_0006)
    assert runner.migrate(make_engine(url_at_0006)) == "upgraded"
    assert schema_diff(url_at_0006) == []
    with make_engine(url_at_0006).connect() as connection:
        row = connection.execute(text("SELECT delivery_due_at, delivery_attempts, delivered_at "
                                      "FROM handoff_messages")).one()
    assert tuple(row) == (None, 0, None)  # due now, never tried

    runner.downgrade(make_engine(url_at_0006), "0006_handoff_delivery_tickets")
    assert "delivery_due_at" not in columns(url_at_0006)
    assert "ix_handoff_messages_undelivered" in {i["name"] for i in
                                                 inspect(make_engine(url_at_0006)).get_indexes("handoff_messages")}

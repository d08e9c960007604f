"""Revision 0009 on a database at 0006 with a waiting staff message, SQLite and PostgreSQL
(0007 and 0008 between them touch other tables)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from bot.db import make_engine
from bot.migrations import runner
from tests.support.schema import BACKENDS, database_at, schema_diff


def _waiting_staff_message(connection) -> None:
    connection.execute(text("INSERT INTO handoff_requests (id, conversation_id, channel, status, created_at) "
                            "VALUES (1, 'web:a', 'webchat', 'claimed', '2026-12-02 01:00:00')"))
    connection.execute(text("INSERT INTO handoff_messages (request_id, direction, author, text, created_at) "
                            "VALUES (1, 'agent', 'zhang', 'token', '2026-12-02 01:01:00')"))


@pytest.fixture(params=BACKENDS)
def url_at_0006(request, tmp_path, keys) -> Iterator[str]:
    with database_at(request.param, tmp_path, "0006_handoff_delivery_tickets", _waiting_staff_message) as url:
        yield url


def columns(url: str) -> set[str]:
    return {c["name"] for c in inspect(make_engine(url)).get_columns("handoff_messages")}


def test_0009_adds_the_due_time_and_a_waiting_message_stays_due(url_at_0006):
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

"""The application database on PostgreSQL (the cluster profile): migrations and exact limits.

Each test gets a database of its own (tests/support/backing_services.py). The service
tests of tests/appointments, tests/applications and tests/records run on PostgreSQL as a
whole with GOV_TEST_DB=postgresql; these are the races a cluster adds: many nodes and
threads writing at once, with no database-wide write lock as SQLite has.
"""
from __future__ import annotations

import threading
from datetime import date

from alembic import command
from sqlalchemy import func, inspect, select, text

from bot.appointments.models import Appointment, AppointmentSlot
from bot.appointments.service import SlotFull, book
from bot.db import make_engine, session_factory
from bot.migrations import runner
from bot.records.attempts import MAX_FAILURES, reserve
from console.database import ensure_schema
from console.migrations import HISTORY as CONSOLE
from tests.support.race import race
from tests.support.schema import CONSOLE_TABLES, schema_diff, table_names

TODAY, DAY = date(2026, 9, 28), date(2026, 9, 30)
HALL, SLOT = "jinghu:government_center", "09:00-10:00"


def test_a_new_database_is_created_at_head_for_the_application_and_the_console(pg_url):
    engine = make_engine(pg_url)
    assert runner.migrate(engine) == "created"
    assert ensure_schema(engine) == "created"
    assert schema_diff(pg_url) == [] and schema_diff(pg_url, CONSOLE) == []
    assert CONSOLE_TABLES <= table_names(pg_url)
    assert runner.migrate(engine) == "current" and ensure_schema(engine) == "current"


def test_replaying_every_revision_on_postgresql_gives_the_models_schema(pg_url):
    engine = make_engine(pg_url)
    with engine.begin() as connection:
        command.upgrade(runner.alembic_config(connection), "head")
        command.upgrade(runner.alembic_config(connection, CONSOLE), "head")
    assert schema_diff(pg_url) == [] and schema_diff(pg_url, CONSOLE) == []


def test_rows_written_at_the_baseline_are_encrypted_by_the_upgrade_and_back(pg_url):
    engine = make_engine(pg_url)
    with engine.begin() as connection:
        command.upgrade(runner.alembic_config(connection), "0001_baseline")
        connection.execute(text(
            "insert into appointments (receipt_no, service_id, hall_id, day, slot, name, phone, sender_id, "
            "status, idempotency_key, created_at) values ('4474830878', 'sbk-replace', :hall, :day, :slot, "
            "'张三丰', '13812345678', 'a', '已预约', 'a:1', now())"), {"hall": HALL, "day": DAY, "slot": SLOT})
        connection.execute(text(
            "insert into applications (receipt_no, kind, sender_id, status, fields, id_last4, phone_last4, "
            "idempotency_key, created_at, updated_at) values ('7850404583', 'sbk-replace', 'b', '受理', "
            "cast(:fields as json), '1239', '5678', 'b:1', now(), now())"),
            {"fields": '{"name": "李大山", "id_number": "340202194001011239", "phone": "13812345678"}'})
    assert runner.migrate(engine) == "upgraded"
    assert schema_diff(pg_url) == []
    with engine.connect() as connection:
        stored = connection.execute(text("select fields from applications union all "
                                         "select name from appointments union all select phone from appointments"))
        assert all(value.startswith("gAAAAA") for value in stored.scalars())  # Fernet tokens only
    with session_factory(pg_url)() as s:
        assert s.scalar(select(Appointment.phone)) == "13812345678"
    runner.downgrade(engine, "0001_baseline")
    with engine.connect() as connection:
        assert connection.execute(text("select phone from appointments")).scalar() == "13812345678"


def test_nodes_starting_together_migrate_once(pg_url):
    outcomes, errors = [], []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            engine = make_engine(pg_url)  # one engine per "node"
            outcomes.append((runner.migrate(engine), ensure_schema(engine)))
        except Exception as exc:  # any error fails the assertion below
            errors.append(repr(exc))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(app for app, _ in outcomes) == ["created"] + ["current"] * 3
    assert sorted(console for _, console in outcomes) == ["created"] + ["current"] * 3


def test_twenty_racing_bookings_for_three_places_book_exactly_three(pg_sessions):
    with pg_sessions.begin() as s:
        s.add(AppointmentSlot(hall_id=HALL, day=DAY, slot=SLOT, capacity=3, booked=0))

    def attempt(i: int):
        return book(pg_sessions, service_id="sbk-replace", hall_id=HALL, day=DAY, slot=SLOT, name="张三丰",
                    phone=f"1381234{i:04d}", sender_id=f"s{i}", idempotency_key=f"s{i}:1", today=TODAY)

    made, refused, errors = race(20, attempt, SlotFull)
    assert errors == [] and len(made) == 3 and len(refused) == 17
    with pg_sessions() as s:
        assert s.scalar(select(func.sum(AppointmentSlot.booked))) == 3
        assert s.scalar(select(func.count()).select_from(Appointment)) == 3


def test_racing_proofs_of_one_receipt_are_counted_exactly(pg_sessions):
    """Five tries per hour, also when twenty arrive at once from two nodes."""
    made, _, errors = race(20, lambda i: reserve(pg_sessions, sender_id=f"s{i % 2}", receipt_no="4474830878"),
                           LookupError)
    assert errors == []
    assert len([attempt for attempt in made if attempt is not None]) == MAX_FAILURES


def test_the_tracker_tables_index_their_conversation_id(pg_url):
    """Rasa's SQL tracker store on PostgreSQL: the events table is read by sender_id on every turn."""
    from rasa.core.tracker_store import SQLTrackerStore

    store = SQLTrackerStore(host=pg_url)
    try:
        indexes = inspect(store.engine).get_indexes("events")
        assert {"name": "ix_events_sender_id", "column_names": ["sender_id"], "unique": False} in [
            {k: index[k] for k in ("name", "column_names", "unique")} for index in indexes]
    finally:
        store.engine.dispose()

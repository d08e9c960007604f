"""Schema through Alembic: a new database, an old create_all database with rows, and failures."""
from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect, select, text

from bot.applications.errors import OpenApplicationExists
from bot.applications.models import Application, ApplicationStatusChange
from bot.applications.service import submit_application
from bot.appointments.models import Appointment
from bot.appointments.service import AlreadyBookedForService, book
from bot.catalogue import editing
from bot.catalogue.loader import load_catalogue, read_catalogue, service_row
from bot.catalogue.models import Service
from bot.catalogue.repository import CatalogueRepository
from bot.config import PROJECT_ROOT
from bot.db import make_engine, session_factory
from bot.migrations import runner
from bot.security.columns import id_digest, phone_digest
from tests.support.schema import CONSOLE_TABLES, legacy_db, schema_diff, table_names

ELDER_ID, ELDER_PHONE = "340202194001011239", "13812345678"
PLAINTEXT = ("340202194001011239", "11010519491231002X", "13812345678", "138 1234 5678", "13900001111",
             "3112233", "13700002222", "张三丰", "赵六")


def raw_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_a_new_database_is_created_at_head_with_the_models_schema(tmp_path, keys):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    session_factory(url)
    with make_engine(url).connect() as connection:
        assert runner.current_revision(connection) == runner.head()
    assert schema_diff(url) == []
    assert runner.migrate(make_engine(url)) == "current"


def test_the_applications_migrations_leave_the_consoles_tables_alone(tmp_path, keys):
    new = f"sqlite:///{tmp_path / 'new.db'}"
    session_factory(new)
    assert not table_names(new) & CONSOLE_TABLES  # the console creates its own
    old = legacy_db(tmp_path / "app.db")
    with make_engine(old).begin() as connection:
        connection.execute(text("insert into staff_users (username, password_hash, role, active, "
                                "created_at) values ('admin', 'x', 'admin', 1, '2026-01-01')"))
    assert runner.migrate(make_engine(old)) == "upgraded"
    runner.downgrade(make_engine(old), "base")
    assert table_names(old) & CONSOLE_TABLES == CONSOLE_TABLES
    with make_engine(old).connect() as connection:
        assert connection.execute(text("select username from staff_users")).scalars().all() == ["admin"]


def test_replaying_every_revision_gives_the_same_schema_as_create_all(tmp_path, keys):
    url = f"sqlite:///{tmp_path / 'replayed.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(runner.alembic_config(connection), "head")
    assert schema_diff(url) == []


def test_an_old_database_with_rows_is_upgraded_in_place(tmp_path, keys):
    path = tmp_path / "app.db"
    url = legacy_db(path)
    assert runner.migrate(make_engine(url)) == "upgraded"
    assert schema_diff(url) == []  # district_locations, missing before, exists now
    sessions = session_factory(url)
    with sessions() as s:
        apps = {a.receipt_no: a for a in s.scalars(select(Application))}
        elder, card = apps["4474830878"], apps["7850404583"]
        assert elder.fields["elder_id"] == ELDER_ID and elder.fields["agent_name"] == "李小红"
        assert elder.status == "审核中" and card.fields["address"] == "镜湖区赭山路18号3栋201"
        assert (elder.id_digest, elder.phone_digest) == (id_digest(ELDER_ID), phone_digest(ELDER_PHONE))
        assert card.id_digest == id_digest("11010519491231002x")
        # Rebuilding the table did not cascade-delete the status history.
        assert s.scalar(select(ApplicationStatusChange).where(
            ApplicationStatusChange.status == "审核中")).actor == "张科员"
        assert len(s.scalars(select(ApplicationStatusChange)).all()) == 3
        booked = s.scalars(select(Appointment).order_by(Appointment.id)).all()
        assert [(b.name, b.phone, b.status) for b in booked] == [
            ("张三丰", "138 1234 5678", "已预约"), ("赵六", "13700002222", "已取消")]
        assert booked[0].phone_digest == phone_digest("13812345678")
        stored = s.execute(text("select fields from applications union all select phone from appointments "
                                "union all select name from appointments")).scalars().all()
    assert all(value.startswith("gAAAAA") for value in stored)  # Fernet tokens only
    data = raw_bytes(path)
    for secret in PLAINTEXT:
        assert secret.encode() not in data and json.dumps(secret).encode() not in data
    with sessions() as s:  # the draft is kept (retention removes it, not the migration)
        assert s.execute(text("select count(*) from flow_drafts")).scalar() == 1


def test_limits_apply_to_rows_written_before_the_upgrade(tmp_path, keys):
    url = legacy_db(tmp_path / "app.db")
    sessions = session_factory(url)
    load_catalogue(sessions, PROJECT_ROOT / "data" / "catalogue")
    with pytest.raises(OpenApplicationExists):
        submit_application(sessions, kind="elderly-allowance", sender_id="other", idempotency_key="o:1",
                           fields={"applicant": "self", "elder_name": "李大山", "elder_id": ELDER_ID,
                                   "district": "jinghu", "street": "赭山社区", "phone": "13912340000"},
                           id_number=ELDER_ID, phone="13912340000")
    with pytest.raises(AlreadyBookedForService):
        book(sessions, service_id="sbk-replace", hall_id="jinghu:government_center", day=date(2026, 10, 9),
             slot="09:00-10:00", name="张三丰", phone="13812345678", sender_id="other",
             idempotency_key="o:2", today=date(2026, 9, 28))


def test_a_failed_upgrade_leaves_the_old_database_untouched(tmp_path, keys, monkeypatch):
    path = tmp_path / "app.db"
    url = legacy_db(path)
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "data.key").write_text("not a key\n")  # the conversion cannot encrypt
    with pytest.raises(Exception, match="malformed key"):
        runner.migrate(make_engine(url))
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
        assert "alembic_version" not in tables and "district_locations" not in tables
        assert db.execute("select phone from appointments where id = 1").fetchone() == ("138 1234 5678",)
        columns = {r[1] for r in db.execute("pragma table_info(applications)")}
        assert "id_digest" not in columns
        assert db.execute("select count(*) from application_status_history").fetchone() == (3,)
    db.close()


def test_downgrade_restores_plaintext_and_upgrade_encrypts_again(tmp_path, keys):
    url = legacy_db(tmp_path / "app.db")
    engine = make_engine(url)
    runner.migrate(engine)
    runner.downgrade(engine, "0001_baseline")
    with engine.connect() as connection:
        assert connection.execute(text("select phone from appointments where id = 1")).scalar() == \
            "138 1234 5678"
        assert connection.execute(text("select count(*) from application_status_history")).scalar() == 3
    assert runner.migrate(engine) == "upgraded"
    with session_factory(url)() as s:
        assert s.scalar(select(Appointment.phone).where(Appointment.id == 1)) == "138 1234 5678"


def test_processes_starting_together_migrate_once(tmp_path, keys):
    import threading

    url = legacy_db(tmp_path / "app.db")
    outcomes, errors = [], []
    barrier = threading.Barrier(4)

    def start():
        barrier.wait()
        try:
            outcomes.append(runner.migrate(make_engine(url)))
        except Exception as exc:  # any error fails the assertion below
            errors.append(repr(exc))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(outcomes) == ["current"] * 3 + ["upgraded"]


def test_services_loaded_before_examples_existed_keep_their_rows_and_get_none(tmp_path, keys):
    """0004 adds services.examples to a database whose services the loader of 0003 wrote."""
    url = f"sqlite:///{tmp_path / 'at_0003.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(runner.alembic_config(connection), "0003_record_proof_attempts")
    old_services = sa.Table("services", sa.MetaData(),
                            *[c.copy() for c in Service.__table__.columns if c.name != "examples"])
    catalogue = read_catalogue(PROJECT_ROOT / "data" / "catalogue")
    rows = [{c.name: getattr(service_row(s), c.name) for c in old_services.columns} for s in catalogue.services]
    with engine.begin() as connection:
        connection.execute(old_services.insert(), rows)

    assert runner.migrate(engine) == "upgraded"
    assert schema_diff(url) == []
    sessions = session_factory(url)
    texts = CatalogueRepository(sessions).service_texts()
    assert sorted(t.id for t in texts) == sorted(s.id for s in catalogue.services)
    assert {t.examples for t in texts} == {()}
    assert editing.read_service(sessions, "marriage") == {**rows_by_id(rows)["marriage"], "examples": []}
    editing.add_example(sessions, "marriage", "我们下个月去领证")  # and the column takes new ones

    runner.downgrade(engine, "0003_record_proof_attempts")
    with engine.connect() as connection:
        assert "examples" not in {c["name"] for c in inspect(connection).get_columns("services")}
        assert connection.execute(text("select count(*) from services")).scalar() == len(rows)


def rows_by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}

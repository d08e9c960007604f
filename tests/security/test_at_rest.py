"""Residents' data at rest: private files, encrypted columns, digests, key rotation (real files)."""
from __future__ import annotations

import os
import stat
import threading
from datetime import date

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text

from bot import cli
from bot.applications.models import Application
from bot.applications.service import submit_application
from bot.appointments.models import Appointment
from bot.appointments.service import book
from bot.catalogue.loader import write_catalogue
from bot.config import ensure_private_dir, ensure_private_file, get_settings
from bot.db import session_factory
from bot.security import keys, rotation
from bot.security.columns import EncryptedColumnComparison, id_digest, phone_digest

ID, PHONE, NAME, STREET = "340202194001011239", "13812345678", "李大山", "范罗山街道赭山社区"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def var(tmp_path, monkeypatch):
    """A deployment's GOV_VAR_DIR (not made yet) under a permissive umask, keys inside it."""
    var = tmp_path / "var"
    monkeypatch.setenv("GOV_VAR_DIR", str(var))
    monkeypatch.setenv("GOV_DATABASE_URL", f"sqlite:///{var / 'app.db'}")
    for name in ("GOV_DATA_KEY_FILE", "GOV_DIGEST_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    old = os.umask(0o022)
    yield var
    os.umask(old)


@pytest.fixture()
def filled(var, catalogue):
    """The deployment's database with the catalogue, one application and one booking."""
    sessions = session_factory(get_settings().database_url)
    with sessions.begin() as session:
        write_catalogue(session, catalogue)
    submit_application(sessions, kind="elderly-allowance", sender_id="alice", idempotency_key="a:1",
                       fields={"applicant": "agent", "agent_name": "李小红", "agent_phone": "13900001111",
                               "elder_name": NAME, "elder_id": ID, "district": "jinghu",
                               "street": STREET, "phone": PHONE},
                       id_number=ID, phone=PHONE)
    book(sessions, service_id="sbk-replace", hall_id="jinghu:government_center", day=date(2026, 9, 30),
         slot="09:00-10:00", name="张三丰", phone="13711112222", sender_id="alice", idempotency_key="a:2",
         today=date(2026, 9, 28))
    return sessions


# --- private folders and files ------------------------------------------------------------

def test_database_wal_shm_and_keys_are_0600_in_a_0700_folder(filled, var):
    """SQLite removes -wal and -shm when the last connection closes: look while one is open."""
    with filled() as reader:
        reader.execute(text("select count(*) from appointments")).scalar()
        with filled.begin() as writer:
            writer.execute(text("update appointment_slots set capacity = capacity"))
        assert mode(var) == 0o700
        for name in ("app.db", "app.db-wal", "app.db-shm", "data.key", "digest.key"):
            assert (var / name).exists(), name
            assert mode(var / name) == 0o600, name


def test_an_existing_open_folder_is_tightened(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    (folder / "actions.log").write_text("x")
    os.chmod(folder / "actions.log", 0o644)
    (folder / "sub").mkdir()
    ensure_private_dir(folder)
    assert mode(folder) == 0o700 and mode(folder / "actions.log") == 0o600


def test_a_database_outside_var_leaves_its_folder_alone(tmp_path, var):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    (shared / "other.txt").write_text("x")
    os.chmod(shared / "other.txt", 0o644)
    session_factory(f"sqlite:///{shared / 'app.db'}")
    assert mode(shared / "app.db") == 0o600
    assert mode(shared) == 0o755 and mode(shared / "other.txt") == 0o644  # not ours to change


def test_ensure_private_file_tightens_an_existing_file(tmp_path):
    path = tmp_path / "tracker.db"
    path.write_text("")
    os.chmod(path, 0o644)
    ensure_private_file(path)
    assert mode(path) == 0o600


# --- encryption at rest -------------------------------------------------------------------

def test_the_file_holds_no_personal_field_in_the_clear(filled, var):
    data = b"".join(p.read_bytes() for p in var.glob("app.db*"))
    for secret in (ID, PHONE, "13900001111", "13711112222"):
        assert secret.encode() not in data, secret
    for secret in (NAME, "李小红", STREET, "张三丰"):
        assert secret.encode() not in data and secret.encode("unicode_escape") not in data, secret


def test_services_read_plain_values_and_columns_hold_tokens(filled):
    with filled() as s:
        app = s.scalars(select(Application)).one()
        appt = s.scalars(select(Appointment)).one()
        assert app.fields["elder_id"] == ID and app.fields["street"] == STREET
        assert (appt.name, appt.phone) == ("张三丰", "13711112222")
        assert (app.id_digest, app.phone_digest) == (id_digest(ID), phone_digest(PHONE))
        assert appt.phone_digest == phone_digest("137 1111 2222")
        raw = s.execute(text("select fields from applications")).scalar_one()
    assert raw.startswith("gAAAAA") and Fernet(keys.read_data_keys(get_settings().data_key_file)[0]).decrypt(
        raw.encode())


def test_equality_on_an_encrypted_column_is_refused(filled):
    with pytest.raises(EncryptedColumnComparison):
        select(Appointment).where(Appointment.phone == "13711112222")
    with pytest.raises(EncryptedColumnComparison):
        select(Appointment).where(Appointment.name.in_(["张三丰"]))
    with filled() as s:  # NULL checks still work
        assert s.scalars(select(Appointment.id).where(Appointment.phone.isnot(None))).all() == [1]


def test_digests_are_keyed_and_normalised(var, tmp_path, monkeypatch):
    assert phone_digest("138 1234 5678") == phone_digest("+86 138-1234-5678") == phone_digest(PHONE)
    assert id_digest("11010519491231002x") == id_digest("110105 19491231 002X")
    assert phone_digest(PHONE) != id_digest(PHONE) and len(phone_digest(PHONE)) == 64
    before = phone_digest(PHONE)
    monkeypatch.setenv("GOV_DIGEST_KEY_FILE", str(tmp_path / "other.key"))
    assert phone_digest(PHONE) != before  # without the key file, a digest cannot be reproduced


def test_a_database_copied_without_its_key_does_not_open(filled, tmp_path, monkeypatch):
    monkeypatch.setenv("GOV_DATA_KEY_FILE", str(tmp_path / "stranger.key"))
    with filled() as s, pytest.raises(keys.UndecryptableValue):
        s.scalars(select(Appointment)).one()


def test_racing_first_use_creates_one_key(tmp_path):
    path = tmp_path / "fresh" / "data.key"
    barrier = threading.Barrier(8)
    seen = []

    def first_use():
        barrier.wait()
        keys.ensure_data_key_file(path)
        seen.append(tuple(keys.read_data_keys(path)))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and len(set(seen)) == 1 and len(seen[0]) == 1 and mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["data.key"]  # no temporary files left


# --- key rotation -------------------------------------------------------------------------

def raw_tokens(sessions) -> list:
    with sessions() as s:
        return s.execute(text("select fields from applications union all select name from appointments "
                              "union all select phone from appointments")).scalars().all()


def test_rotate_reencrypts_every_value_and_retires_the_old_key(filled, var, capsys):
    key_file = var / "data.key"
    (old_key,) = keys.read_data_keys(key_file)
    before = raw_tokens(filled)
    assert cli.main(["keys", "rotate"]) == 0
    assert "重新加密 3 个字段" in capsys.readouterr().out
    (new_key,) = keys.read_data_keys(key_file)
    assert new_key != old_key and mode(key_file) == 0o600
    after = raw_tokens(filled)
    assert all(a != b for a, b in zip(after, before, strict=True))
    for token in after:  # the new key alone opens everything, the old one nothing
        Fernet(new_key).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(token.encode())
    with filled() as s:  # this process re-read the changed key file
        assert s.scalars(select(Appointment)).one().phone == "13711112222"
        assert s.scalars(select(Application)).one().fields["elder_name"] == NAME


def test_a_failed_rotation_keeps_both_keys_and_every_value_readable(filled, var, monkeypatch):
    key_file = var / "data.key"
    (old_key,) = keys.read_data_keys(key_file)
    before = raw_tokens(filled)

    real = rotation.reencrypt_all

    def fail(session, fernet):
        real(session, fernet)  # every value rewritten, then the transaction fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(rotation, "reencrypt_all", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        rotation.rotate_data_key(filled, key_file)
    ring = keys.read_data_keys(key_file)
    assert len(ring) == 2 and ring[1] == old_key  # new key first, old kept for decryption
    assert raw_tokens(filled) == before  # the database was rolled back
    with filled() as s:
        assert s.scalars(select(Appointment)).one().name == "张三丰"
    monkeypatch.setattr(rotation, "reencrypt_all", real)
    rotation.rotate_data_key(filled, key_file)  # running it again finishes the job
    assert len(keys.read_data_keys(key_file)) == 1
    with filled() as s:
        assert s.scalars(select(Application)).one().fields["elder_id"] == ID

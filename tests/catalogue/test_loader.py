"""The loader validates everything before writing, and a bad file changes nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.catalogue.loader import CatalogueError, load_catalogue, read_catalogue
from bot.catalogue.models import DistrictLocation, Hall, Service
from bot.config import PROJECT_ROOT
from bot.db import session_factory

REAL = PROJECT_ROOT / "data" / "catalogue"


@pytest.fixture()
def catalogue_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(REAL, target)
    return target


@pytest.fixture()
def loaded_db(tmp_path: Path):
    sessions = session_factory(f"sqlite:///{tmp_path / 'app.db'}")
    load_catalogue(sessions, REAL)
    return sessions


def _counts(sessions) -> tuple[int, int]:
    with sessions() as s:
        return (s.scalar(select(func.count()).select_from(Service)),
                s.scalar(select(func.count()).select_from(Hall)))


def _edit_first_service(directory: Path, edit) -> Path:
    path = sorted((directory / "services").glob("*.yml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data["services"][0], data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_real_catalogue_loads(loaded_db):
    services, halls = _counts(loaded_db)
    assert services >= 40
    assert halls == 7 * 6


def test_loading_twice_replaces_rather_than_duplicates(loaded_db):
    before = _counts(loaded_db)
    load_catalogue(loaded_db, REAL)
    assert _counts(loaded_db) == before


@pytest.mark.parametrize("edit, reason", [
    (lambda s, d: s.pop("materials"), "materials"),
    (lambda s, d: s.update(hall_type="moon_base"), "hall_type"),
    (lambda s, d: s.update(materials=[]), "materials"),
    (lambda s, d: s.update(related=["no-such-service"]), "related"),
    (lambda s, d: s.update(updated="not a date"), "updated"),
    (lambda s, d: s.update(surprise_field=1), "surprise_field"),
    (lambda s, d: d["services"].append(dict(s)), "duplicate"),
    (lambda s, d: s.update(id="sx-000113001000"), "reserved for imported services"),
    (lambda s, d: s.update(id="cs-0001"), "reserved for console-made services"),
    (lambda s, d: s.update(examples=["社保卡怎么办", "社保卡怎么办？"]),
     "examples: 例句“社保卡怎么办？”与“社保卡怎么办”重复"),
    (lambda s, d: s.update(examples=["问" * 61]), "examples.0"),
])
def test_bad_file_is_rejected_with_file_record_reason_and_db_unchanged(
        catalogue_copy, loaded_db, edit, reason):
    before = _counts(loaded_db)
    bad_path = _edit_first_service(catalogue_copy, edit)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(loaded_db, catalogue_copy)
    err = info.value
    assert err.file == str(bad_path)
    assert "services[" in err.record or "service " in err.record
    assert reason in err.reason
    assert _counts(loaded_db) == before


def test_malformed_yaml_is_rejected(catalogue_copy, loaded_db):
    before = _counts(loaded_db)
    (catalogue_copy / "halls.yml").write_text("districts: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="cannot read YAML"):
        load_catalogue(loaded_db, catalogue_copy)
    assert _counts(loaded_db) == before


def test_district_missing_a_hall_type_is_rejected(catalogue_copy):
    path = catalogue_copy / "halls.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["districts"][2]["halls"] = data["districts"][2]["halls"][:-1]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        read_catalogue(catalogue_copy)
    assert info.value.record.startswith("districts[2]")
    assert "缺少大厅类型" in info.value.reason


@pytest.mark.parametrize("edit, reason", [
    (lambda d: d.pop("location"), "location: field required"),
    (lambda d: d["location"].pop("lng"), "location.lng: field required"),
    (lambda d: d["location"].update(lat=131.0), "location.lat"),
])
def test_district_without_a_valid_location_is_rejected(catalogue_copy, loaded_db, edit, reason):
    before = _counts(loaded_db)
    path = catalogue_copy / "halls.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data["districts"][5])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(loaded_db, catalogue_copy)
    assert info.value.file == str(path)
    assert info.value.record == "districts[5] (id=nanling)"
    assert reason in info.value.reason
    assert _counts(loaded_db) == before


def test_every_district_location_is_stored(loaded_db):
    with loaded_db() as s:
        rows = s.execute(select(DistrictLocation.district_id, DistrictLocation.latitude,
                                DistrictLocation.longitude)).all()
    assert len(rows) == 7
    assert all(30.5 < lat < 31.6 and 117.7 < lng < 118.7 for _, lat, lng in rows)


def test_cli_reports_bad_file_and_exits_nonzero(catalogue_copy, tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("GOV_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    _edit_first_service(catalogue_copy, lambda s, d: s.update(fee=""))
    assert main(["load-catalogue", "--dir", str(catalogue_copy)]) == 2
    err = capsys.readouterr().err
    assert "数据库未改动" in err and "fee" in err

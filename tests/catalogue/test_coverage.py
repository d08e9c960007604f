"""Every official service is in the catalogue under its exact name, marked as sample data."""
from __future__ import annotations

from bot.catalogue.loader import read_catalogue
from bot.catalogue.schema import HALL_TYPES
from bot.config import PROJECT_ROOT

CATALOGUE = read_catalogue(PROJECT_ROOT / "data" / "catalogue")
DISTRICTS = ["镜湖区", "弋江区", "鸠江区", "湾沚区", "繁昌区", "南陵县", "无为市"]


def test_every_official_service_is_covered_exactly(services_tsv):
    by_id = {s.id: s for s in CATALOGUE.services}
    for row in services_tsv:
        assert row["id"] in by_id, row
        assert by_id[row["id"]].name == row["name"]
        assert by_id[row["id"]].department == row["department"]


def test_all_seven_districts_with_every_hall_type():
    assert [d.name for d in CATALOGUE.districts] == DISTRICTS
    for district in CATALOGUE.districts:
        assert sorted(h.type for h in district.halls) == sorted(HALL_TYPES)


def test_every_record_is_marked_as_sample_data():
    for service in CATALOGUE.services:
        assert "示例数据" in service.source, service.id
        assert service.updated is not None


def test_every_service_has_the_one_time_notice_parts():
    for s in CATALOGUE.services:
        assert s.eligibility and s.materials and s.steps and s.online and s.faqs, s.id
        assert s.time_limit and s.fee, s.id

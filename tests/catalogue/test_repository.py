"""Repository queries over the real catalogue: the nearest district to a shared location."""
from __future__ import annotations

import pytest

from bot.catalogue.repository import CatalogueRepository


@pytest.fixture()
def repo(sessions) -> CatalogueRepository:
    return CatalogueRepository(sessions)


def test_point_near_the_nanling_seat_is_nanling(repo):
    district, distance = repo.nearest_district(30.93, 118.32)
    assert district.name == "南陵县"
    assert distance < 3


def test_point_in_central_jinghu_is_jinghu(repo):
    district, distance = repo.nearest_district(31.345, 118.380)
    assert (district.id, district.name) == ("jinghu", "镜湖区")
    assert distance < 2


def test_point_in_hefei_is_outside_wuhu(repo):
    assert repo.nearest_district(31.82, 117.23) is None


def test_max_km_bounds_the_answer(repo):
    assert repo.nearest_district(30.93, 118.32, max_km=0.1) is None

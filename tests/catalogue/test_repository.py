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


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def rename(sessions, service_id: str, name: str) -> None:
    from bot.catalogue.models import Service

    with sessions() as session, session.begin():
        session.get(Service, service_id).name = name


def test_a_caching_repository_sees_a_change_once_its_answers_are_older_than_cache_s(sessions):
    clock = Clock()
    repo = CatalogueRepository(sessions, cache_s=5, clock=clock)
    first = repo.service_summaries()[0]
    rename(sessions, first.id, "改过的名称")
    assert repo.service_summaries()[0].name == first.name  # kept
    assert repo.get_service_or_raise(first.id).name == "改过的名称"  # not asked before: read now
    clock.now += 5
    assert repo.service_summaries()[0].name == "改过的名称"
    assert repo.service_names([first.id]) == {first.id: "改过的名称"}


def test_without_cache_s_every_call_reads_the_database(repo, sessions):
    first = repo.service_summaries()[0]
    rename(sessions, first.id, "又改了")
    assert repo.service_summaries()[0].name == "又改了"


def test_a_missing_service_is_not_kept(sessions):
    from bot.catalogue.repository import ServiceNotFound

    repo = CatalogueRepository(sessions, cache_s=60, clock=Clock())
    for _ in range(2):
        with pytest.raises(ServiceNotFound):
            repo.get_service_or_raise("no-such-service")


def test_answers_handed_out_cannot_change_what_is_kept(sessions):
    repo = CatalogueRepository(sessions, cache_s=60, clock=Clock())
    repo.districts().clear()
    repo.service_names(["sbk-apply"]).clear()
    assert repo.districts() and repo.service_names(["sbk-apply"])

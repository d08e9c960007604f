"""Great-circle distance and nearest place (pure functions)."""
from __future__ import annotations

import pytest

from bot.catalogue.geo import haversine_km, nearest

WUHU = (31.33, 118.38)
HEFEI = (31.82, 117.23)


def test_wuhu_to_hefei_is_about_120_km():
    assert haversine_km(*WUHU, *HEFEI) == pytest.approx(120, abs=3)


def test_distance_is_symmetric():
    assert haversine_km(*WUHU, *HEFEI) == pytest.approx(haversine_km(*HEFEI, *WUHU))


def test_same_point_is_zero():
    assert haversine_km(*WUHU, *WUHU) == 0.0


def test_nearest_picks_the_closest_key_with_its_distance():
    places = [("hefei", *HEFEI), ("wuhu", *WUHU), ("nanjing", 32.06, 118.80)]
    key, distance = nearest((31.35, 118.40), places)
    assert key == "wuhu"
    assert distance == pytest.approx(haversine_km(31.35, 118.40, *WUHU))
    assert distance < 3


def test_nearest_of_nothing_is_none():
    assert nearest(WUHU, []) is None

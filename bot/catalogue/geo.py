"""Great-circle distance and nearest place, for mapping a shared location to a district.

Pure functions, no I/O: the repository reads the district seats and calls these. The
haversine formula on a spherical Earth is accurate to well under 1% — far better than
the approximate coordinates it is used with — and needs no GIS library.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

K = TypeVar("K")

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Distance in km along the Earth's surface between two WGS-84 points (decimal degrees).

    Haversine rather than the spherical law of cosines because it stays numerically
    stable for nearby points (two spots in the same district are only a few km apart).
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest(point: tuple[float, float],
            places: Sequence[tuple[K, float, float]]) -> tuple[K, float] | None:
    """The key of the place closest to ``point`` (lat, lng) and its distance in km.

    ``places`` are ``(key, lat, lng)`` triples; None when there are none. A linear scan is
    enough: there are seven districts. On a tie the first place listed wins, so the
    result is deterministic (catalogue order).
    """
    lat, lng = point
    best: tuple[K, float] | None = None
    for key, p_lat, p_lng in places:
        distance = haversine_km(lat, lng, p_lat, p_lng)
        if best is None or distance < best[1]:
            best = (key, distance)
    return best

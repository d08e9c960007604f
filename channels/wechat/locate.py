"""Location messages: the nearest district and its comprehensive hall, from the catalogue."""
from __future__ import annotations

from bot.catalogue.repository import CatalogueRepository
from bot.config import get_settings
from bot.db import session_factory

GENERAL_HALL = "government_center"


class CatalogueLocator:
    """Callable (lat, lng) → (district name, hall fields) or None; connects on first use."""

    def __init__(self, database_url: str | None = None) -> None:
        self._database_url = database_url
        self._repository: CatalogueRepository | None = None

    def _repo(self) -> CatalogueRepository:
        if self._repository is None:
            url = self._database_url or get_settings().database_url
            self._repository = CatalogueRepository(session_factory(url))
        return self._repository

    def __call__(self, latitude: float, longitude: float) -> tuple[str, dict[str, str] | None] | None:
        found = self._repo().nearest_district(latitude, longitude)
        if found is None:
            return None
        district, _distance_km = found
        hall = self._repo().hall_for(district.id, GENERAL_HALL)
        fields = {"name": hall.name, "address": hall.address, "hours": hall.hours} if hall else None
        return district.name, fields

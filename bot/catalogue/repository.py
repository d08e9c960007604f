"""Read-only queries over the catalogue, returning plain values (no live ORM objects)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.catalogue.geo import nearest
from bot.catalogue.models import District, DistrictLocation, Hall, Service


class ServiceNotFound(LookupError):
    """No service with that id in the catalogue."""


@dataclass(frozen=True)
class HallView:
    district_name: str
    name: str
    address: str
    hours: str
    phone: str | None


@dataclass(frozen=True)
class DistrictView:
    id: str
    name: str
    aliases: tuple


@dataclass(frozen=True)
class ServiceSummary:
    id: str
    name: str
    aliases: tuple
    hall_type: str


@dataclass(frozen=True)
class ServiceView:
    id: str
    name: str
    department: str
    aliases: tuple
    summary: str
    eligibility: tuple
    materials: tuple
    steps: tuple
    time_limit: str
    fee: str
    needs_hall: bool
    hall_type: str
    hall_note: str | None
    online: tuple
    faqs: tuple
    related: tuple
    source: str
    updated: str


def _service_view(row: Service) -> ServiceView:
    return ServiceView(
        id=row.id, name=row.name, department=row.department, aliases=tuple(row.aliases),
        summary=row.summary, eligibility=tuple(row.eligibility), materials=tuple(row.materials),
        steps=tuple(row.steps), time_limit=row.time_limit, fee=row.fee, needs_hall=row.needs_hall,
        hall_type=row.hall_type, hall_note=row.hall_note, online=tuple(row.online),
        faqs=tuple(row.faqs), related=tuple(row.related), source=row.source,
        updated=row.updated.isoformat(),
    )


class CatalogueRepository:
    """Queries used by the actions. One short session per call."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def get_service_or_raise(self, service_id: str) -> ServiceView:
        with self._sessions() as session:
            row = session.get(Service, service_id)
            if row is None:
                raise ServiceNotFound(service_id)
            return _service_view(row)

    def service_names(self, service_ids: list[str]) -> dict:
        """Official names for ids (unknown ids are left out)."""
        with self._sessions() as session:
            rows = session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids)))
            return {sid: name for sid, name in rows}

    def service_summaries(self) -> list[ServiceSummary]:
        """Id, name, aliases and hall type of every service, in catalogue order."""
        with self._sessions() as session:
            rows = session.execute(select(Service.id, Service.name, Service.aliases, Service.hall_type))
            return [ServiceSummary(i, n, tuple(a), h) for i, n, a, h in rows]

    def districts(self) -> list[DistrictView]:
        with self._sessions() as session:
            rows = session.scalars(select(District).order_by(District.position))
            return [DistrictView(r.id, r.name, tuple(r.aliases)) for r in rows]

    def find_district(self, text: str) -> DistrictView | None:
        """The district a text names (official name or alias, longest match first)."""
        best: DistrictView | None = None
        best_len = 0
        for district in self.districts():
            for form in (district.name, *district.aliases):
                if form and form in text and len(form) > best_len:
                    best, best_len = district, len(form)
        return best

    def nearest_district(self, lat: float, lng: float,
                         max_km: float = 60.0) -> tuple[DistrictView, float] | None:
        """The district whose seat is closest to (lat, lng), with the distance in km.

        None when even the closest seat is farther than ``max_km``: the point is outside
        Wuhu, and naming a Wuhu hall would mislead. The seats are approximate, so this
        picks a likely district, not the one the point is legally in.
        """
        with self._sessions() as session:
            rows = session.execute(
                select(District, DistrictLocation.latitude, DistrictLocation.longitude)
                .join(DistrictLocation, DistrictLocation.district_id == District.id)
                .order_by(District.position)
            ).all()
            places = [(DistrictView(d.id, d.name, tuple(d.aliases)), la, ln) for d, la, ln in rows]
        found = nearest((lat, lng), places)
        if found is None or found[1] > max_km:
            return None
        return found

    def hall_for(self, district_id: str, hall_type: str) -> HallView | None:
        with self._sessions() as session:
            row = session.execute(
                select(Hall, District.name).join(District, Hall.district_id == District.id)
                .where(Hall.district_id == district_id, Hall.hall_type == hall_type)
            ).first()
            if row is None:
                return None
            hall, district_name = row
            return HallView(district_name, hall.name, hall.address, hall.hours, hall.phone)



"""Read-only queries over the catalogue, returning plain values (no live ORM objects).

The values are frozen, so a repository may keep them for ``cache_s`` seconds: the action
server asks for the same few services, districts and halls on every turn, and reading
them from SQLite was most of its work under load (bench/profile_turns.py). A change made
by the loader or the console is seen within ``cache_s`` (GOV_CATALOGUE_CACHE_S, 5 s).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.catalogue.geo import nearest
from bot.catalogue.models import District, DistrictLocation, Hall, Service

T = TypeVar("T")
#: Entries a repository keeps at most (services × a few views); beyond it, the oldest go.
CACHE_ENTRIES = 4096


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
class ServiceText:
    """The words a service is found by (bot/catalogue/search.py): names, questions, materials."""

    id: str
    name: str
    aliases: tuple
    department: str
    summary: str
    questions: tuple  # the questions of its FAQs: how residents ask about it
    materials: tuple  # material names only
    updated: str
    examples: tuple = ()  # residents' example questions (SCHEMA.md), added in the console over time


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
    """Queries used by the actions. One short session per call, or an answer kept ``cache_s``."""

    def __init__(self, sessions: sessionmaker, cache_s: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._sessions = sessions
        self._cache_s = cache_s
        self._clock = clock
        self._cache: dict[Hashable, tuple[float, Any]] = {}

    def _kept(self, key: Hashable, read: Callable[[], T]) -> T:
        """``read()``, or its answer from less than ``cache_s`` ago (errors are not kept)."""
        if self._cache_s <= 0:
            return read()
        now = self._clock()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self._cache_s:
            return hit[1]
        value = read()
        if len(self._cache) >= CACHE_ENTRIES:
            self._cache.pop(next(iter(self._cache)), None)
        self._cache[key] = (now, value)
        return value

    def get_service_or_raise(self, service_id: str) -> ServiceView:
        return self._kept(("service", service_id), lambda: self._read_service(service_id))

    def _read_service(self, service_id: str) -> ServiceView:
        with self._sessions() as session:
            row = session.get(Service, service_id)
            if row is None:
                raise ServiceNotFound(service_id)
            return _service_view(row)

    def service_names(self, service_ids: list[str]) -> dict:
        """Official names for ids (unknown ids are left out)."""
        return dict(self._kept(("names", tuple(service_ids)), lambda: self._read_names(service_ids)))

    def _read_names(self, service_ids: list[str]) -> dict:
        with self._sessions() as session:
            rows = session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids)))
            return {sid: name for sid, name in rows}

    def service_summaries(self) -> list[ServiceSummary]:
        """Id, name, aliases and hall type of every service, in catalogue order."""
        return list(self._kept("summaries", self._read_summaries))

    def _read_summaries(self) -> list[ServiceSummary]:
        with self._sessions() as session:
            rows = session.execute(select(Service.id, Service.name, Service.aliases, Service.hall_type))
            return [ServiceSummary(i, n, tuple(a), h) for i, n, a, h in rows]

    def service_texts(self) -> tuple[ServiceText, ...]:
        """What the search index needs of every service, in id order.

        The same tuple object is returned while the answer is kept, so a caller can tell
        "nothing re-read" by identity before comparing contents.
        """
        return self._kept("texts", self._read_texts)

    def _read_texts(self) -> tuple[ServiceText, ...]:
        with self._sessions() as session:
            rows = session.execute(select(
                Service.id, Service.name, Service.aliases, Service.department, Service.summary,
                Service.faqs, Service.materials, Service.updated, Service.examples).order_by(Service.id))
            return tuple(
                ServiceText(i, n, tuple(a), d, s, tuple(f["q"] for f in faqs), tuple(m["name"] for m in mats),
                            u.isoformat(), tuple(e or ()))
                for i, n, a, d, s, faqs, mats, u, e in rows)

    def districts(self) -> list[DistrictView]:
        return list(self._kept("districts", self._read_districts))

    def _read_districts(self) -> list[DistrictView]:
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
        return self._kept(("hall", district_id, hall_type), lambda: self._read_hall(district_id, hall_type))

    def _read_hall(self, district_id: str, hall_type: str) -> HallView | None:
        with self._sessions() as session:
            row = session.execute(
                select(Hall, District.name).join(District, Hall.district_id == District.id)
                .where(Hall.district_id == district_id, Hall.hall_type == hall_type)
            ).first()
            if row is None:
                return None
            hall, district_name = row
            return HallView(district_name, hall.name, hall.address, hall.hours, hall.phone)



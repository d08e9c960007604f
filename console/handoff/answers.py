"""插入服务答复: the assistant's own one-time answer (一次告知) for a service, for an agent's reply.

The text is bot/catalogue/render.py's render_service_answer, the function the assistant's
action (actions/service_answer.py) sends, with the hall of the district the resident
named when they asked for a person, and the related services by name: what the resident
would have read from the assistant, so the two never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import sessionmaker

from bot.catalogue.models import Service
from bot.catalogue.render import render_service_answer
from bot.catalogue.repository import CatalogueRepository, ServiceNotFound


class UnknownService(LookupError):
    """No service by that name or id; the message is for staff (Chinese)."""

    def __init__(self, typed: str) -> None:
        super().__init__(f"没有名为“{typed}”的服务事项，请从列表中选择。" if typed else "请选择服务事项。")


@dataclass(frozen=True)
class ServiceAnswer:
    service_id: str
    name: str
    text: str


def service_names(db: sessionmaker) -> list[str]:
    """Every service's official name, sorted, for the page's list."""
    with db() as session:
        return sorted(session.execute(select(Service.name)).scalars())


def service_answer(db: sessionmaker, typed: str, district: str | None = None) -> ServiceAnswer:
    """The answer for the service named (or with the id) `typed`, with `district`'s hall when it has one."""
    typed = (typed or "").strip()
    if not typed:
        raise UnknownService("")
    with db() as session:
        found = session.scalar(select(Service.id).where(or_(Service.name == typed, Service.id == typed)).limit(1))
    if found is None:
        raise UnknownService(typed)
    repo = CatalogueRepository(db)
    try:
        service = repo.get_service_or_raise(found)
    except ServiceNotFound:  # deleted between the two reads
        raise UnknownService(typed) from None
    place = repo.find_district(district) if district else None
    hall = repo.hall_for(place.id, service.hall_type) if place is not None else None
    related = repo.service_names(list(service.related))
    names = [related[r] for r in service.related if r in related]
    return ServiceAnswer(service.id, service.name, render_service_answer(service, hall, names))

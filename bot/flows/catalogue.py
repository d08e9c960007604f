"""Which flows exist, and what they need from the catalogue to be built for today."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Dict, Tuple

from sqlalchemy.orm import sessionmaker

from bot.catalogue.repository import CatalogueRepository
from bot.config import get_settings
from bot.db import session_factory
from bot.flows import appointment, elderly_allowance, sbk_replace
from bot.flows.engine import Flow, Option

#: Services residents can apply for in the chat (catalogue id -> flow module).
APPLICATION_FLOWS = {elderly_allowance.SERVICE_ID: elderly_allowance, sbk_replace.SERVICE_ID: sbk_replace}
APPOINTMENT_FLOW = appointment.FLOW_NAME


@dataclass(frozen=True)
class FlowContext:
    """Everything a flow needs for one day: districts, services, the database."""

    today: date
    sessions: sessionmaker
    districts: Tuple[Option, ...]
    services: Tuple[Tuple[str, str, Tuple[str, ...]], ...]  # (id, name, aliases)
    hall_types: Dict[str, str]  # service id -> hall type

    def build(self, name: str) -> Flow:
        if name == APPOINTMENT_FLOW:
            return appointment.build(today=self.today, districts=self.districts, services=self.services,
                                     hall_types=self.hall_types, sessions=self.sessions)
        return APPLICATION_FLOWS[name].build(today=self.today, districts=self.districts)


def flow_context(today_fn: Callable[[], date] = date.today) -> FlowContext:
    """Read what the flows need (blocking: call from a worker thread)."""
    sessions = session_factory(get_settings().database_url)
    repo = CatalogueRepository(sessions)
    districts = tuple(Option(d.name, d.id) for d in repo.districts())
    services = repo.service_summaries()
    return FlowContext(today=today_fn(), sessions=sessions, districts=districts,
                       services=tuple((s.id, s.name, s.aliases) for s in services),
                       hall_types={s.id: s.hall_type for s in services})

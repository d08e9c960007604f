"""What flows need from the catalogue and the database to be built for today.

Which flows exist is bot/flows/registry.py; :meth:`FlowContext.build` asks it by name.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import sessionmaker

from bot.appointments.calendar import local_today
from bot.catalogue.repository import CatalogueRepository
from bot.config import get_settings
from bot.db import session_factory
from bot.flows.engine import Flow, Option
from bot.flows.registry import FLOWS


@dataclass(frozen=True)
class FlowContext:
    """Everything a flow needs for one day: districts, services, the database.

    `today` is Wuhu's date (Asia/Shanghai), the same clock booking checks against: the
    days offered are the days that can be booked, also between 00:00 and 08:00.
    """

    today: date
    sessions: sessionmaker
    districts: tuple[Option, ...]
    services: tuple[tuple[str, str, tuple[str, ...]], ...]  # (id, name, aliases)
    hall_types: dict[str, str]  # service id -> hall type

    def build(self, name: str, *, sender_id: str = "") -> Flow:
        """The flow by name; 查进度 and 取消预约 flows need the conversation's sender id.

        Raises UnknownFlow (a LookupError) for a name no flow is registered under.
        """
        return FLOWS.get(name).build(self, sender_id)

    def hall_text(self, district_id: str, hall_type: str) -> str | None:
        """"弋江区政务服务中心（芜湖市弋江区中山南路718号）": where a booking sends the resident."""
        hall = CatalogueRepository(self.sessions).hall_for(district_id, hall_type)
        return f"{hall.name}（{hall.address}）" if hall else None


def flow_context(today_fn: Callable[[], date] = local_today) -> FlowContext:
    """Read what the flows need (blocking: call from a worker thread); today is Wuhu's date."""
    sessions = session_factory(get_settings().database_url)
    repo = CatalogueRepository(sessions)
    districts = tuple(Option(d.name, d.id, tuple(d.aliases)) for d in repo.districts())  # 芜湖县 → 湾沚区
    services = repo.service_summaries()
    return FlowContext(today=today_fn(), sessions=sessions, districts=districts,
                       services=tuple((s.id, s.name, s.aliases) for s in services),
                       hall_types={s.id: s.hall_type for s in services})

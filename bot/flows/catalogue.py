"""Which flows exist, and what they need from the catalogue to be built for today."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Dict, Optional, Tuple

from sqlalchemy.orm import sessionmaker

from bot.appointments.calendar import local_today
from bot.catalogue.repository import CatalogueRepository
from bot.config import get_settings
from bot.db import session_factory
from bot.flows import appointment, cancel_booking, elderly_allowance, progress_lookup, sbk_replace
from bot.flows.engine import Flow, Option

#: Services residents can apply for in the chat (catalogue id -> flow module).
APPLICATION_FLOWS = {elderly_allowance.SERVICE_ID: elderly_allowance, sbk_replace.SERVICE_ID: sbk_replace}
APPOINTMENT_FLOW = appointment.FLOW_NAME


@dataclass(frozen=True)
class FlowContext:
    """Everything a flow needs for one day: districts, services, the database.

    `today` is Wuhu's date (Asia/Shanghai), the same clock booking checks against: the
    days offered are the days that can be booked, also between 00:00 and 08:00.
    """

    today: date
    sessions: sessionmaker
    districts: Tuple[Option, ...]
    services: Tuple[Tuple[str, str, Tuple[str, ...]], ...]  # (id, name, aliases)
    hall_types: Dict[str, str]  # service id -> hall type

    def build(self, name: str, *, sender_id: str = "") -> Flow:
        """The flow by name; 查进度 and 取消预约 flows need the conversation's sender id."""
        if name == progress_lookup.FLOW_NAME:
            return progress_lookup.build(sessions=self.sessions, sender_id=sender_id)
        if name in cancel_booking.FLOW_NAMES:
            return cancel_booking.build(name, sessions=self.sessions, sender_id=sender_id,
                                        services=self.services, today=self.today)
        if name == APPOINTMENT_FLOW:
            return appointment.build(today=self.today, districts=self.districts, services=self.services,
                                     hall_types=self.hall_types, sessions=self.sessions, hall_text=self.hall_text)
        return APPLICATION_FLOWS[name].build(today=self.today, districts=self.districts)

    def hall_text(self, district_id: str, hall_type: str) -> Optional[str]:
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

"""What staff and residents read for the codes the fact tables keep: channels, flows, services.

The tables store ids (``webchat``, ``elderly-allowance``, ``sbk-apply``) so a renamed service
keeps its history; pages and exports name them in Chinese from here, falling back to the id
for anything retired (a flow no longer registered, a service deleted from the catalogue).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.applications.kinds import kind_name
from bot.catalogue.models import District, Service
from bot.flows import appointment, cancel_booking, progress_lookup

CHANNEL_LABELS: dict[str, str] = {"webchat": "网页聊天", "wechat": "微信公众号", "rest": "接口", "other": "其他"}
UNKNOWN = "未知"  # report.by_dimension's key for sessions with no district
_FLOW_LABELS: dict[str, str] = {
    appointment.FLOW_NAME: "办事预约",
    progress_lookup.FLOW_NAME: "查进度",
    cancel_booking.FLOW_NAME: cancel_booking.TITLE,
    cancel_booking.BY_NUMBER: f"{cancel_booking.TITLE}（按编号）",
}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def flow_label(flow: str) -> str:
    """高龄津贴申领, 办事预约 …; the flow's name when it is no longer known."""
    return _FLOW_LABELS.get(flow) or kind_name(flow)


def step_label(step: int | None) -> str:
    return "第一个问题之前" if step is None else f"第{step}步"


def service_names(sessions: sessionmaker) -> dict[str, str]:
    """Service id → its catalogue name, every service."""
    with sessions() as session:
        return dict(session.execute(select(Service.id, Service.name)).all())


def departments(sessions: sessionmaker) -> list[str]:
    """The catalogue's departments, sorted."""
    with sessions() as session:
        return list(session.scalars(select(Service.department).distinct().order_by(Service.department)))


def district_names(sessions: sessionmaker) -> list[str]:
    """The catalogue's districts, in menu order."""
    with sessions() as session:
        return list(session.scalars(select(District.name).order_by(District.position)))

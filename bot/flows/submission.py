"""Turn a confirmed flow into a stored application or booking, and the reply that says so.

What confirming does is each flow's own (its definition in bot/flows/registry.py); here
the limits the services enforce become kind replies, the same for every flow.
"""
from __future__ import annotations

import logging
from typing import Any

from bot.applications.errors import OpenApplicationExists
from bot.appointments.service import AlreadyBookedForService, TooManyBookings
from bot.flows.context import FlowContext
from bot.flows.definition import SubmitResult, UnknownFlow
from bot.flows.registry import FLOWS
from bot.replies import FLOW_UNKNOWN

logger = logging.getLogger(__name__)


def _limit_text(exc: Exception) -> str:
    """Why the services refused (one open application per ID, booking limits per phone)."""
    if isinstance(exc, OpenApplicationExists):
        return (f"这个身份证号已经有一件【{exc.kind_name}】正在办理，办结或退回之前不能再次申请，"
                "这次没有重复提交。发“查进度”可以看办到哪一步了；有疑问请拨打 12345。")
    if isinstance(exc, TooManyBookings):
        return (f"这个手机号已经有{exc.limit}个还没到期的预约了，最多只能同时保留{exc.limit}个，"
                "这次没有预约。请先办完或发“取消预约”取消一个，再来预约。")
    return ("这个手机号已经预约过这项业务了，同一项业务只能保留一个预约，这次没有重复预约。"
            "想换时间的话，请先发“取消预约”取消原来的预约，再重新预约。")


def submit(ctx: FlowContext, state: dict[str, Any], sender_id: str) -> SubmitResult:
    """Store what the confirmed flow collected, once per flow instance (idempotent).

    A limit the services enforce becomes a kind reply; a flow no longer registered is
    logged and answered politely, with nothing stored.
    """
    try:
        definition = FLOWS.get(state["flow"])
    except UnknownFlow:
        logger.warning("confirmed flow %r is not registered; nothing stored", state["flow"])
        return SubmitResult(FLOW_UNKNOWN)
    try:
        return definition.submit(ctx, state, sender_id)
    except (OpenApplicationExists, AlreadyBookedForService, TooManyBookings) as exc:
        return SubmitResult(_limit_text(exc))

"""A real conversation reaches the analytics facts through Rasa's event broker (bot/analytics/)."""
from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.analytics import worker
from bot.analytics.models import AnalyticsSession, AnalyticsSessionService
from bot.analytics.sources import SqlSource


def test_a_rest_conversation_becomes_facts(stack, sender, sessions):
    assert stack.events_db is not None
    for text in ("社保卡怎么办", "镜湖区", "谢谢"):
        assert stack.say(sender, text)
    source = SqlSource(str(stack.events_db), idle_wait_s=0)
    while asyncio.run(worker.run_once(sessions, source)):
        pass
    with sessions() as session:
        row = session.execute(select(AnalyticsSession).where(
            AnalyticsSession.conversation_id == f"rest:{sender}")).scalar_one()
        services = session.execute(select(AnalyticsSessionService.service_id).where(
            AnalyticsSessionService.session_id == row.id)).scalars().all()
    assert (row.channel, row.turns, row.district, row.last_service) == ("rest", 3, "镜湖区", "sbk-apply")
    assert row.answered and not row.last_turn_fallback and services == ["sbk-apply"]

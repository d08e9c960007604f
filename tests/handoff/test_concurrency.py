"""Two agents can never claim the same resident; one conversation never queues twice.

Real threads released at one barrier against a real database: a SQLite file, then
PostgreSQL when it is there (tests/support/backing_services.py; skipped otherwise).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.handoff import service
from bot.handoff.errors import AlreadyTaken
from bot.handoff.models import HandoffRequest
from tests.support.race import race

T0 = datetime(2026, 12, 2, 1, 0, 0)
AGENTS = 8


def test_concurrent_claims_give_each_request_to_exactly_one_agent(any_backend):
    for round_no in range(5):
        rid = service.request_handoff(any_backend, conversation_id=f"web:race{round_no}", channel="webchat",
                                      now=T0).request.id
        made, refused, errors = race(AGENTS, lambda i, rid=rid: service.claim(any_backend, request_id=rid,
                                                                             agent=f"agent{i}"), AlreadyTaken)
        assert errors == []
        assert len(made) == 1 and len(refused) == AGENTS - 1
        with any_backend() as session:
            assert session.get(HandoffRequest, rid).agent == made[0].agent


def test_agents_racing_over_a_queue_never_share_a_resident(any_backend):
    ids = [service.request_handoff(any_backend, conversation_id=f"web:q{i}", channel="webchat", now=T0).request.id
           for i in range(6)]

    def take_everything(i: int) -> list[int]:
        won = []
        for rid in ids:
            try:
                won.append(service.claim(any_backend, request_id=rid, agent=f"agent{i}").id)
            except AlreadyTaken:
                pass
        return won

    made, _, errors = race(4, take_everything, AlreadyTaken)
    assert errors == []
    assert sorted(rid for won in made for rid in won) == ids  # each exactly once


def test_a_conversation_asking_many_times_at_once_is_queued_once(any_backend):
    made, _, errors = race(AGENTS, lambda i: service.request_handoff(
        any_backend, conversation_id="wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", channel="wechat", now=T0), AlreadyTaken)
    assert errors == []
    assert len({ticket.request.id for ticket in made}) == 1
    assert sum(ticket.is_new for ticket in made) == 1
    with any_backend() as session:
        assert session.scalar(select(func.count()).select_from(HandoffRequest)) == 1

"""What the console's hand-off desk reads (bot/handoff/queue.py): an agent's seat with who waits
for an answer, who holds requests, and the one-query change check, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta

from bot.handoff import queue, service

T0 = datetime(2026, 12, 2, 1, 0, 0)


def ask(sessions, conversation: str, at: datetime = T0) -> int:
    return service.request_handoff(sessions, conversation_id=conversation, channel="webchat", now=at).request.id


def test_a_seat_lists_what_an_agent_holds_and_who_waits_for_an_answer(any_backend):
    db = any_backend
    quiet, spoke, answered = (ask(db, f"web:seat-{i}", T0 + timedelta(seconds=i)) for i in range(3))
    for rid in (quiet, spoke, answered):
        service.claim(db, request_id=rid, agent="zhang", now=T0 + timedelta(minutes=1))
    service.record_resident_message(db, request_id=spoke, text="在吗 13812345678", now=T0 + timedelta(minutes=2))
    service.record_resident_message(db, request_id=answered, text="在吗", now=T0 + timedelta(minutes=2))
    service.reply(db, request_id=answered, agent="zhang", text="在的", now=T0 + timedelta(minutes=3))
    seat = queue.seat(db, agent="zhang", now=T0 + timedelta(minutes=5))
    waits = [(entry.request.id, waiting) for entry, waiting in seat]
    assert waits == [(quiet, False), (spoke, True), (answered, False)]
    assert seat[1][0].last_messages[-1].text == "在吗 138****5678"
    assert seat[0][0].waited_s == 300
    assert queue.seat(db, agent="li") == [] and queue.holders(db) == ["zhang"]
    service.transfer(db, request_id=answered, agent="zhang", to_agent="li")
    assert queue.holders(db) == ["li", "zhang"]
    assert dict((e.request.id, w) for e, w in queue.seat(db, agent="li")) == {answered: True}  # not answered by li


def test_the_change_check_sees_every_change_a_desk_page_shows(any_backend):
    db = any_backend
    rid, other = ask(db, "web:watch-1"), ask(db, "web:watch-2")

    def rows() -> dict:
        return {row[0]: row for row in queue.change_rows(db, also=[rid])}

    seen = [rows()]
    assert set(seen[0]) == {rid, other} and seen[0][rid][1:3] == ("queued", None)
    steps = [
        lambda: service.record_resident_message(db, request_id=rid, text="你好"),
        lambda: service.claim(db, request_id=rid, agent="zhang"),
        lambda: service.reply(db, request_id=rid, agent="zhang", text="您好"),
        lambda: service.transfer(db, request_id=rid, agent="zhang", to_agent="li"),
        lambda: service.close(db, request_id=rid, agent="li", note="已解答"),
    ]
    for step in steps:
        step()
        seen.append(rows())
        assert seen[-1][rid] != seen[-2][rid]
    assert seen[-1][rid][1] == "closed"  # an ended request is still read when a page shows it
    assert rid not in {row[0] for row in queue.change_rows(db)}
    assert all(snapshot[other] == seen[0][other] for snapshot in seen)

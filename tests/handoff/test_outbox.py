"""Staff messages waiting for delivery (bot/handoff/outbox.py): due, claimed once, settled, in order.

Real databases: a SQLite file per test, and for the race PostgreSQL as well when it is
there (``any_backend``; skipped with the reason otherwise). Times are passed in, so the
lease and the backoff are checked without waiting.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from bot.handoff import outbox, queue, service
from bot.handoff.outbox import LEASE, backoff
from bot.handoff.texts import HANDED_BACK
from tests.support.race import race

T0 = datetime(2026, 12, 3, 2, 0, 0)
SECOND = timedelta(seconds=1)


class NoRefusal(Exception):
    """Claims refuse by returning None; any exception is an error."""


def claimed_request(sessions, conversation: str = "web:outbox", channel: str = "webchat") -> int:
    rid = service.request_handoff(sessions, conversation_id=conversation, channel=channel, now=T0).request.id
    service.claim(sessions, request_id=rid, agent="zhang", now=T0)
    return rid


def reply(sessions, rid: int, text: str, at: datetime = T0) -> int:
    return service.reply(sessions, request_id=rid, agent="zhang", text=text, now=at).id


def view(sessions, rid: int, message_id: int):
    return next(m for m in queue.transcript(sessions, request_id=rid) if m.id == message_id)


def test_an_agent_reply_is_claimed_once_masked_and_marked_delivered(handoff):
    rid = claimed_request(handoff)
    mid = reply(handoff, rid, "您的电话13812345678已登记，大厅电话0553-3123456")
    assert outbox.due(handoff, channels=["webchat"], now=T0) == [outbox.Due(mid, rid, "webchat")]
    assert outbox.due(handoff, channels=["wechat"], now=T0) == []  # another channel's loop

    claimed = outbox.claim(handoff, message_id=mid, now=T0)
    assert claimed is not None
    assert (claimed.conversation_id, claimed.direction, claimed.attempt) == ("web:outbox", "agent", 1)
    assert claimed.text == "您的电话138****5678已登记，大厅电话0553-3123456"  # a hall's landline stays
    assert outbox.claim(handoff, message_id=mid, now=T0) is None  # held by the first claim
    assert outbox.due(handoff, channels=["webchat"], now=T0 + SECOND) == []

    assert outbox.delivered(handoff, message_id=mid, attempt=1, now=T0 + SECOND)
    shown = view(handoff, rid, mid)
    assert (shown.delivered_at, shown.delivery_error) == (T0 + SECOND, None)
    assert outbox.due(handoff, channels=["webchat"], now=T0 + LEASE * 2) == []
    assert outbox.claim(handoff, message_id=mid, now=T0 + LEASE * 2) is None


def test_a_hand_back_message_is_due_only_once_the_conversation_is_resumed(handoff):
    rid = claimed_request(handoff)
    handback = service.close(handoff, request_id=rid, agent="zhang", note="已解答", now=T0).handback
    assert outbox.due(handoff, channels=["webchat"], now=T0) == []  # its text is not in the tracker yet
    service.mark_resumed(handoff, request_id=rid, now=T0)
    assert outbox.due(handoff, channels=["webchat"], now=T0) == [outbox.Due(handback.id, rid, "webchat")]
    claimed = outbox.claim(handoff, message_id=handback.id, now=T0)
    assert claimed is not None and (claimed.direction, claimed.text) == ("system", HANDED_BACK)


def test_a_requests_messages_are_delivered_in_the_order_they_were_written(handoff):
    rid = claimed_request(handoff)
    first, second = reply(handoff, rid, "第一条"), reply(handoff, rid, "第二条")
    other = reply(handoff, claimed_request(handoff, "web:other"), "别的会话")
    assert [d.message_id for d in outbox.due(handoff, channels=["webchat"], now=T0)] == [first, other]
    assert outbox.claim(handoff, message_id=second, now=T0) is None  # the first is not delivered yet

    claim = outbox.claim(handoff, message_id=first, now=T0)
    assert claim is not None
    assert outbox.claim(handoff, message_id=second, now=T0) is None  # nor while it is on its way
    assert outbox.retry_later(handoff, message_id=first, attempt=claim.attempt, reason="webchat:error",
                              now=T0) == "retry"
    assert outbox.claim(handoff, message_id=second, now=T0 + LEASE) is None  # nor while it waits to retry
    again = outbox.claim(handoff, message_id=first, now=T0 + backoff(1))
    assert again is not None and again.attempt == 2
    assert outbox.delivered(handoff, message_id=first, attempt=2, now=T0 + backoff(1))
    assert outbox.claim(handoff, message_id=second, now=T0 + backoff(1)) is not None


def test_a_failing_message_waits_its_backoff_and_is_given_up_after_the_last_attempt(handoff):
    rid = claimed_request(handoff)
    mid = reply(handoff, rid, "您好")
    now = T0
    for attempt in (1, 2):
        claim = outbox.claim(handoff, message_id=mid, now=now)
        assert claim is not None and claim.attempt == attempt
        assert outbox.retry_later(handoff, message_id=mid, attempt=attempt, reason="wechat:unreachable",
                                  now=now, max_attempts=3) == "retry"
        assert outbox.claim(handoff, message_id=mid, now=now + backoff(attempt) - SECOND / 10) is None
        now += backoff(attempt)
    claim = outbox.claim(handoff, message_id=mid, now=now)
    assert claim is not None and claim.attempt == 3
    assert outbox.retry_later(handoff, message_id=mid, attempt=3, reason="wechat:unreachable", now=now,
                              max_attempts=3) == "failed"
    assert view(handoff, rid, mid).delivery_error == "wechat:unreachable"
    assert outbox.due(handoff, channels=["webchat"], now=now + timedelta(days=1)) == []


def test_a_node_whose_claim_ran_out_can_no_longer_settle_the_message(handoff):
    rid = claimed_request(handoff)
    mid = reply(handoff, rid, "您好")
    stale = outbox.claim(handoff, message_id=mid, now=T0)
    assert stale is not None
    assert outbox.claim(handoff, message_id=mid, now=T0 + LEASE - SECOND) is None
    fresh = outbox.claim(handoff, message_id=mid, now=T0 + LEASE + SECOND)  # the first node hung
    assert fresh is not None and fresh.attempt == 2
    assert not outbox.delivered(handoff, message_id=mid, attempt=stale.attempt)
    assert not outbox.failed(handoff, message_id=mid, attempt=stale.attempt, reason="wechat:45015")
    assert outbox.retry_later(handoff, message_id=mid, attempt=stale.attempt, reason="x") == "lost"
    assert outbox.failed(handoff, message_id=mid, attempt=fresh.attempt, reason="wechat:45015")
    assert view(handoff, rid, mid).delivery_error == "wechat:45015"


def test_a_hand_back_the_gate_said_is_marked_and_not_counted_as_sent_by_the_channel(handoff):
    rid = claimed_request(handoff, "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", "wechat")
    mid = reply(handoff, rid, "请带身份证原件")
    claim = outbox.claim(handoff, message_id=mid, now=T0)
    assert claim is not None and outbox.delivered(handoff, message_id=mid, attempt=1, now=T0 + SECOND)
    handback = service.close(handoff, request_id=rid, agent="zhang", note="已解答", now=T0 + SECOND).handback
    assert outbox.mark_handback_delivered(handoff, request_id=rid, now=T0 + 2 * SECOND) == 1
    service.mark_resumed(handoff, request_id=rid)
    assert outbox.due(handoff, channels=["wechat"]) == []
    assert view(handoff, rid, handback.id).delivered_at == T0 + 2 * SECOND
    conversation = "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
    assert outbox.sent_since(handoff, conversation_id=conversation, since=T0) == [("agent", "请带身份证原件")]
    assert outbox.sent_since(handoff, conversation_id=conversation, since=T0 + 2 * SECOND) == []


def test_nodes_claiming_one_message_at_once_give_it_to_exactly_one(any_backend):
    for round_no in range(4):
        rid = claimed_request(any_backend, f"web:race{round_no}")
        mid = reply(any_backend, rid, "您好")
        made, refused, errors = race(8, lambda i, mid=mid: outbox.claim(any_backend, message_id=mid), NoRefusal)
        assert errors == [] and refused == []  # losers get None, never an error (a lock timeout…)
        assert len([c for c in made if c is not None]) == 1


def test_a_hand_back_waits_for_the_agents_replies_only_while_they_are_on_their_way(handoff):
    rid = claimed_request(handoff)
    assert outbox.wait_for_replies(handoff, request_id=rid, timeout_s=0.0)  # nothing written
    mid = reply(handoff, rid, "最后一句")
    assert not outbox.wait_for_replies(handoff, request_id=rid, timeout_s=0.1)  # still undelivered
    claim = outbox.claim(handoff, message_id=mid)
    assert claim is not None and outbox.failed(handoff, message_id=mid, attempt=claim.attempt, reason="wechat:45015")
    assert outbox.wait_for_replies(handoff, request_id=rid, timeout_s=0.0)  # settled, even if failed

"""The hand-off service on a real database: queue, claim, reply, transfer, close, release."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from bot.handoff import queue, service
from bot.handoff.errors import AlreadyTaken, EmptyMessage, InvalidAgent, NoteRequired, NotHolder, RequestNotFound
from bot.handoff.models import HandoffMessage, HandoffRequest
from bot.handoff.texts import HANDED_BACK
from bot.handoff.waits import DEFAULT_WAIT

T0 = datetime(2026, 12, 2, 1, 0, 0)  # naive UTC, 09:00 in Wuhu


def ask(sessions, conversation="web:aaaa", at=T0, **context):
    return service.request_handoff(sessions, conversation_id=conversation, channel="webchat", now=at, **context)


def test_a_request_is_queued_with_its_place_and_the_default_wait(handoff):
    ticket = ask(handoff, district="镜湖区", service_id="sbk-apply")
    assert ticket.is_new and ticket.position == 1
    assert ticket.expected_wait_s == DEFAULT_WAIT.total_seconds()
    request = ticket.request
    assert (request.status, request.channel, request.district, request.service_id) == \
        ("queued", "webchat", "镜湖区", "sbk-apply")
    assert request.created_at == T0 and request.agent is None
    assert ask(handoff, "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", T0 + timedelta(seconds=5)).position == 2


def test_asking_again_gets_the_same_request_queued_or_claimed(handoff):
    first = ask(handoff)
    ask(handoff, "web:bbbb", T0 + timedelta(seconds=1))
    again = ask(handoff, at=T0 + timedelta(minutes=1))
    assert not again.is_new and again.request.id == first.request.id and again.position == 1
    service.claim(handoff, request_id=first.request.id, agent="zhang")
    claimed = ask(handoff, at=T0 + timedelta(minutes=2))
    assert claimed.request.id == first.request.id and claimed.request.status == "claimed"
    assert claimed.position is None and claimed.expected_wait_s is None
    with handoff() as session:
        assert session.scalar(select(text("count(*)")).select_from(HandoffRequest)) == 2


def test_one_active_request_per_conversation_is_kept_by_the_database_itself(handoff):
    ask(handoff)
    with pytest.raises(Exception) as refused, handoff.begin() as session:
        session.add(HandoffRequest(conversation_id="web:aaaa", channel="webchat", status="claimed", created_at=T0))
    assert "unique" in str(refused.value).lower()
    with handoff.begin() as session:  # an ended one beside it is fine
        session.add(HandoffRequest(conversation_id="web:aaaa", channel="webchat", status="closed", created_at=T0))


def test_after_an_end_a_new_request_is_a_new_one(handoff):
    first = ask(handoff)
    assert service.cancel_queued(handoff, conversation_id="web:aaaa").status == "cancelled"
    second = ask(handoff, at=T0 + timedelta(minutes=3))
    assert second.is_new and second.request.id != first.request.id


def test_the_expected_wait_is_the_median_of_recent_waits(handoff):
    for i, wait_min in enumerate([1, 2, 10]):
        ticket = ask(handoff, f"web:w{i}", T0 + timedelta(minutes=i))
        service.claim(handoff, request_id=ticket.request.id, agent="zhang",
                      now=T0 + timedelta(minutes=i + wait_min))
    waiting = ask(handoff, "web:new", T0 + timedelta(minutes=20))
    assert waiting.expected_wait_s == 120  # median of 1, 2 and 10 minutes
    later = queue.ticket(handoff, request_id=waiting.request.id, now=T0 + timedelta(days=8))
    assert later.expected_wait_s == DEFAULT_WAIT.total_seconds()  # those waits are too old now


def test_a_claim_takes_a_queued_request_once(handoff):
    ticket = ask(handoff)
    claimed = service.claim(handoff, request_id=ticket.request.id, agent="zhang", now=T0 + timedelta(minutes=1))
    assert (claimed.status, claimed.agent, claimed.claimed_at) == ("claimed", "zhang", T0 + timedelta(minutes=1))
    with pytest.raises(AlreadyTaken):
        service.claim(handoff, request_id=ticket.request.id, agent="li")
    with pytest.raises(RequestNotFound):
        service.claim(handoff, request_id=999, agent="li")


def test_only_the_holder_replies_and_a_reply_is_stored_for_delivery(handoff):
    ticket = ask(handoff)
    with pytest.raises(NotHolder):  # queued: nobody holds it yet
        service.reply(handoff, request_id=ticket.request.id, agent="zhang", text="您好")
    service.claim(handoff, request_id=ticket.request.id, agent="zhang")
    with pytest.raises(NotHolder):
        service.reply(handoff, request_id=ticket.request.id, agent="li", text="您好")
    with pytest.raises(EmptyMessage):
        service.reply(handoff, request_id=ticket.request.id, agent="zhang", text="  ")
    sent = service.reply(handoff, request_id=ticket.request.id, agent="zhang", text="您好，我是工作人员小张")
    assert (sent.direction, sent.author, sent.text) == ("agent", "zhang", "您好，我是工作人员小张")
    with handoff() as session:
        assert session.get(HandoffMessage, sent.id).delivered_at is None


def test_transfer_moves_the_request_to_another_agent(handoff):
    ticket = ask(handoff)
    service.claim(handoff, request_id=ticket.request.id, agent="zhang")
    with pytest.raises(InvalidAgent):
        service.transfer(handoff, request_id=ticket.request.id, agent="zhang", to_agent="zhang")
    with pytest.raises(NotHolder):
        service.transfer(handoff, request_id=ticket.request.id, agent="li", to_agent="wang")
    moved = service.transfer(handoff, request_id=ticket.request.id, agent="zhang", to_agent="li")
    assert (moved.status, moved.agent) == ("claimed", "li")
    with pytest.raises(NotHolder):
        service.reply(handoff, request_id=ticket.request.id, agent="zhang", text="还在吗")
    assert service.reply(handoff, request_id=ticket.request.id, agent="li", text="我接着为您办").author == "li"
    assert [r.id for r in queue.claimed_by(handoff, agent="li")] == [ticket.request.id]
    assert queue.claimed_by(handoff, agent="zhang") == []


def test_close_needs_a_short_note_and_queues_the_hand_back(handoff):
    ticket = ask(handoff)
    service.claim(handoff, request_id=ticket.request.id, agent="zhang")
    for note in ("", "   ", "长" * 201):
        with pytest.raises(NoteRequired):
            service.close(handoff, request_id=ticket.request.id, agent="zhang", note=note)
    with pytest.raises(NotHolder):
        service.close(handoff, request_id=ticket.request.id, agent="li", note="已解答")
    closed = service.close(handoff, request_id=ticket.request.id, agent="zhang", note="已解答，联系电话13812345678",
                           now=T0 + timedelta(minutes=9))
    assert (closed.request.status, closed.request.closed_at) == ("closed", T0 + timedelta(minutes=9))
    assert closed.request.note == "已解答，联系电话138****5678"
    assert (closed.handback.direction, closed.handback.text) == ("system", HANDED_BACK)
    with pytest.raises(NotHolder):  # closed is final
        service.close(handoff, request_id=ticket.request.id, agent="zhang", note="再关一次")
    pending = service.pending_handoff(handoff, conversation_id="web:aaaa")
    assert pending is not None and pending.status == "closed"  # not yet handed back to the assistant
    assert service.mark_resumed(handoff, request_id=ticket.request.id)
    assert not service.mark_resumed(handoff, request_id=ticket.request.id)
    assert service.pending_handoff(handoff, conversation_id="web:aaaa") is None


def test_the_resident_cancels_only_while_queued(handoff):
    ticket = ask(handoff)
    service.claim(handoff, request_id=ticket.request.id, agent="zhang")
    assert service.cancel_queued(handoff, conversation_id="web:aaaa") is None
    assert service.pending_handoff(handoff, conversation_id="web:aaaa").status == "claimed"
    assert service.cancel_queued(handoff, conversation_id="web:none") is None


def test_release_returns_unanswered_residents_to_the_queue_in_their_place(handoff):
    never_answered = ask(handoff, "web:r1", T0).request.id
    answered = ask(handoff, "web:r2", T0 + timedelta(minutes=1)).request.id
    wrote_again = ask(handoff, "web:r3", T0 + timedelta(minutes=2)).request.id
    someone_elses = ask(handoff, "web:r4", T0 + timedelta(minutes=3)).request.id
    for rid in (never_answered, answered, wrote_again):
        service.claim(handoff, request_id=rid, agent="zhang", now=T0 + timedelta(minutes=5))
    service.claim(handoff, request_id=someone_elses, agent="li", now=T0 + timedelta(minutes=5))
    later = ask(handoff, "web:r5", T0 + timedelta(minutes=6)).request.id
    service.reply(handoff, request_id=answered, agent="zhang", text="您好", now=T0 + timedelta(minutes=6))
    service.reply(handoff, request_id=wrote_again, agent="zhang", text="您好", now=T0 + timedelta(minutes=6))
    service.record_resident_message(handoff, request_id=wrote_again, text="还在吗？", now=T0 + timedelta(minutes=7))

    assert service.release(handoff, agent="zhang") == sorted([never_answered, wrote_again])
    assert [e.request.id for e in queue.list_queue(handoff)] == [never_answered, wrote_again, later]
    assert queue.ticket(handoff, request_id=wrote_again).position == 2
    assert [r.id for r in queue.claimed_by(handoff, agent="zhang")] == [answered]
    assert service.release(handoff, agent="zhang", only_unanswered=False) == [answered]
    assert [r.id for r in queue.claimed_by(handoff, agent="li")] == [someone_elses]
    released = service.claim(handoff, request_id=never_answered, agent="wang", now=T0 + timedelta(minutes=8))
    with handoff() as session:  # the wait statistics keep the first claim
        assert session.get(HandoffRequest, released.id).first_claimed_at == T0 + timedelta(minutes=5)


def test_the_queue_shows_the_oldest_first_with_wait_context_and_masked_messages(handoff):
    first = ask(handoff, "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", T0, district="弋江区", service_id="sbk-apply",
                flow_step="社会保障卡挂失补换 · 第3步（共6步）").request.id
    second = ask(handoff, "web:bbbb", T0 + timedelta(minutes=2)).request.id
    for i, said in enumerate(["我的身份证号是340202194001011239", "电话 138 1234 5678", "卡丢了怎么办", "在吗"]):
        service.record_resident_message(handoff, request_id=first, text=said, now=T0 + timedelta(minutes=i))
    entries = queue.list_queue(handoff, now=T0 + timedelta(minutes=10))
    assert [e.request.id for e in entries] == [first, second]
    top = entries[0]
    assert (top.request.channel, top.request.district, top.service_name) == \
        ("webchat", "弋江区", "社会保障卡申领")
    assert top.request.flow_step == "社会保障卡挂失补换 · 第3步（共6步）"
    assert top.waited_s == 600 and entries[1].waited_s == 480
    assert [m.text for m in top.last_messages] == ["电话 138****5678", "卡丢了怎么办", "在吗"]
    full = queue.transcript(handoff, request_id=first)
    assert full[0].text == "我的身份证号是340202********1239"
    assert entries[1].last_messages == ()


def test_messages_are_encrypted_at_rest_and_markup_is_kept_as_text(handoff):
    rid = ask(handoff).request.id
    markup = '<img src=x onerror="alert(1)"><script>alert("身份证340202194001011239")</script>'
    service.record_resident_message(handoff, request_id=rid, text=markup)
    with handoff() as session:
        raw = session.execute(text("select text from handoff_messages")).scalar_one()
    assert "340202194001011239" not in raw and "script" not in raw  # a Fernet token
    shown = queue.transcript(handoff, request_id=rid)[0].text
    assert shown == '<img src=x onerror="alert(1)"><script>alert("身份证340202********1239")</script>'


def test_ended_requests_are_purged_with_their_messages_after_the_retention_period(handoff):
    old = ask(handoff, "web:old", T0).request.id
    service.record_resident_message(handoff, request_id=old, text="旧消息", now=T0)
    service.cancel_queued(handoff, conversation_id="web:old", now=T0)
    waiting = ask(handoff, "web:waiting", T0).request.id  # still queued: kept whatever its age
    recent = ask(handoff, "web:recent", T0 + timedelta(days=170)).request.id
    service.cancel_queued(handoff, conversation_id="web:recent", now=T0 + timedelta(days=170))
    assert service.purge_ended(handoff, older_than=timedelta(days=180), now=T0 + timedelta(days=181)) == 1
    with handoff() as session:
        assert sorted(session.scalars(select(HandoffRequest.id))) == sorted([waiting, recent])
        assert session.scalar(select(text("count(*)")).select_from(HandoffMessage)) == 0


def test_an_erased_conversation_withdraws_its_request_queued_or_claimed(handoff):
    rid = ask(handoff).request.id
    service.claim(handoff, request_id=rid, agent="zhang")
    withdrawn = service.withdraw(handoff, conversation_id="web:aaaa")
    assert withdrawn.id == rid and withdrawn.status == "cancelled"
    assert service.pending_handoff(handoff, conversation_id="web:aaaa") is None  # nothing to hand back
    with pytest.raises(NotHolder):
        service.reply(handoff, request_id=rid, agent="zhang", text="还在吗")
    assert service.withdraw(handoff, conversation_id="web:aaaa") is None

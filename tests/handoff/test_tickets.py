"""Messages left for a callback (留言工单): numbers, working-day deadlines, privacy, closing, purging."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from bot.handoff import tickets
from bot.handoff.errors import NoteRequired
from bot.handoff.ticket_numbers import format_ticket_number, parse_ticket_number
from bot.handoff.tickets import (
    InvalidTicket,
    TicketAlreadyDone,
    close_ticket,
    create_ticket,
    full_phone,
    list_tickets,
    purge_done_tickets,
    tickets_of_conversation,
)
from bot.workdays import add_working_days

PHONE = "13912345678"
#: 2026-12-02 20:30 in Wuhu (a Wednesday), and 2026-12-03 00:30 in Wuhu but still Dec 2 in UTC.
WED_EVENING = datetime(2026, 12, 2, 12, 30, tzinfo=timezone.utc)
THU_NIGHT = datetime(2026, 12, 2, 16, 30, tzinfo=timezone.utc)


def leave(sessions, conversation="web:a", message="高龄津贴什么时候到账？", phone=PHONE, now=WED_EVENING, **kw):
    return create_ticket(sessions, conversation_id=conversation, channel="webchat", phone=phone, message=message,
                         reason=kw.pop("reason", "closed"), days=kw.pop("days", 2), now=now, **kw)


def test_numbers_count_per_local_day_and_read_out_in_groups(handoff):
    first = leave(handoff)
    second = leave(handoff, conversation="web:b")
    after_midnight = leave(handoff, conversation="web:c", now=THU_NIGHT)  # Wuhu's Dec 3, UTC's Dec 2
    assert [first.number, second.number, after_midnight.number] == \
        ["LY20261202-0001", "LY20261202-0002", "LY20261203-0001"]
    assert first.display == "LY 2026 1202 0001" == format_ticket_number(first.number)
    assert parse_ticket_number("ly 2026 1202 0001") == parse_ticket_number("ＬＹ20261202-0001") == first.number
    assert parse_ticket_number("LY2026120") is None


def test_the_deadline_counts_official_working_days():
    assert add_working_days(date(2026, 12, 2), 2) == date(2026, 12, 4)  # Wednesday → Friday
    assert add_working_days(date(2026, 12, 4), 2) == date(2026, 12, 8)  # the weekend skipped
    assert add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)  # 国庆节 skipped
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)  # a make-up Saturday counts
    assert add_working_days(date(2030, 10, 4), 1) == date(2030, 10, 7)  # unknown year: Monday to Friday


def test_a_ticket_left_on_a_holiday_is_due_after_it(handoff):
    ticket = leave(handoff, now=datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc))
    assert ticket.due_on == date(2026, 10, 9)


def test_phone_and_message_are_masked_in_views_and_encrypted_at_rest(handoff):
    ticket = leave(handoff, message="我身份证340202194001011239，电话13812345678")
    assert ticket.phone == "139****5678" and "340202194001011239" not in ticket.message
    assert "13812345678" not in ticket.message
    with handoff() as session:
        row = session.execute(text("SELECT callback_phone, message FROM handoff_tickets WHERE id = :id"),
                              {"id": ticket.id}).one()
    assert PHONE not in row[0] and "身份证" not in row[1]
    assert full_phone(handoff, ticket_id=ticket.id) == PHONE


def test_landlines_keep_their_area_code(handoff):
    ticket = leave(handoff, phone="0553-3112233")
    assert ticket.phone == "0553-***2233" and full_phone(handoff, ticket_id=ticket.id) == "05533112233"


@pytest.mark.parametrize("phone, message, reason", [("", "有事", "closed"), (PHONE, " ", "closed"),
                                                    (PHONE, "长" * 301, "closed"), (PHONE, "有事", "bored")])
def test_a_ticket_needs_a_phone_a_message_and_a_known_reason(handoff, phone, message, reason):
    with pytest.raises(InvalidTicket):
        leave(handoff, phone=phone, message=message, reason=reason)
    assert list_tickets(handoff) == []


def test_the_same_message_confirmed_twice_is_one_ticket(handoff):
    first = leave(handoff)
    again = leave(handoff, now=WED_EVENING + timedelta(minutes=2))
    other = leave(handoff, message="另一件事")
    assert again.number == first.number and other.number != first.number
    assert len(list_tickets(handoff)) == 2


def test_a_conversation_sees_only_its_own_tickets(handoff):
    mine = leave(handoff, conversation="wechat:me")
    leave(handoff, conversation="wechat:someone-else", message="别人的留言")
    assert [t.number for t in tickets_of_conversation(handoff, conversation_id="wechat:me")] == [mine.number]
    assert tickets_of_conversation(handoff, conversation_id="wechat:nobody") == []


def test_open_tickets_come_first_by_deadline_then_the_closed(handoff):
    late = leave(handoff, conversation="web:late", now=datetime(2026, 11, 20, 2, tzinfo=timezone.utc))
    fresh = leave(handoff, conversation="web:fresh")
    done = leave(handoff, conversation="web:done", now=datetime(2026, 11, 10, 2, tzinfo=timezone.utc))
    close_ticket(handoff, ticket_id=done.id, handled_by="zhang", note="已回电")
    listed = list_tickets(handoff)
    assert [t.number for t in listed] == [late.number, fresh.number, done.number]
    assert listed[0].overdue(date(2026, 12, 2)) and not listed[1].overdue(date(2026, 12, 2))
    assert not listed[2].overdue(date(2026, 12, 2))  # done is never overdue
    assert tickets.count_open(handoff, today=date(2026, 12, 2)) == (2, 1)


def test_closing_needs_a_note_and_happens_once(handoff):
    ticket = leave(handoff)
    with pytest.raises(NoteRequired):
        close_ticket(handoff, ticket_id=ticket.id, handled_by="zhang", note="  ")
    closed = close_ticket(handoff, ticket_id=ticket.id, handled_by="zhang", note="已回电，居民号码13812345678")
    assert (closed.status, closed.handled_by) == ("done", "zhang") and "13812345678" not in closed.note
    with pytest.raises(TicketAlreadyDone):
        close_ticket(handoff, ticket_id=ticket.id, handled_by="li", note="我也回电了")
    with pytest.raises(tickets.TicketNotFound):
        close_ticket(handoff, ticket_id=999999, handled_by="li", note="没有这条")


def test_done_tickets_are_purged_after_the_retention_period_open_ones_never(handoff):
    now = datetime(2026, 12, 2, 2, tzinfo=timezone.utc)
    old_done = leave(handoff, conversation="web:1", now=now - timedelta(days=200))
    close_ticket(handoff, ticket_id=old_done.id, handled_by="zhang", note="已回电", now=now - timedelta(days=190))
    recent_done = leave(handoff, conversation="web:2", now=now - timedelta(days=20))
    close_ticket(handoff, ticket_id=recent_done.id, handled_by="zhang", note="已回电", now=now - timedelta(days=19))
    old_open = leave(handoff, conversation="web:3", now=now - timedelta(days=300))
    assert purge_done_tickets(handoff, older_than=timedelta(days=180), now=now) == 1
    assert {t.number for t in list_tickets(handoff)} == {recent_done.number, old_open.number}

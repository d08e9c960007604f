"""取消预约 as a guided flow: choose, see what will be cancelled, confirm (issue 20)."""
from __future__ import annotations

import pytest

from bot.appointments.service import (
    appointments_for_sender,
    available_slots,
    booking_by_receipt,
)
from bot.flows import cancel_booking
from bot.flows.cancel_booking import BY_NUMBER, FLOW_NAME, match_bookings
from bot.records.proof import FAILED_TEXT
from tests.support.records import FRI, HALL, THU, TODAY, Chat, book_visit, flow_ctx


@pytest.fixture()
def ctx(db_url, monkeypatch):
    return flow_ctx(db_url, monkeypatch)


@pytest.fixture()
def two(ctx):
    """Sender A's bookings: 社会保障卡申领 on Thursday 3 Dec, 异地就医备案 on Friday 4 Dec."""
    return (book_visit(ctx.sessions, sender="A", service="sbk-apply", day=THU),
            book_visit(ctx.sessions, sender="A", service="medins-remote", day=FRI, slot="10:00-11:00"))


def active(ctx, sender="A"):
    return [b.receipt_no for b in appointments_for_sender(ctx.sessions, sender_id=sender, today=TODAY)]


def test_two_bookings_are_listed_and_nothing_is_cancelled_before_confirming(ctx, two):
    sbk, remote = two
    chat = Chat(ctx, FLOW_NAME, "A")
    assert "1. 社会保障卡申领，12月3日（周四） 09:00-10:00" in chat.last
    assert "2. 异地就医备案，12月4日（周五） 10:00-11:00" in chat.last
    summary = chat.say("2")
    assert "请核对" in summary and "异地就医备案，12月4日（周五） 10:00-11:00，" in summary
    assert f"预约编号 {remote.display}" in summary and "社会保障卡" not in summary
    assert active(ctx) == [sbk.receipt_no, remote.receipt_no]
    done = chat.say("1")
    assert done.startswith("已取消预约：异地就医备案，12月4日") and "您还有1个预约" in done
    assert active(ctx) == [sbk.receipt_no]
    left = {s.slot: s.remaining for s in available_slots(ctx.sessions, hall_id=HALL, day=FRI)}
    assert left["10:00-11:00"] == 5  # the place is free again


@pytest.mark.parametrize("answer, which", [
    ("异地就医备案的", 1), ("异地就医", 1), ("社保卡那个", 0), ("12月4日的", 1), ("十二月三日", 0),
    ("3号的", 0), ("周五那个", 1), ("星期四", 0), ("2", 1), ("1号", 0),  # no booking on the 1st: option 1
])
def test_the_booking_is_chosen_by_service_or_date(ctx, two, answer, which):
    chat = Chat(ctx, FLOW_NAME, "A")
    assert f"预约编号 {two[which].display}" in chat.say(answer)
    assert chat.state["values"][cancel_booking.BOOKING] == two[which].receipt_no


def test_ambiguous_or_unknown_answers_ask_again(ctx):
    book_visit(ctx.sessions, sender="A", service="sbk-apply", day=THU)
    book_visit(ctx.sessions, sender="A", service="passport", day=THU, slot="14:00-15:00")
    chat = Chat(ctx, FLOW_NAME, "A")
    assert "有2个预约都对得上" in chat.say("12月3日的")
    assert "没找到您说的这个预约" in chat.say("异地就医的")
    assert "请问要取消哪个预约" in chat.last and len(active(ctx)) == 2


def test_changing_ones_mind_keeps_the_booking(ctx, two):
    chat = Chat(ctx, FLOW_NAME, "A", {cancel_booking.BOOKING: two[0].receipt_no})
    assert "请核对" in chat.last and "社会保障卡申领，12月3日" in chat.last
    assert "确定不办了吗" in chat.say("不办了")
    assert "预约还保留着" in chat.say("1") and chat.ended
    assert len(active(ctx)) == 2


def test_another_conversations_booking_is_never_offered(ctx, two):
    book_visit(ctx.sessions, sender="B", service="passport", day=FRI)
    chat = Chat(ctx, FLOW_NAME, "B")
    assert "普通护照签发" in chat.last and "社会保障卡" not in chat.last
    assert "没找到" in chat.say(two[0].receipt_no)  # A's number, typed in B's list


def test_by_number_shows_nothing_before_the_phone_digits_match(ctx, two):
    remote = two[1]
    chat = Chat(ctx, BY_NUMBER, "B")
    assert "没有可以取消的预约" in chat.last and "预约编号" in chat.last
    asked = chat.say(remote.display)
    assert "手机号的最后4位" in asked and "异地就医" not in asked
    wrong = chat.say("0000")
    assert FAILED_TEXT in wrong and "异地就医" not in wrong
    summary = chat.say("5678")
    assert "请核对" in summary and "异地就医备案，12月4日（周五）" in summary
    assert remote.receipt_no in active(ctx)
    assert chat.say("1").startswith("已取消预约：异地就医备案")
    assert active(ctx) == [two[0].receipt_no]


def test_by_number_an_unknown_number_reads_like_wrong_digits(ctx, two):
    known, unknown = Chat(ctx, BY_NUMBER, "B"), Chat(ctx, BY_NUMBER, "C")
    known.say(two[0].receipt_no)
    unknown.say("2234567893")
    assert known.say("1111") == unknown.say("1111")


def test_by_number_a_corrected_number_must_be_proved_again(ctx, two):
    chat = Chat(ctx, BY_NUMBER, "B")
    chat.say(two[0].receipt_no)
    chat.say("5678")
    assert "好的，我们改一下预约编号" in chat.say("预约编号填错了")
    asked = chat.say(two[1].receipt_no)
    assert "手机号的最后4位" in asked and "异地就医" not in asked


def test_by_number_a_booking_already_cancelled_is_not_cancelled_again(ctx, two):
    Chat(ctx, FLOW_NAME, "A", {cancel_booking.BOOKING: two[0].receipt_no}).say("1")
    chat = Chat(ctx, BY_NUMBER, "B")
    chat.say(two[0].receipt_no)
    assert "已经取消或者已经过期" in chat.say("5678") and chat.ended
    assert booking_by_receipt(ctx.sessions, receipt_no=two[0].receipt_no).status == "已取消"


@pytest.mark.parametrize("text", ["取消预约", "/cancel_appointment", "我要取消预约", ""])
def test_plain_requests_name_no_booking(ctx, two, text):
    assert not match_bookings(text, two, ctx.services, TODAY).named

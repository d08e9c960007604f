"""查进度 from another conversation: number, then the last 4 digits, then the record (issue 11)."""
from __future__ import annotations

import pytest

from bot.flows import progress_lookup
from bot.receipts import format_receipt, new_receipt_no
from bot.records import attempts
from bot.records.proof import FAILED_TEXT, LOCKED_TEXT
from tests.support.ids import id_number
from tests.support.records import Chat, apply_allowance, book_visit, flow_ctx

ELDER_ID = id_number("19400315")


@pytest.fixture()
def ctx(db_url, monkeypatch):
    return flow_ctx(db_url, monkeypatch)


@pytest.fixture()
def application(ctx):
    return apply_allowance(ctx.sessions, sender="owner", elder_id=ELDER_ID, phone="13900001234")


def lookup(ctx, sender="stranger"):
    return Chat(ctx, progress_lookup.FLOW_NAME, sender)


def test_the_record_is_shown_only_after_the_digits_and_without_a_summary(ctx, application):
    chat = lookup(ctx)
    assert "受理编号或预约编号" in chat.last
    asked = chat.say(application.display)
    assert "最后4位" in asked and "高龄津贴" not in asked
    done = chat.say(ELDER_ID[-4:])
    assert chat.ended and "请核对" not in done
    assert f"高龄津贴申领（受理编号 {application.display}）：受理" in done


def test_spoken_number_and_phone_digits(ctx, application):
    spoken = "".join("零一二三四五六七八九"[int(d)] if d.isdigit() else d for d in application.display)
    chat = lookup(ctx)
    chat.say(spoken)
    assert application.display in chat.say("手机后四位是幺二三四")


def test_a_booking_is_found_by_its_number_and_phone_digits(ctx):
    booking = book_visit(ctx.sessions, sender="owner")
    chat = lookup(ctx)
    chat.say(booking.receipt_no)
    assert f"预约编号 {booking.display}，已预约" in chat.say("5678")


def test_unknown_number_and_wrong_digits_get_the_same_reply(ctx, application):
    wrong, unknown = lookup(ctx, "a"), lookup(ctx, "b")
    wrong.say(application.display)
    unknown.say(format_receipt(new_receipt_no(lambda n: 123_456_789 % n)))  # valid, never issued
    assert wrong.say("0000") == unknown.say("0000")
    assert FAILED_TEXT in wrong.last and not wrong.ended
    assert "最后4位" in wrong.last.split(FAILED_TEXT)[-1]  # asked again


def test_a_mistyped_number_is_caught_by_its_check_digit_and_costs_no_try(ctx, application):
    chat = lookup(ctx)
    typo = application.receipt_no[:-1] + str((int(application.receipt_no[-1]) + 1) % 10)
    assert "编号好像不对" in chat.say(typo)
    assert not attempts.is_locked(ctx.sessions, sender_id="stranger")
    with ctx.sessions() as session:
        assert session.query(attempts.ProofAttempt).count() == 0


def test_five_wrong_tries_end_in_a_polite_refusal_and_stay_refused(ctx, application):
    chat = lookup(ctx)
    chat.say(application.display)
    replies = [chat.say(f"000{i}") for i in range(5)]
    assert all(FAILED_TEXT in r for r in replies[:4])
    assert replies[4] == LOCKED_TEXT and chat.ended
    assert "12345" in LOCKED_TEXT and "大厅" in LOCKED_TEXT
    again = lookup(ctx)
    again.say(application.display)
    assert again.say(ELDER_ID[-4:]) == LOCKED_TEXT


def test_the_digits_are_not_kept(ctx, application):
    chat = lookup(ctx)
    chat.say(application.display)
    chat.say("0000")
    assert "0000" not in str(chat.state)
    chat.say("1234")
    assert chat.state["values"][progress_lookup.PROOF] == {"receipt": application.receipt_no,
                                                           "kind": "application"}
    assert format_receipt(application.receipt_no) == application.display


def test_not_going_on_says_so(ctx):
    chat = lookup(ctx)
    chat.say("不办了")
    assert "不查了" in chat.say("1") and chat.ended

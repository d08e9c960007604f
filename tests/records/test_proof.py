"""The proof for a receipt number from another conversation: digits, constant-time compare, no oracle."""
from __future__ import annotations

import hmac

import pytest

from bot.records import attempts, proof
from bot.records.proof import FAILED_TEXT, Verdict, last4_answer, verify
from tests.support.ids import id_number
from tests.support.records import apply_allowance, book_visit

ELDER_ID = id_number("19400315", "003")  # ends in X


@pytest.fixture()
def records(sessions):
    app = apply_allowance(sessions, sender="owner", elder_id=ELDER_ID, phone="13900001234")
    booking = book_visit(sessions, sender="owner", phone="13812345678")
    return app.receipt_no, booking.receipt_no


@pytest.mark.parametrize("text, digits", [("5678", "5678"), ("后四位是五六七八", "5678"), ("１２３x", "123X"),
                                          ("幺二三四", "1234"), ("尾号 5678。", "5678")])
def test_last4_answers(text, digits):
    assert last4_answer(text) == digits


@pytest.mark.parametrize("text", ["", "567", "13812345678", "不知道"])
def test_not_four_digits(text):
    assert last4_answer(text) is None


def test_application_proven_by_id_or_phone_digits(sessions, records):
    app_no, _ = records
    by_id = verify(sessions, sender_id="other", receipt_no=app_no, digits=ELDER_ID[-4:])
    by_phone = verify(sessions, sender_id="other", receipt_no=app_no, digits="1234")
    assert ELDER_ID[-4:].endswith("X")
    assert by_id == by_phone == proof.Proof(Verdict.PROVEN, app_no, proof.APPLICATION)
    assert verify(sessions, sender_id="other", receipt_no=app_no, digits=ELDER_ID[-4:].lower()).verdict \
        is Verdict.PROVEN
    assert not attempts.is_locked(sessions, sender_id="other", receipt_no=app_no)


def test_booking_proven_by_phone_digits_only_when_bookings_are_asked_for(sessions, records):
    app_no, booking_no = records
    assert verify(sessions, sender_id="other", receipt_no=booking_no, digits="5678").verdict is Verdict.PROVEN
    only_bookings = verify(sessions, sender_id="other", receipt_no=app_no, digits="1234", kinds=(proof.BOOKING,))
    assert only_bookings.verdict is Verdict.FAILED


def test_unknown_number_and_wrong_digits_look_the_same(sessions, records):
    app_no, _ = records
    unknown = "2234567893"
    assert verify(sessions, sender_id="a", receipt_no=app_no, digits="0000") == \
        verify(sessions, sender_id="b", receipt_no=unknown, digits="0000") == proof.Proof(Verdict.FAILED)
    assert FAILED_TEXT.count("编号") and "不存在" not in FAILED_TEXT


def test_digits_are_compared_in_constant_time_the_same_number_of_times(sessions, records, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(proof.hmac, "compare_digest", spy)
    app_no, _ = records
    verify(sessions, sender_id="a", receipt_no=app_no, digits="0000")
    known = len(calls)
    verify(sessions, sender_id="b", receipt_no="2234567893", digits="0000")
    assert known > 0 and len(calls) == 2 * known
    assert all(a == b"0000" for a, _ in calls)


def test_five_wrong_tries_then_refused_even_with_the_right_digits(sessions, records):
    app_no, _ = records
    verdicts = [verify(sessions, sender_id="guesser", receipt_no=app_no, digits=f"000{i}").verdict
                for i in range(5)]
    assert verdicts == [Verdict.FAILED] * 4 + [Verdict.LOCKED]
    assert verify(sessions, sender_id="guesser", receipt_no=app_no, digits="1234").verdict is Verdict.LOCKED
    # The number is locked for everyone for now, the owner's own conversation aside.
    assert verify(sessions, sender_id="someone", receipt_no=app_no, digits="1234").verdict is Verdict.LOCKED

"""Failed proofs are counted in the database: per conversation and per receipt number, for an hour."""
from __future__ import annotations

from datetime import datetime, timedelta

from bot.db import session_factory
from bot.records import attempts

NOW = datetime(2026, 12, 1, 8, 0)


def fail(sessions, n, *, sender="s1", receipt="2611290437", now=NOW):
    return [attempts.reserve(sessions, sender_id=sender, receipt_no=receipt, now=now) for _ in range(n)]


def test_five_failures_lock_the_conversation_for_any_number(sessions):
    assert None not in fail(sessions, 5)
    assert attempts.is_locked(sessions, sender_id="s1", now=NOW)
    assert attempts.reserve(sessions, sender_id="s1", receipt_no="1111111111", now=NOW) is None
    assert not attempts.is_locked(sessions, sender_id="s2", now=NOW)


def test_five_failures_lock_the_number_for_every_conversation(sessions):
    for i in range(5):
        fail(sessions, 1, sender=f"guesser-{i}")
    assert attempts.reserve(sessions, sender_id="someone-new", receipt_no="2611290437", now=NOW) is None
    assert attempts.reserve(sessions, sender_id="someone-new", receipt_no="1111111111", now=NOW) is not None


def test_a_released_try_is_no_failure(sessions):
    for attempt in fail(sessions, 5):
        attempts.release(sessions, attempt)
    assert not attempts.is_locked(sessions, sender_id="s1", receipt_no="2611290437", now=NOW)


def test_the_lock_ends_after_an_hour_and_old_rows_are_deleted(sessions):
    fail(sessions, 5)
    later = NOW + attempts.WINDOW + timedelta(seconds=1)
    assert not attempts.is_locked(sessions, sender_id="s1", now=later)
    assert attempts.reserve(sessions, sender_id="s1", receipt_no="2611290437", now=later) is not None
    with sessions() as session:
        assert session.query(attempts.ProofAttempt).count() == 1


def test_the_count_survives_a_new_process(db_url):
    """Stored, not in memory: a fresh engine on the same file sees the lock."""
    fail(session_factory(db_url), 5)
    session_factory.cache_clear()
    try:
        assert attempts.is_locked(session_factory(db_url), sender_id="s1", now=NOW)
    finally:
        session_factory.cache_clear()

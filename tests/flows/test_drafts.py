"""Drafts: only the owning conversation reads them; expired and finished ones go away."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from sqlalchemy import update

from bot.db import session_factory
from bot.flows import drafts
from bot.flows.drafts import FlowDraft, delete_draft, load_draft, purge_expired, save_draft


@pytest.fixture()
def sessions(tmp_path):
    return session_factory(f"sqlite:///{tmp_path / 'drafts.db'}")


def test_save_load_replace_delete(sessions):
    draft_id = save_draft(sessions, sender_id="a", state={"values": {"x": 1}})
    assert load_draft(sessions, sender_id="a", draft_id=draft_id) == {"values": {"x": 1}}
    save_draft(sessions, sender_id="a", state={"values": {"x": 2}}, draft_id=draft_id)
    assert load_draft(sessions, sender_id="a", draft_id=draft_id) == {"values": {"x": 2}}
    delete_draft(sessions, sender_id="a", draft_id=draft_id)
    assert load_draft(sessions, sender_id="a", draft_id=draft_id) is None


def test_another_sender_can_neither_read_nor_overwrite(sessions):
    draft_id = save_draft(sessions, sender_id="a", state={"v": 1})
    assert load_draft(sessions, sender_id="b", draft_id=draft_id) is None
    with pytest.raises(PermissionError):
        save_draft(sessions, sender_id="b", state={"v": 2}, draft_id=draft_id)
    delete_draft(sessions, sender_id="b", draft_id=draft_id)
    assert load_draft(sessions, sender_id="a", draft_id=draft_id) == {"v": 1}


def test_expired_drafts_are_not_loaded_and_are_purged(sessions):
    draft_id = save_draft(sessions, sender_id="a", state={"v": 1})
    with sessions.begin() as session:
        session.execute(update(FlowDraft).values(updated_at=drafts._now() - drafts.DRAFT_TTL - timedelta(minutes=1)))
    assert load_draft(sessions, sender_id="a", draft_id=draft_id) is None
    assert purge_expired(sessions) == 1


def test_purge_takes_the_time_it_is_given(sessions):
    """`python -m bot purge` passes its clock: a draft expires exactly DRAFT_TTL after its last change."""
    draft_id = save_draft(sessions, sender_id="a", state={"v": 1})
    saved_at = drafts._now().replace(tzinfo=timezone.utc)
    assert purge_expired(sessions, now=saved_at + drafts.DRAFT_TTL - timedelta(seconds=1)) == 0
    assert purge_expired(sessions, now=saved_at + drafts.DRAFT_TTL + timedelta(seconds=1)) == 1
    with sessions() as session:
        assert session.get(FlowDraft, draft_id) is None

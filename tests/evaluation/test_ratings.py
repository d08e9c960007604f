"""Invitations and ratings (bot/evaluation/ratings.py, invitations.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.evaluation import ratings
from bot.evaluation.errors import NotFound, NotInvited
from bot.evaluation.invitations import OPEN_FOR, Context, subject_of
from bot.evaluation.levels import Level, PoorReason
from bot.evaluation.models import FollowUp, Rating

NOW = datetime(2026, 12, 1, 2, 0)  # Tuesday 10:00 in Wuhu
CONV = "web:abcdefgh12"
SBK = subject_of(Context.ANSWER, "elderly-allowance")


def _invite(db, subject=SBK, conversation=CONV, in_flow=False, now=NOW, service_id="elderly-allowance"):
    return ratings.invite(db, conversation_id=conversation, subject=subject, channel="webchat", in_flow=in_flow,
                          service_id=service_id, district="镜湖区", now=now)


def test_once_per_subject_and_never_inside_a_flow(evaluation):
    assert not _invite(evaluation, in_flow=True)
    assert _invite(evaluation)
    assert not _invite(evaluation)  # the same service again
    assert _invite(evaluation, subject=subject_of(Context.HANDOFF, "7"), service_id=None)
    assert _invite(evaluation, conversation="web:otherconv1")  # another resident is asked too


def test_no_second_invitation_after_a_refusal(evaluation):
    assert _invite(evaluation)
    assert ratings.decline(evaluation, conversation_id=CONV, now=NOW)
    assert not _invite(evaluation, subject=subject_of(Context.APPLICATION, "SQ1"), service_id=None)
    with pytest.raises(NotInvited):
        ratings.rate(evaluation, conversation_id=CONV, level=Level.SATISFIED, now=NOW)


def test_a_rating_answers_the_open_invitation_once(evaluation):
    _invite(evaluation)
    view = ratings.rate(evaluation, conversation_id=CONV, level=Level.SATISFIED, now=NOW)
    assert (view.level, view.service_id, view.department, view.channel, view.district) == (
        Level.SATISFIED, "elderly-allowance", "市民政局", "webchat", "镜湖区")
    with pytest.raises(NotInvited):
        ratings.rate(evaluation, conversation_id=CONV, level=Level.VERY_DISSATISFIED, now=NOW)
    with evaluation() as session:
        assert session.scalar(select(FollowUp.id)) is None  # 满意: nothing to follow up


def test_an_invitation_closes_after_half_an_hour(evaluation):
    _invite(evaluation)
    later = NOW + OPEN_FOR + timedelta(seconds=1)
    assert not ratings.has_open_invitation(evaluation, conversation_id=CONV, now=later)
    with pytest.raises(NotInvited):
        ratings.rate(evaluation, conversation_id=CONV, level=Level.SATISFIED, now=later)


def test_another_conversation_cannot_answer_or_explain(evaluation):
    _invite(evaluation)
    with pytest.raises(NotInvited):
        ratings.rate(evaluation, conversation_id="web:intruder1", level=Level.DISSATISFIED, now=NOW)
    view = ratings.rate(evaluation, conversation_id=CONV, level=Level.DISSATISFIED, now=NOW)
    with pytest.raises(NotFound):
        ratings.give_reason(evaluation, rating_id=view.id, conversation_id="web:intruder1",
                            reason=PoorReason.TOO_SLOW)


def test_a_poor_rating_opens_a_follow_up_for_the_department_due_in_working_days(evaluation):
    _invite(evaluation)
    view = ratings.rate(evaluation, conversation_id=CONV, level=Level.VERY_DISSATISFIED, now=NOW)
    with evaluation() as session:
        followup = session.execute(select(FollowUp).where(FollowUp.rating_id == view.id)).scalar_one()
        assert (followup.department, followup.status, followup.due_on) == ("市民政局", "verifying", date(2026, 12, 8))


def test_the_reason_is_kept_once_and_free_text_is_masked_when_shown(evaluation):
    _invite(evaluation)
    view = ratings.rate(evaluation, conversation_id=CONV, level=Level.DISSATISFIED, now=NOW)
    explained = ratings.give_reason(evaluation, rating_id=view.id, conversation_id=CONV,
                                    reason=PoorReason.OTHER, text="打了13812345678没人接")
    assert explained.reason is PoorReason.OTHER
    assert "13812345678" not in (explained.reason_text or "") and "没人接" in (explained.reason_text or "")
    again = ratings.give_reason(evaluation, rating_id=view.id, conversation_id=CONV, reason=PoorReason.TOO_SLOW)
    assert again.reason is PoorReason.OTHER
    with evaluation() as session:
        stored = session.execute(select(Rating)).scalar_one()
        assert stored.reason_text == "打了13812345678没人接"  # decrypted as written; encrypted at rest


def test_a_rating_without_a_service_goes_to_the_city_office(evaluation):
    ratings.invite(evaluation, conversation_id=CONV, subject=subject_of(Context.HANDOFF, "3"), channel="wechat",
                   now=NOW)
    view = ratings.rate(evaluation, conversation_id=CONV, level=Level.DISSATISFIED, now=NOW)
    assert view.department == ratings.GENERAL_DEPARTMENT

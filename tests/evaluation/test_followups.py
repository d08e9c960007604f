"""The follow-up of a poor rating and appeals (bot/evaluation/followups.py, appeals.py)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.evaluation import appeals, followups, ratings
from bot.evaluation.errors import AppealPending, InvalidStep, NoteRequired
from bot.evaluation.followups import FollowUpStatus as S
from bot.evaluation.followups import Revisit
from bot.evaluation.invitations import Context, subject_of
from bot.evaluation.levels import Level

NOW = datetime(2026, 9, 29, 2, 0)  # Tuesday before National Day, 10:00 in Wuhu


def _poor(db, conversation="wechat:openid-1") -> int:
    ratings.invite(db, conversation_id=conversation, subject=subject_of(Context.ANSWER, "dibao"), channel="wechat",
                   service_id="dibao", now=NOW)
    rating = ratings.rate(db, conversation_id=conversation, level=Level.DISSATISFIED, now=NOW)
    return next(f.id for f in followups.listing(db) if f.rating.id == rating.id)


def test_deadline_skips_national_day(evaluation):
    _poor(evaluation)
    view = followups.listing(evaluation)[0]
    # 5 working days after Tue 29 Sep: 30 Sep, 8, 9, 10 (Saturday, 调休), 12 Oct.
    assert view.due_on == date(2026, 10, 12)
    assert not followups.is_overdue(view, date(2026, 10, 12))
    assert followups.is_overdue(view, date(2026, 10, 13))
    assert [v.id for v in followups.listing(evaluation, overdue_on=date(2026, 10, 13))] == [view.id]


def test_the_whole_path_with_a_required_revisit(evaluation):
    fid = _poor(evaluation)
    followups.advance(evaluation, followup_id=fid, actor="zhang", seen=S.VERIFYING, to=S.RECTIFYING,
                      note="材料清单已更正", now=NOW)
    with pytest.raises(NoteRequired):
        followups.advance(evaluation, followup_id=fid, actor="zhang", seen=S.RECTIFYING, to=S.REVISITED,
                          note="已电话回访", now=NOW)
    followups.advance(evaluation, followup_id=fid, actor="zhang", seen=S.RECTIFYING, to=S.REVISITED,
                      note="电话13812345678回访，居民表示满意", revisit=Revisit(reached=True, satisfied=True), now=NOW)
    done = followups.advance(evaluation, followup_id=fid, actor="li", seen=S.REVISITED, to=S.CLOSED,
                             note="办结", now=NOW)
    assert (done.status, done.revisit_reached, done.revisit_satisfied) == ("closed", True, True)
    _, steps = followups.get(evaluation, followup_id=fid)
    assert [(s.from_status, s.to_status) for s in steps] == [
        (None, "verifying"), ("verifying", "rectifying"), ("rectifying", "revisited"), ("revisited", "closed")]
    assert "13812345678" not in (steps[2].note or "")


@pytest.mark.parametrize(("seen", "to"), [(S.VERIFYING, S.CLOSED), (S.RECTIFYING, S.CLOSED),
                                          (S.REVISITED, S.RECTIFYING), (S.CLOSED, S.VERIFYING)])
def test_steps_out_of_order_are_refused(evaluation, seen, to):
    fid = _poor(evaluation)
    with pytest.raises(InvalidStep):
        followups.advance(evaluation, followup_id=fid, actor="zhang", seen=seen, to=to, note="x",
                          revisit=Revisit(True, True), now=NOW)


def test_two_people_cannot_both_move_it(evaluation):
    fid = _poor(evaluation)
    followups.advance(evaluation, followup_id=fid, actor="a", seen=S.VERIFYING, to=S.RECTIFYING, note="一", now=NOW)
    with pytest.raises(InvalidStep):  # b's page still showed 待核实
        followups.advance(evaluation, followup_id=fid, actor="b", seen=S.VERIFYING, to=S.RECTIFYING, note="二",
                          now=NOW)


def test_an_approved_appeal_sets_the_rating_aside_and_closes_the_follow_up(evaluation):
    fid = _poor(evaluation)
    rating_id = followups.listing(evaluation)[0].rating.id
    appeal = appeals.request_appeal(evaluation, rating_id=rating_id, requested_by="zhang", reason="恶意差评")
    with pytest.raises(AppealPending):
        appeals.request_appeal(evaluation, rating_id=rating_id, requested_by="zhang", reason="再次")
    with pytest.raises(InvalidStep):
        appeals.decide(evaluation, appeal_id=appeal.id, decided_by="zhang", approve=True, note="自己批")
    decided = appeals.decide(evaluation, appeal_id=appeal.id, decided_by="admin", approve=True, note="核实属实")
    assert decided.status == "approved"
    view, steps = followups.get(evaluation, followup_id=fid)
    assert view.rating.set_aside and view.status == "closed"
    assert steps[-1].note == "申诉通过：核实属实"
    with pytest.raises(InvalidStep):
        appeals.decide(evaluation, appeal_id=appeal.id, decided_by="admin2", approve=False, note="改主意")


def test_a_refused_appeal_changes_nothing_and_a_new_one_may_follow(evaluation):
    fid = _poor(evaluation)
    rating_id = followups.listing(evaluation)[0].rating.id
    first = appeals.request_appeal(evaluation, rating_id=rating_id, requested_by="zhang", reason="理由一")
    appeals.decide(evaluation, appeal_id=first.id, decided_by="admin", approve=False, note="理由不足")
    view, _ = followups.get(evaluation, followup_id=fid)
    assert not view.rating.set_aside and view.status == "verifying"
    assert appeals.request_appeal(evaluation, rating_id=rating_id, requested_by="zhang", reason="新证据").status == \
        "pending"

"""The console's reads of follow-ups and appeals (bot/evaluation/queries.py)."""
from __future__ import annotations

from datetime import date, datetime

from bot.evaluation import appeals, followups, queries, ratings
from bot.evaluation.followups import FollowUpStatus as S
from bot.evaluation.invitations import Context, subject_of
from bot.evaluation.levels import Level
from bot.evaluation.queries import OVERDUE, FollowUpFilter

EARLY = datetime(2026, 11, 2, 2, 0)  # due 9 November
LATE = datetime(2026, 12, 1, 2, 0)  # due 8 December
TODAY = date(2026, 12, 2)


def _poor(db, number: int, service_id: str, now: datetime) -> int:
    conversation = f"web:conversation{number:02d}"
    ratings.invite(db, conversation_id=conversation, subject=subject_of(Context.ANSWER, service_id),
                   channel="webchat", service_id=service_id, now=now)
    rating = ratings.rate(db, conversation_id=conversation, level=Level.DISSATISFIED, now=now)
    return next(v.id for v in followups.listing(db) if v.rating.id == rating.id)


def test_filters_pages_and_counts(evaluation):
    minzheng = [_poor(evaluation, n, "elderly-allowance", EARLY if n < 2 else LATE) for n in range(5)]
    gongan = _poor(evaluation, 9, "idcard", LATE)
    followups.advance(evaluation, followup_id=minzheng[4], actor="a", seen=S.VERIFYING, to=S.RECTIFYING,
                      note="整改", now=LATE)

    def ids(**where) -> list[int]:
        return [v.id for v in queries.search(evaluation, where=FollowUpFilter(**where), limit=50).items]

    assert ids(department="市民政局") == minzheng  # the earliest deadline first
    assert ids(department="市公安局") == [gongan]
    assert ids(status=S.RECTIFYING) == [minzheng[4]]
    assert ids(overdue_on=TODAY) == minzheng[:2]
    page = queries.search(evaluation, where=FollowUpFilter(department="市民政局"), limit=2, offset=2)
    assert ([v.id for v in page.items], page.total) == (minzheng[2:4], 5)
    assert queries.status_counts(evaluation, department="市民政局", today=TODAY) == {
        "verifying": 4, "rectifying": 1, "revisited": 0, "closed": 0, OVERDUE: 2}
    assert queries.status_counts(evaluation, department=None, today=TODAY)["verifying"] == 5
    assert queries.departments(evaluation) == ["市公安局", "市民政局"]


def test_follow_ups_by_rating_and_an_appeal_by_id(evaluation):
    fid = _poor(evaluation, 1, "elderly-allowance", LATE)
    view, _ = followups.get(evaluation, followup_id=fid)
    assert queries.followups_of_ratings(evaluation, rating_ids={view.rating.id, 999})[view.rating.id].id == fid
    assert queries.followups_of_ratings(evaluation, rating_ids=set()) == {}
    filed = appeals.request_appeal(evaluation, rating_id=view.rating.id, requested_by="zhang", reason="误评")
    assert queries.appeal(evaluation, appeal_id=filed.id) == filed
    assert queries.appeal(evaluation, appeal_id=999) is None

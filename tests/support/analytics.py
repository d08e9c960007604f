"""The hand-computed analytics fixture of tests/analytics/test_report.py, for the pages' tests.

Three sessions (local dates, Wuhu): A on Tue 1 Dec 2026 (web chat, 镜湖区, sbk-apply answered,
resolved), B on Wed 2 Dec (WeChat, a fallback, elderly-allowance left at step 2, 转人工) and C
on Mon 7 Dec (as A). Ratings: 满意 for sbk-apply, 不满意 for elderly-allowance with an open
follow-up due 9 Dec, and a 非常不满意 set aside on appeal.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import sessionmaker

from bot.analytics.report import Filters
from bot.analytics.store import apply_batch
from bot.evaluation import appeals, ratings
from bot.evaluation.invitations import Context, subject_of
from bot.evaluation.levels import Level
from tests.analytics.events import T0, answered_conversation, flow_dropped_at_step_2

DAY = 86400
TUE_1_DEC = T0 - DAY
PERIOD = Filters(start=date(2026, 11, 30), end=date(2026, 12, 13))
CONVERSATIONS = ("web:aaaaaaaa01", "wechat:openid-b", "web:cccccccc03")
RATED_AT = datetime(2026, 12, 2, 3, 0)


def load_fixture(db: sessionmaker) -> None:
    with db.begin() as session:
        apply_batch(session, [("web:aaaaaaaa01", e) for e in answered_conversation(TUE_1_DEC)])
        apply_batch(session, [("wechat:openid-b", e) for e in flow_dropped_at_step_2(TUE_1_DEC + DAY)])
        apply_batch(session, [("web:cccccccc03", e) for e in answered_conversation(TUE_1_DEC + 6 * DAY)])
    for conversation, channel, service, level in zip(
            CONVERSATIONS, ("webchat", "wechat", "webchat"), ("sbk-apply", "elderly-allowance", "sbk-apply"),
            (Level.SATISFIED, Level.DISSATISFIED, Level.VERY_DISSATISFIED), strict=True):
        ratings.invite(db, conversation_id=conversation, subject=subject_of(Context.ANSWER, service), channel=channel,
                       service_id=service, now=RATED_AT)
        rated = ratings.rate(db, conversation_id=conversation, level=level, now=RATED_AT)
    appeal = appeals.request_appeal(db, rating_id=rated.id, requested_by="zhang", reason="恶意")
    appeals.decide(db, appeal_id=appeal.id, decided_by="admin", approve=True, note="属实")

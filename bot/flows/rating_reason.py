"""Why a resident was not satisfied (差评原因), asked right after 不满意 / 非常不满意.

One numbered question (答非所问, 材料说得不清楚, 流程太复杂, 等太久, 其他) and, for 其他,
the resident's own words; nothing to confirm. It runs as a guided flow so 上一步,
再说一遍 and 不办了 work as everywhere (不办了 keeps the rating, without a reason).
The reason joins the rating (bot/evaluation/ratings.py give_reason); the reply says who
follows it up and by when (the follow-up opened with the rating) and offers a person.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.evaluation import ratings
from bot.evaluation.levels import OFFERED_REASONS, PoorReason
from bot.evaluation.queries import followups_of_ratings
from bot.evaluation.texts import (
    DETAIL_HELP,
    DETAIL_QUESTION,
    REASON_DONE,
    REASON_HELP,
    REASON_INTRO,
    REASON_QUESTION,
)
from bot.flows.definition import FlowDefinition, State, SubmitResult
from bot.flows.engine import Flow, Option, Step, StepError
from bot.personal.masking import mask_personal_data
from bot.workdays import local_date, working_days_between

if TYPE_CHECKING:
    from bot.flows.context import FlowContext

FLOW_NAME = "rating_reason"
REASON, DETAIL = "reason", "detail"
#: Key of the flow state that names the rating being explained (set by actions/rating.py).
RATING = "rating_id"
REASONS = tuple(Option(reason.label, reason.value) for reason in OFFERED_REASONS)
MAX_DETAIL_CHARS = 300


def parse_detail(text: str, _values: dict[str, Any]) -> str:
    detail = " ".join((text or "").split())
    if not detail:
        raise StepError("请用一两句话说说哪里不满意。")
    return detail[:MAX_DETAIL_CHARS]


def build(_ctx: FlowContext, _sender_id: str = "") -> Flow:
    return Flow(
        name=FLOW_NAME, title="评价原因", intro=REASON_INTRO, confirm=False, queue_on_handoff=True,
        show_progress=False,
        steps=(
            Step(REASON, "原因", REASON_QUESTION, REASON_HELP, options=lambda _values: REASONS,
                 display=lambda value: PoorReason(value).label, aliases=("原因",)),
            Step(DETAIL, "具体情况", DETAIL_QUESTION, DETAIL_HELP, parse=parse_detail,
                 display=mask_personal_data, when=lambda values: values.get(REASON) == PoorReason.OTHER.value,
                 own_words=True),
        ),
        cancelled_text="好的，您的评价已经记下了。还有别的事，随时问我。",
    )


def _submit(ctx: FlowContext, state: State, sender_id: str) -> SubmitResult:
    values = state["values"]
    rating = ratings.give_reason(ctx.sessions, rating_id=int(state[RATING]), conversation_id=sender_id,
                                 reason=PoorReason(values[REASON]), text=values.get(DETAIL))
    followup = followups_of_ratings(ctx.sessions, rating_ids=[rating.id]).get(rating.id)
    if followup is None:  # set aside on appeal already: nothing to follow up
        return SubmitResult("谢谢您的反馈，已经记下了。")
    days = max(working_days_between(local_date(followup.created_at), followup.due_on), 1)
    due = f"{followup.due_on.month}月{followup.due_on.day}日"
    return SubmitResult(REASON_DONE.format(department=followup.department, days=days, due=due))


DEFINITION = FlowDefinition(FLOW_NAME, build=build, submit=_submit)

"""The dashboard's tables as plain text cells, shared by the page and the CSV export so both say the same.

Only aggregate figures and the names of services, departments, districts, channels and flows:
no conversation id, no message, no rating reason or note. A name that came from conversation
data (a district slot) is masked with the project's masking before it is shown, so even a
slot that somehow held a phone or ID number shows only its masked form.
"""
from __future__ import annotations

from collections.abc import Sequence

from bot.analytics import labels
from bot.analytics.report import Counts
from bot.personal.masking import mask_personal_data
from console.web.dashboard_query import DIMENSION_LABELS, Dashboard, Row
from console.web.pages.numbers import LEVEL_COLUMNS, period, poor, rate, response_time, satisfaction

Table = tuple[list[str], list[list[str]]]
COUNT_HEADER = ["会话数", "解决率", "兜底率", "转人工率", "流程完成率"]
RATING_HEADER = ["评价数", *(label for _, label in LEVEL_COLUMNS), "满意率"]


def _counts(c: Counts) -> list[str]:
    return [str(c.conversations), rate(c.resolution_rate), rate(c.fallback_rate), rate(c.handoff_rate),
            rate(c.completion_rate)]


def _levels(levels: dict[int, int]) -> list[str]:
    return [str(sum(levels.values())), *(str(levels.get(level, 0)) for level, _ in LEVEL_COLUMNS),
            rate(satisfaction(levels))]


def overview_rows(d: Dashboard) -> list[tuple[str, str]]:
    """(figure, value) for the period and filters."""
    o = d.overview
    c = o.counts
    rows = [("会话数", str(c.conversations)), ("解决率", rate(c.resolution_rate)),
            ("兜底率", rate(c.fallback_rate)), ("转人工率", rate(c.handoff_rate)),
            ("流程完成率", rate(c.completion_rate)), ("评价数", str(sum(o.ratings.values()))),
            ("满意率", rate(satisfaction(o.ratings)))]
    rows += [(f"评价：{label}", str(o.ratings.get(level, 0))) for level, label in LEVEL_COLUMNS]
    rows += [("差评", str(poor(o.ratings))), ("待办跟进", str(o.followups_open)),
             ("超期跟进", str(o.followups_overdue)), ("响应时间中位数", response_time(o.median_response_ms))]
    return rows


def trend_table(d: Dashboard) -> Table:
    """One line per period (empty periods too), every figure family."""
    header = ["时间", *COUNT_HEADER, *RATING_HEADER, "响应时间中位数"]
    rows = [[period(first, d.query.grain), *_counts(d.series.get(first, Counts())), *_levels(d.ratings.get(first, {})),
             response_time(d.medians.get(first))] for first in d.periods]
    return header, rows


def dimension_table(rows: Sequence[Row], dimension: str) -> Table:
    header = [DIMENSION_LABELS[dimension], *COUNT_HEADER, *RATING_HEADER, "差评", "待办跟进", "超期", "响应时间中位数"]
    out = []
    for row in rows:
        cells = [mask_personal_data(row.label), *_counts(row.counts), *_levels(row.levels), str(poor(row.levels)),
                 str(row.followups[0]), str(row.followups[1]), response_time(row.median_ms)]
        out.append(cells)
    return header, out


def drop_off_table(d: Dashboard) -> Table:
    """Flows not submitted, by the step they were left at; the share of that flow's unfinished ones."""
    totals: dict[str, int] = {}
    for flow, _, count in d.drop_off:
        totals[flow] = totals.get(flow, 0) + count
    rows = [[labels.flow_label(flow), labels.step_label(step), str(count), rate(count / totals[flow])]
            for flow, step, count in d.drop_off]
    return ["办理流程", "停在", "会话数", "占该流程未完成的"], rows

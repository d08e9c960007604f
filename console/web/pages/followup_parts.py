"""Pieces the 差评回访 and 申诉复核 pages share: a rating in words, states, deadlines, appeals.

Every free text shown here comes from bot/evaluation's views, already masked (ID, phone
and bank numbers); names of levels, reasons, states and channels are the Chinese labels.
"""
from __future__ import annotations

from datetime import date

from bot.evaluation.appeals import AppealStatus
from bot.evaluation.followups import FollowUpStatus, is_overdue
from bot.evaluation.views import AppealView, FollowUpView, RatingView
from console import timefmt
from console.web.pages.inbox_card import CHANNEL_LABELS
from console.web.pages.layout import esc

NO_SERVICE = "（不针对具体服务事项）"


def status_label(value: str | None) -> str:
    try:
        return FollowUpStatus(value).label
    except ValueError:
        return str(value or "—")


def appeal_status_label(value: str) -> str:
    try:
        return AppealStatus(value).label
    except ValueError:
        return value


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")


def deadline(view: FollowUpView, today: date) -> str:
    """The deadline day, marked 已超期 when the follow-up is still open after it."""
    text = f'<span class="nowrap">{esc(view.due_on.isoformat())}</span>'
    if is_overdue(view, today):
        text += ' <strong class="nowrap">已超期</strong>'
    return text


def service_name(rating: RatingView, names: dict[str, str]) -> str:
    if not rating.service_id:
        return NO_SERVICE
    return names.get(rating.service_id, rating.service_id)


def reason_text(rating: RatingView) -> str:
    """The reason's label, with the resident's own (masked) words for 其他."""
    if rating.reason is None:
        return "未说明"
    if rating.reason_text:
        return f"{rating.reason.label}：{rating.reason_text}"
    return rating.reason.label


def rating_table(rating: RatingView, names: dict[str, str]) -> str:
    """The rating as rows of 项目 / 内容."""
    rows = [
        ("评价等级", rating.level.label),
        ("服务事项", service_name(rating, names)),
        ("渠道", CHANNEL_LABELS.get(rating.channel, CHANNEL_LABELS["other"])),
        ("区县", rating.district or "未知"),
        ("差评原因", reason_text(rating)),
        ("受理编号 / 转人工编号", rating.reference or "无"),
        (f"评价时间（{timefmt.zone_label()}）", timefmt.format_time(rating.created_at)),
    ]
    if rating.set_aside:
        rows.append(("评价状态", "已通过申诉撤销，不计入评价结果"))
    body = "".join(f'<tr><th scope="row">{esc(k)}</th><td class="text">{esc(v)}</td></tr>' for k, v in rows)
    return f'<div class="scroll"><table><tbody>{body}</tbody></table></div>'


def appeal_line(appeal: AppealView) -> str:
    """One appeal: who asked, when, why; and the decision once there is one."""
    text = (f'<p><strong>申诉 #{esc(appeal.id)}</strong> · {esc(appeal_status_label(appeal.status))} · '
            f'{esc(appeal.requested_by)} 提交于 <span class="nowrap">{esc(timefmt.format_time(appeal.requested_at))}'
            f'</span></p><p class="answer">{esc(appeal.reason)}</p>')
    if appeal.decided_by:
        text += (f'<p class="meta">复核：{esc(appeal.decided_by)}，'
                 f'<span class="nowrap">{esc(timefmt.format_time(appeal.decided_at))}</span>；'
                 f'意见：{esc(appeal.decision_note or "")}</p>')
    return text
